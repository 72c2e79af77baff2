import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_chinese_catalog_is_complete():
    catalog = polib.pofile(str(CATALOG))

    assert not catalog.metadata_is_fuzzy
    assert [e.msgid for e in catalog.untranslated_entries()] == []
    assert [e.msgid for e in catalog.fuzzy_entries()] == []
    assert len(catalog.translated_entries()) > 100


def test_the_catalog_covers_every_string_in_the_code(tmp_path):
    """makemessages, run on a copy of the code, finds no msgid the committed catalog lacks."""
    root = Path(settings.BASE_DIR)
    for name in ("assessments", "templates", "zhoucun_risk"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--keep-pot", "-v0"],
        cwd=tmp_path,
        env={**env, "ZHOUCUN_VAR_DIR": str(tmp_path / "var")},
        check=True,
    )
    found = {e.msgid for e in polib.pofile(str(tmp_path / "locale" / "django.pot"))} - {""}
    catalog = {e.msgid for e in polib.pofile(str(CATALOG))}

    assert found, "makemessages found no strings at all"
    assert sorted(found - catalog) == []
