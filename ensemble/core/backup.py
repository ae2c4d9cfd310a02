"""Backups that restore: one tar archive per run, checked file by file before anything is loaded.

Archive layout (uncompressed tar: the dump is already compressed, photos and PDFs barely shrink):
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite's online
  backup API: a consistent copy even while the site writes, never a copy of the live file);
- `private/…` (the `private` storage) and `media/…` (the public `default` storage);
- `manifest.json`, written last: format version, creation time, database vendor, the row count of
  every table as the dump holds it, and the SHA-256 and size of every other member.

Row counts are taken from the same state as the dump: on PostgreSQL inside a REPEATABLE READ
transaction whose snapshot `pg_dump --snapshot` reuses; on SQLite from the backup copy itself.
Restore extracts into a staging folder while hashing, and loads nothing unless every member matches
the manifest, the vendor is the current one and the database and storage folders are empty.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 — pg_dump / pg_restore, with argument lists, never a shell
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, transaction
from django.utils import timezone

from . import page_cache
from .errors import EnsembleError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARCHIVE_PATTERN = re.compile(r"^ensemble-\d{8}T\d{6}Z\.tar$")
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Storage alias → folder inside the archive.
STORAGE_FOLDERS = {"private": "private", "default": "media"}
# Tables that `migrate` fills by itself: a freshly migrated database is still "empty".
FILLED_BY_MIGRATE = {"django_migrations", "django_content_type", "auth_permission", "django_site"}
CHUNK = 1024 * 1024


class BackupError(EnsembleError):
    pass


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    pruned: list[Path] = field(default_factory=list)
    skipped_storages: list[str] = field(default_factory=list)


# --- Helpers --------------------------------------------------------------------------------------


def local_storage_roots() -> tuple[dict[str, Path], list[str]]:
    """Archive folder → local root of each storage we back up; the aliases left out (a bucket
    keeps its own versioned copies, outside this archive)."""
    roots, skipped = {}, []
    for alias, folder in STORAGE_FOLDERS.items():
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            roots[folder] = Path(storage.location)
        else:
            skipped.append(alias)
    return roots, skipped


def iter_files(root: Path):
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class HashingReader:
    """Reads a file for tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def add_file(archive: tarfile.TarFile, path: Path, arcname: str) -> dict:
    with path.open("rb") as stream:
        info = archive.gettarinfo(fileobj=stream, arcname=arcname)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = HashingReader(stream)
        archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def pg_environment() -> dict[str, str]:
    """libpq's variables from DATABASES['default']: no password on a command line."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    return env


def count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'  # the same quoting on SQLite and PostgreSQL
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 — introspected names, quoted
        counts[table] = cursor.fetchone()[0]
    return counts


def sqlite_tables(conn) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return sorted(name for (name,) in rows)


def current_row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor, include_views=False))
        return count_rows(cursor, tables)


# --- Backup ---------------------------------------------------------------------------------------


def dump_database(target: Path) -> dict[str, int]:
    """Write the dump to `target`; return the row count of every table it holds."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            return count_rows(copy.cursor(), sqlite_tables(copy))
        finally:
            copy.close()
    if connection.vendor != "postgresql":
        raise BackupError(f"Sauvegarde impossible : base {connection.vendor} non prise en charge.")
    with transaction.atomic(), connection.cursor() as cursor:
        # The counts and pg_dump read the same snapshot, so the manifest matches the dump exactly.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = current_row_counts()
        command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"]
        done = subprocess.run(command, env=pg_environment(), capture_output=True, text=True)  # noqa: S603
        if done.returncode:
            raise BackupError(f"pg_dump a échoué : {done.stderr.strip()}")
    return counts


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete our archives beyond the `keep` newest (names sort by time); nothing else."""
    ours = sorted(p for p in folder.iterdir() if p.is_file() and ARCHIVE_PATTERN.match(p.name))
    old = ours[: max(len(ours) - keep, 0)]
    for path in old:
        path.unlink()
    return old


def create_backup(folder: Path, *, keep: int | None = None) -> BackupResult:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    final = folder / f"ensemble-{now:%Y%m%dT%H%M%SZ}.tar"
    if final.exists():
        raise BackupError(f"L'archive {final.name} existe déjà : relancez dans une seconde.")
    roots, skipped = local_storage_roots()
    dump_name = DUMP_NAMES.get(connection.vendor, "database")
    partial = folder / f".{final.name}.partial"  # renamed only once complete: no half archive kept
    try:
        with tempfile.TemporaryDirectory(dir=folder) as staging:
            dump = Path(staging) / dump_name
            counts = dump_database(dump)
            files = {}
            with tarfile.open(partial, "w") as archive:
                files[dump_name] = add_file(archive, dump, dump_name)
                for prefix, root in roots.items():
                    for path in iter_files(root):
                        name = f"{prefix}/{path.relative_to(root).as_posix()}"
                        files[name] = add_file(archive, path, name)
                manifest = {
                    "format": FORMAT_VERSION,
                    "created": now.isoformat(),
                    "vendor": connection.vendor,
                    "database": dump_name,
                    "tables": counts,
                    "files": files,
                    "skipped_storages": skipped,
                }
                data = Path(staging) / MANIFEST
                data.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
                add_file(archive, data, MANIFEST)
        with partial.open("rb") as stream:
            os.fsync(stream.fileno())
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    pruned = prune(folder, settings.BACKUP_KEEP if keep is None else keep)
    return BackupResult(final, manifest, pruned, skipped)


# --- Restore --------------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.load(archive.extractfile(member))
    except (KeyError, AttributeError, ValueError) as exc:
        raise BackupError("Archive refusée : manifest.json absent ou illisible.") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Archive refusée : format {manifest.get('format')!r} inconnu.")
    return manifest


def safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and bool(path.parts)


def extract_verified(archive: tarfile.TarFile, manifest: dict, staging: Path) -> None:
    """Extract every member into `staging`, hashing as it goes; refuse on any difference."""
    expected = manifest.get("files", {})
    seen = set()
    for member in archive:
        if member.name == MANIFEST:
            continue
        if not member.isfile() or not safe_name(member.name) or member.name not in expected:
            raise BackupError(f"Archive refusée : élément inattendu « {member.name} ».")
        target = staging / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with archive.extractfile(member) as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected[member.name]["sha256"]:
            raise BackupError(
                f"Archive refusée : « {member.name} » ne correspond pas au manifeste (SHA-256)."
            )
        seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"Archive refusée : {len(missing)} fichier(s) manquant(s), dont « {missing[0]} ».")


def refuse_unless_empty(roots: dict[str, Path]) -> None:
    filled = sorted(t for t, n in current_row_counts().items() if n and t not in FILLED_BY_MIGRATE)
    if filled:
        raise BackupError(
            f"Restauration refusée : la base n'est pas vide ({len(filled)} table(s) avec des lignes, "
            f"dont {filled[0]}). Restaurez dans une base neuve."
        )
    for root in roots.values():
        if next(iter_files(root), None):
            raise BackupError(f"Restauration refusée : le dossier {root} contient déjà des fichiers.")


def load_database(dump: Path) -> None:
    if connection.vendor == "sqlite":
        # The backup API writes through SQLite's own locking and WAL: safer than copying the file
        # over one that Django (or a -wal file) still holds.
        connection.close()
        source, target = sqlite3.connect(dump), sqlite3.connect(settings.DATABASES["default"]["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    connection.close()
    # --clean --if-exists drops the empty tables of a migrated database before recreating them;
    # --single-transaction: a failure leaves the database as it was.
    command = ["pg_restore", "--no-owner", "--no-privileges", "--clean", "--if-exists"]
    command += [
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={settings.DATABASES['default']['NAME']}",
    ]
    done = subprocess.run([*command, str(dump)], env=pg_environment(), capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise BackupError(f"pg_restore a échoué, rien n'a été chargé : {done.stderr.strip()}")


def move_files(staging: Path, roots: dict[str, Path]) -> None:
    for prefix, root in roots.items():
        for path in iter_files(staging / prefix):
            target = root / path.relative_to(staging / prefix)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)


def check_restored(manifest: dict, roots: dict[str, Path]) -> list[str]:
    """What differs from the manifest after loading (empty when all is equal)."""
    problems = []
    counts = current_row_counts()
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"table {table} : {counts.get(table)} ligne(s), {expected} attendue(s)")
    for name, meta in manifest["files"].items():
        prefix, _, rest = name.partition("/")
        if prefix in roots:
            path = roots[prefix] / rest
            if not path.is_file() or sha256_of(path) != meta["sha256"]:
                problems.append(f"fichier {name} absent ou différent")
    return problems


def restore_backup(archive_path: Path) -> dict:
    """Verify the archive whole, refuse a non-empty target, then load; returns the manifest."""
    archive_path = Path(archive_path)
    roots, _ = local_storage_roots()
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        try:
            with tarfile.open(archive_path, "r:") as archive:
                manifest = read_manifest(archive)
                if manifest.get("vendor") != connection.vendor:
                    raise BackupError(
                        f"Archive refusée : elle vient d'une base {manifest.get('vendor')}, "
                        f"la base cible est {connection.vendor}."
                    )
                refuse_unless_empty(roots)
                extract_verified(archive, manifest, staging)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"Archive refusée : illisible ou tronquée ({exc}).") from exc
        load_database(staging / manifest["database"])
        move_files(staging, roots)
    problems = check_restored(manifest, roots)
    if problems:
        raise BackupError("Restauration chargée mais différente du manifeste : " + " ; ".join(problems[:10]))
    # A shared cache (Redis) may still hold pages keyed by versions from before: new ones for all.
    page_cache.invalidate_all_offices()
    return manifest
