"""Write one backup archive (database dump, private and public files, manifest) and prune old ones."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ensemble.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write ensemble-<UTC time>.tar into --to DIR, then keep only the BACKUP_KEEP newest archives."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, help="folder that receives the archive")
        parser.add_argument("--keep", type=int, default=None, help="archives kept (default: BACKUP_KEEP)")

    def handle(self, *args, to: Path, keep: int | None, **options):
        try:
            result = create_backup(to, keep=keep)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        manifest = result.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"{result.path}: {len(manifest['tables'])} tables, {rows} rows, {len(manifest['files'])} files"
        )
        for alias in result.skipped_storages:
            self.stderr.write(f"storage {alias!r} is not a local folder: back it up with its own provider")
        for path in result.pruned:
            self.stdout.write(f"pruned {path.name}")
