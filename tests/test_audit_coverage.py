"""Every service of every app is accounted for in the audit log's tests.

Each `tests/test_audit_<part>.py` declares, for the service modules it owns, which functions write
one audit entry (AUDITED, tested there call by call), which only compose other services
(COMPOSED), which write one entry per object they change (BATCH) and which change nothing worth an
entry (NOT_AUDITED, with the reason). This test discovers every public function of every service
module of every app and fails if one is in none of them: a new service cannot escape the log.
"""

import importlib
import inspect
import pkgutil
import re

import ensemble

PARTS = ["directory", "memberships", "billing", "publishing", "others"]
# Service modules not named "services": the office team's changes.
EXTRA_SERVICE_MODULES = ["ensemble.accounts.staff"]
KINDS = ("AUDITED", "COMPOSED", "BATCH", "NOT_AUDITED")


def service_modules() -> list[str]:
    names = []
    for module in pkgutil.walk_packages(ensemble.__path__, "ensemble."):
        parts = module.name.split(".")
        if "services" in parts[2:3] or parts[-1] == "services":
            names.append(module.name)
    return sorted(names + EXTRA_SERVICE_MODULES)


def service_functions() -> set[str]:
    found = set()
    for name in service_modules():
        module = importlib.import_module(name)
        for attribute, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == name and not attribute.startswith("_"):
                found.add(f"{name}.{attribute}")
    return found


def declared() -> dict[str, str]:
    table = {}
    for part in PARTS:
        module = importlib.import_module(f"tests.test_audit_{part}")
        for kind in KINDS:
            for function in getattr(module, kind, {}):
                assert function not in table, f"{function} declared twice ({table.get(function)}, {kind})"
                table[function] = f"{part}.{kind}"
    return table


def test_the_discovery_finds_the_service_modules():
    modules = service_modules()
    for expected in (
        "ensemble.memberships.services.lifecycle",
        "ensemble.billing.services.invoices",
        "ensemble.directory.services",
        "ensemble.core.services",
    ):
        assert expected in modules
    assert len(service_functions()) > 100


def test_every_service_is_accounted_for():
    table = declared()
    missing = sorted(service_functions() - set(table))
    assert missing == [], "services in no audit table: add them to a tests/test_audit_<part>.py"
    stale = sorted(set(table) - service_functions())
    assert stale == [], "audit tables name functions that no longer exist"


CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")


def test_every_audited_code_has_its_wording():
    """The codes of AUDITED, and those the BATCH services name in their description."""
    from ensemble.core.audit import registered_actions

    wording = registered_actions()
    codes = set()
    for part in PARTS:
        module = importlib.import_module(f"tests.test_audit_{part}")
        for value in getattr(module, "AUDITED", {}).values():
            codes.update(value if isinstance(value, tuple) else (value,))
        for description in getattr(module, "BATCH", {}).values():
            codes.update(CODE.findall(description))
    assert {"quote.expired", "membership.notice_ended", "privacy.data_purged"} <= codes
    assert sorted(code for code in codes if code not in wording) == []


def test_a_process_that_only_reads_the_log_still_words_every_entry():
    """A command or a worker that never imported the services renders entries all the same."""
    import subprocess
    import sys

    code = (
        "import django; django.setup();"
        "from ensemble.core.models import AuditEntry; from ensemble.core import audit;"
        "print(audit.describe(AuditEntry(action='organisation.note_added', data={'summary': 'Appel'})));"
        "print(audit.describe(AuditEntry(action='invoice.reminder_sent', target_label='FA-2022-00001')))"
    )
    result = subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    first, second = result.stdout.splitlines()
    assert first == "Appel"
    assert not second.startswith("Action ")
