"""Rebuild the publication snapshots of every listing (or one office's): after a deploy whose
migration changed what a document holds, after a bulk load, or to repair."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ensemble.core.models import Office
from ensemble.publishing import services


class Command(BaseCommand):
    help = "Reconstruit les instantanés de publication (toutes les fiches, ou celles d'un office)."

    def add_arguments(self, parser):
        parser.add_argument("--office", help="Identifiant (slug) de l'office ; tous par défaut.")

    def handle(self, *args, office=None, **options):
        offices = Office.objects.order_by("pk")
        if office:
            offices = offices.filter(slug=office)
            if not offices.exists():
                raise CommandError(f"Office inconnu : {office}")
        for each in offices:
            start = time.monotonic()
            # One transaction per office: readers see the old snapshots or the new ones.
            with transaction.atomic():
                count = services.refresh_office_snapshots(each)
            self.stdout.write(f"{each.slug}: {count} fiches, {time.monotonic() - start:.1f} s")
