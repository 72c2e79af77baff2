"""`make run` passes the server's address on to the QR code and link of issued reports."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = "show-public-url:\n\t@echo $$ZHOUCUN_PUBLIC_URL\n"


def public_url(*args: str, env: dict | None = None) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "-s", "-f", "Makefile", "-f", "-", *args, "show-public-url"],
        input=SHOW,
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return result.stdout.strip()


def test_the_public_url_follows_host_port():
    import os

    # Not inherited from an outer make (make test exports the default address).
    env = {k: v for k, v in os.environ.items() if k != "ZHOUCUN_PUBLIC_URL"}
    assert public_url("HOST_PORT=127.0.0.1:8123", env=env) == "http://127.0.0.1:8123"


def test_the_default_is_the_default_server_address():
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("HOST_PORT", "ZHOUCUN_PUBLIC_URL")}
    assert public_url(env=env) == "http://127.0.0.1:8000"


def test_an_explicit_public_url_wins():
    import os

    env = {**os.environ, "ZHOUCUN_PUBLIC_URL": "https://wenping.example.gov.cn"}
    assert public_url("HOST_PORT=127.0.0.1:8123", env=env) == "https://wenping.example.gov.cn"
