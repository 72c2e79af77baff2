import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def django_setting(module: str, name: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ZHOUCUN_"))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; from django.conf import settings; django.setup(); "
            f"print(repr(settings.{name}))",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = django_setting("zhoucun_risk.settings.prod", "SECRET_KEY")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


PRODUCTION = {
    "DJANGO_SECRET_KEY": "k" * 50,
    "ZHOUCUN_SIGNING_P12": "/etc/wenping/signer.p12",
    "ZHOUCUN_TRUST_ROOTS": "/etc/wenping/root.pem",
    "ZHOUCUN_PUBLIC_URL": "https://wenping.example.gov.cn",
    "ZHOUCUN_TSA_URL": "https://tsa.example.gov.cn/tsa",
}


def test_production_refuses_to_start_without_a_tsa_unless_b_b_is_chosen():
    without = {k: v for k, v in PRODUCTION.items() if k != "ZHOUCUN_TSA_URL"}

    refused = django_setting("zhoucun_risk.settings.prod", "ZHOUCUN_TSA_URL", **without)
    plain = django_setting(
        "zhoucun_risk.settings.prod", "ZHOUCUN_TSA_URL", **without, ZHOUCUN_SIGNATURE_LEVEL="B-B"
    )

    assert refused.returncode != 0
    assert "ZHOUCUN_TSA_URL must be set" in refused.stderr
    assert plain.returncode == 0 and plain.stdout.strip() == "''"


def test_production_has_debug_off_by_default():
    result = django_setting("zhoucun_risk.settings.prod", "DEBUG", **PRODUCTION)

    assert result.stdout.strip() == "False"


def test_a_malformed_boolean_is_an_error_not_a_default():
    result = django_setting(
        "zhoucun_risk.settings.prod", "DEBUG", **{**PRODUCTION, "DJANGO_DEBUG": "maybe"}
    )

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


def test_database_url_selects_postgresql():
    result = django_setting(
        "zhoucun_risk.settings.prod",
        "DATABASES['default']['ENGINE']",
        **PRODUCTION,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/somedb",
    )

    assert "postgresql" in result.stdout


def test_the_site_speaks_chinese_in_shanghai_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE


def test_production_refuses_to_start_without_its_public_address():
    env = {k: v for k, v in PRODUCTION.items() if k != "ZHOUCUN_PUBLIC_URL"}

    result = django_setting("zhoucun_risk.settings.prod", "ZHOUCUN_PUBLIC_URL", **env)

    assert result.returncode != 0
    assert "ZHOUCUN_PUBLIC_URL must be set" in result.stderr
