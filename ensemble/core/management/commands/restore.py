"""Load a backup archive into an empty database and empty storage folders."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ensemble.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Verify ARCHIVE against its manifest (SHA-256 of every file), then load it into an empty "
        "database and storage; refuses a non-empty target or an archive of the other database vendor."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        try:
            manifest = restore_backup(archive)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"restored {archive.name} ({manifest['created']}): {len(manifest['tables'])} tables and "
            f"{rows} rows, {len(manifest['files'])} files, all equal to the manifest"
        )
