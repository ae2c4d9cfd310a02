"""`manage.py load_demo`: two offices, their staff and invented partners. Safe to run twice.

It prints a summary in French: per office, its partners and their memberships by season, with
each state's label (« Active : 21 »), the events and places, then the demo logins. The state
machine's log lines (English, for the server's log) are left out of it while it runs."""

import contextlib
import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from ensemble.demo.loader import DemoError, demo_logins, load_demo, summary
from ensemble.demo.offices import DEMO_PASSWORD
from ensemble.memberships.models import Membership

# Loggers whose INFO lines (one per membership moved) would drown the summary.
QUIET_LOGGERS = ("ensemble.core.workflow",)
CLOSED_LABELS = {"terminated": "résiliées à l'échéance de leur préavis", "expired": "échues"}


@contextlib.contextmanager
def quiet(names=QUIET_LOGGERS):
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count <= 1 else many}"


def status_counts(statuses: dict[str, int]) -> str:
    """« 21 actives, 4 en attente de règlement… » in the order of the membership's life."""
    order = list(Membership.Status.values)
    parts = []
    for status in sorted(statuses, key=lambda s: order.index(s) if s in order else len(order)):
        label = str(Membership.Status(status).label) if status in order else status
        parts.append(f"{label.lower()} : {statuses[status]}")
    return ", ".join(parts)


def closed_line(closed: dict[str, int]) -> str:
    parts = [f"{count} {CLOSED_LABELS.get(key, key)}" for key, count in closed.items() if count]
    return ", ".join(parts) or "aucune adhésion à clore"


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : une seconde exécution ne change rien)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        with translation.override("fr"), quiet():
            try:
                result = load_demo()
            except DemoError as exc:
                raise CommandError(str(exc)) from exc
            elapsed = time.perf_counter() - started
            self.stdout.write("Données de démonstration")
            for office in result["offices"]:
                self._print_office(office, result["created"].get(office.slug, 0))
            if result["closed"]:
                closing = closed_line(result["closed"])
                self.stdout.write(f"\nClôture de la saison précédente (1er janvier) : {closing}.")
            self.stdout.write(f"\nConnexions de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
            for email, role in demo_logins():
                self.stdout.write(f"  {email:<36} {role}")
            seconds = f"{elapsed:.1f}".replace(".", ",")
            self.stdout.write(self.style.SUCCESS(f"\nDonnées de démonstration prêtes en {seconds} s."))

    def _print_office(self, office, created: int) -> None:
        data = summary(office)
        self.stdout.write(f"\n{office.name} (/{office.slug}/)")
        self.stdout.write(
            f"  {plural(data['organisations'], 'organisation', 'organisations')} "
            f"(dont {created} créée{'s' if created > 1 else ''} par ce chargement), "
            f"{plural(data['establishments'], 'établissement', 'établissements')}"
        )
        for year, statuses in data["seasons"].items():
            total = sum(statuses.values())
            self.stdout.write(f"  Adhésions {year} ({total}) : {status_counts(statuses)}")
        extras = [
            plural(data.get("events", 0), "événement à l'agenda", "événements à l'agenda"),
            plural(data.get("places", 0), "lieu publié par l'office", "lieux publiés par l'office"),
        ]
        self.stdout.write("  " + ", ".join(extras))
