"""Production settings come from the environment only, every variable is in the example file,
and the entry points default to production."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "deploy" / "ensemble.env.example"
READ = re.compile(r"os\.environ(?:\.get)?\s*[\[(]\s*\"([A-Z][A-Z0-9_]+)\"")


def variables_read_by_settings() -> set[str]:
    names = set()
    for path in (ROOT / "ensemble" / "settings").glob("*.py"):
        names |= set(READ.findall(path.read_text()))
    return names


def variables_in_example() -> set[str]:
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), flags=re.M))


def test_every_variable_the_settings_read_is_in_the_example_file():
    read = variables_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_HOST", "MAP_ATTRIBUTION"} <= read  # the scan works
    assert sorted(read - variables_in_example()) == []


def run_manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our interpreter, our manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_manage_py_defaults_to_production_settings(tmp_path):
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")}
    base["ENSEMBLE_VAR_DIR"] = str(tmp_path)
    refused = run_manage(base, "check")
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
    assert "DJANGO_SETTINGS_MODULE=ensemble.settings.dev" in refused.stderr

    env = {**base, "SECRET_KEY": "x" * 64, "ALLOWED_HOSTS": "ensemble.example.org", "EMAIL_HOST": "smtp.ex"}
    shown = run_manage(
        env,
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SETTINGS_MODULE, s.DEBUG, s.EMAIL_HOST)",
    )
    assert shown.returncode == 0, shown.stderr
    last_line = shown.stdout.strip().splitlines()[-1]  # after the shell's own notice of imports
    assert last_line.split() == ["ensemble.settings.production", "False", "smtp.ex"]


def test_the_wsgi_entry_point_defaults_to_production_too():
    assert (
        'setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings.production")'
        in (ROOT / "ensemble" / "wsgi.py").read_text()
    )
