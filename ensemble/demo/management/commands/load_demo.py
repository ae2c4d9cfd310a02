"""`manage.py load_demo`: two offices, their staff and invented partners. Safe to run twice."""

import time

from django.core.management.base import BaseCommand, CommandError

from ensemble.demo.loader import DemoError, demo_logins, load_demo, summary
from ensemble.demo.offices import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : une seconde exécution ne change rien)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            result = load_demo()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        for office in result["offices"]:
            self._print_office(office, result["created"].get(office.slug, 0))
        if result["closed"]:
            self.stdout.write(f"Clôture de la saison précédente (1er janvier) : {result['closed']}")
        self.stdout.write(f"\nConnexions de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
        for email, role in demo_logins():
            self.stdout.write(f"  {email:<36} {role}")
        self.stdout.write(self.style.SUCCESS(f"\nDonnées de démonstration prêtes en {elapsed:.1f} s."))

    def _print_office(self, office, created: int) -> None:
        data = summary(office)
        self.stdout.write(
            f"{office.name} (/{office.slug}/) : {data['organisations']} organisations "
            f"({created} créées maintenant), {data['establishments']} établissements"
        )
        for year, statuses in data["seasons"].items():
            counts = ", ".join(f"{status} {n}" for status, n in sorted(statuses.items()))
            self.stdout.write(f"  adhésions {year} : {counts}")
