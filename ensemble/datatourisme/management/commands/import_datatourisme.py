"""import_datatourisme <office_slug> <dir>: load every DATAtourisme object (.json/.jsonld file)
under a directory (an unpacked flux archive) as places the office publishes."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ensemble.accounts.models import User
from ensemble.core.models import Office
from ensemble.datatourisme import services
from ensemble.datatourisme.models import ImportRun

STATUS = {"complete": "complet", "partial": "partiel", "incomplete": "incomplet"}


class Command(BaseCommand):
    help = (
        "Importe les objets DATAtourisme (un fichier JSON-LD par objet) d'un dossier dans "
        "l'annuaire d'un office."
    )

    def add_arguments(self, parser):
        parser.add_argument("office_slug")
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--as", dest="actor_email", default="", help="E-mail du membre de l'équipe qui importe."
        )

    def handle(self, *args, office_slug: str, directory: Path, actor_email: str, **options):
        office = Office.objects.filter(slug=office_slug).first()
        if office is None:
            raise CommandError(f"Office inconnu : {office_slug}")
        if not directory.is_dir():
            raise CommandError(f"Dossier introuvable : {directory}")
        actor = None
        if actor_email:
            actor = User.objects.filter(email__iexact=actor_email).first()
            if actor is None:
                raise CommandError(f"Utilisateur inconnu : {actor_email}")
        report = services.import_objects(
            office, services.files_from_directory(directory), actor=actor, source=ImportRun.Source.COMMAND
        )
        for row in report.rows:  # object by object: what was imported, partial and why
            if row["status"] == "skipped":
                self.stdout.write(f"ignoré  {row['file']} : {row['reasons'][0]}")
                continue
            kind = "événement" if row["kind"] == "event" else "lieu"
            self.stdout.write(
                f"{STATUS[row['status']]:<10} {row['file']} : {row['name']} ({kind}, {row['category']})"
            )
            for reason in row["reasons"]:
                self.stdout.write(f"{'':<10} {reason}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.files} fichier(s) : {report.created} créée(s), {report.updated} mise(s) à jour, "
                f"{report.unchanged} inchangée(s), {report.skipped} ignoré(s), "
                f"{report.partial} incomplet(s) ou partiel(s)."
            )
        )
