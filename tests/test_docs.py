"""The documentation keeps up with the code: every environment variable the settings read is
documented, and the README is a newcomer's page that starts with the two commands."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_every_environment_variable_the_settings_read_is_documented():
    code = "".join(p.read_text() for p in (ROOT / "zhoucun_risk" / "settings").glob("*.py"))
    read = set(re.findall(r'env_[a-z]+\(\s*"([A-Z0-9_]+)"', code))
    documented = (ROOT / "docs" / "configuration.md").read_text()

    assert read, "no environment variable found in the settings"
    assert sorted(name for name in read if name not in documented) == []


def test_the_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]

    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]
