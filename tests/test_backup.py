"""Backup → wipe → restore (issue 11, item 3), through the real commands in subprocesses.

Each side is a whole deployment in its own ENSEMBLE_VAR_DIR (database file or DATABASE_URL,
private and media folders). The states are read here independently of the code under test:
every table's row count straight from the database, every file's SHA-256 from the disk.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from ensemble.core.backup import ARCHIVE_PATTERN, prune

from .needs import unavailable

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"

SEED = """
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from ensemble.core.models import Office
from ensemble.directory.models import Organisation
office = Office.objects.create(slug="sauvegarde", name="Office de la sauvegarde")
for i in range(3):
    Organisation.objects.create(
        office=office, name=f"Hôtel {i}", address="1 rue", postcode="62500", city="Arques"
    )
storages["private"].save("invoices/2026/FA-2026-00001.pdf", ContentFile(b"%PDF-1.4 facture"))
storages["private"].save("guide/guide.pdf", ContentFile(b"%PDF-1.4 guide" * 1000))
storages["default"].save("listings/photo.jpg", ContentFile(bytes(range(256)) * 40))
"""


def manage(var_dir: Path, *args: str, database_url: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "ENSEMBLE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "ensemble.settings.dev"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True, timeout=300
    )


def ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def file_hashes(var_dir: Path) -> dict[str, str]:
    return {
        str(path.relative_to(var_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in ("private", "media")
        for path in sorted((var_dir / folder).rglob("*"))
        if path.is_file()
    }


def sqlite_counts(db: Path) -> dict[str, int]:
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608


def archive_in(folder: Path) -> Path:
    (archive,) = [p for p in folder.iterdir() if ARCHIVE_PATTERN.match(p.name)]
    return archive


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory):
    """A migrated, seeded SQLite deployment, a copy of it as freshly migrated, and its backup."""
    var = tmp_path_factory.mktemp("source")
    ok(manage(var, "migrate", "-v0"))
    migrated = tmp_path_factory.mktemp("migrated") / "ensemble.db"
    with sqlite3.connect(var / "ensemble.db") as live, sqlite3.connect(migrated) as copy:
        live.backup(copy)
    ok(manage(var, "shell", "-c", SEED))
    backups = tmp_path_factory.mktemp("backups")
    ok(manage(var, "backup", "--to", str(backups)))
    return var, migrated, archive_in(backups)


def assert_same_deployment(source: Path, target: Path) -> None:
    counts = sqlite_counts(source / "ensemble.db")
    assert counts["core_office"] == 1 and counts["directory_organisation"] == 3
    assert sqlite_counts(target / "ensemble.db") == counts
    hashes = file_hashes(source)
    assert len(hashes) == 3
    assert file_hashes(target) == hashes


def test_sqlite_backup_wipe_restore_gives_equal_rows_and_files(sqlite_source, tmp_path):
    source, _, archive = sqlite_source
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "database.sqlite3", "private/invoices/2026/FA-2026-00001.pdf"} <= names

    done = ok(manage(tmp_path, "restore", str(archive)))

    assert "all equal to the manifest" in done.stdout
    assert_same_deployment(source, tmp_path)


def test_restore_into_a_freshly_migrated_database(sqlite_source, tmp_path):
    """`migrate` fills content types and permissions: that database still counts as empty."""
    source, migrated, archive = sqlite_source
    shutil.copy(migrated, tmp_path / "ensemble.db")

    ok(manage(tmp_path, "restore", str(archive)))

    assert_same_deployment(source, tmp_path)


def nothing_loaded(var_dir: Path) -> bool:
    return not sqlite_counts(var_dir / "ensemble.db").get("core_office") and not file_hashes(var_dir)


def test_tampered_archive_is_refused_and_nothing_loaded(sqlite_source, tmp_path):
    _, _, archive = sqlite_source
    tampered = tmp_path / "tampered.tar"
    shutil.copy(archive, tampered)
    with tarfile.open(tampered) as tar:
        offset = tar.getmember("media/listings/photo.jpg").offset_data
    with tampered.open("r+b") as stream:
        stream.seek(offset + 100)
        byte = stream.read(1)
        stream.seek(offset + 100)
        stream.write(bytes([byte[0] ^ 0xFF]))
    target = tmp_path / "target"

    done = manage(target, "restore", str(tampered))

    assert done.returncode == 1
    assert "media/listings/photo.jpg" in done.stderr and "SHA-256" in done.stderr
    assert nothing_loaded(target)


def test_truncated_archive_is_refused_and_nothing_loaded(sqlite_source, tmp_path):
    _, _, archive = sqlite_source
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = tmp_path / "target"

    done = manage(target, "restore", str(truncated))

    assert done.returncode == 1
    assert "Archive refusée" in done.stderr
    assert nothing_loaded(target)


def test_restore_into_a_database_with_data_is_refused(sqlite_source):
    source, _, archive = sqlite_source
    before = sqlite_counts(source / "ensemble.db"), file_hashes(source)

    done = manage(source, "restore", str(archive))

    assert done.returncode == 1
    assert "la base n'est pas vide" in done.stderr
    assert (sqlite_counts(source / "ensemble.db"), file_hashes(source)) == before


def test_restore_into_empty_database_but_filled_folders_is_refused(sqlite_source, tmp_path):
    _, _, archive = sqlite_source
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "stray.jpg").write_bytes(b"x")

    done = manage(tmp_path, "restore", str(archive))

    assert done.returncode == 1
    assert "contient déjà des fichiers" in done.stderr
    assert not sqlite_counts(tmp_path / "ensemble.db").get("core_office")


def test_prune_keeps_the_newest_of_our_archives_only(tmp_path):
    ours = [f"ensemble-2026010{day}T020000Z.tar" for day in range(1, 6)]
    others = ["notes.txt", "ensemble-manual.tar", ".ensemble-20260106T020000Z.tar.partial"]
    for name in ours + others:
        (tmp_path / name).write_bytes(b"")

    pruned = prune(tmp_path, 2)

    assert sorted(p.name for p in pruned) == ours[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(others + ours[3:])


# --- PostgreSQL -----------------------------------------------------------------------------------


def pg_counts(name: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(PG + name) as conn:
        tables = [
            n
            for (n,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in tables}  # noqa: S608


def pg(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run([*command, "-h", "127.0.0.1", "-U", "postgres"], capture_output=True, text=True)  # noqa: S603


@pytest.mark.postgres
def test_postgresql_backup_wipe_restore_gives_equal_rows_and_files(tmp_path):
    if not shutil.which("pg_dump") or pg("psql", "-c", "SELECT 1").returncode:
        unavailable("PostgreSQL (127.0.0.1:5432) or pg_dump not available")
    src, dst = f"ensemble_backup_src_{os.getpid()}", f"ensemble_backup_dst_{os.getpid()}"
    source, target, backups = tmp_path / "source", tmp_path / "target", tmp_path / "backups"
    ok(pg("createdb", src))
    ok(pg("createdb", dst))
    try:
        ok(manage(source, "migrate", "-v0", database_url=PG + src))
        ok(manage(source, "shell", "-c", SEED, database_url=PG + src))
        ok(manage(source, "backup", "--to", str(backups), database_url=PG + src))
        archive = archive_in(backups)

        # The other vendor's archive is refused before anything is loaded.
        refused = manage(tmp_path / "sqlite", "restore", str(archive))
        assert refused.returncode == 1 and "base postgresql" in refused.stderr

        ok(manage(target, "restore", str(archive), database_url=PG + dst))

        counts = pg_counts(src)
        assert counts["core_office"] == 1 and counts["directory_organisation"] == 3
        assert pg_counts(dst) == counts
        assert len(file_hashes(source)) == 3
        assert file_hashes(target) == file_hashes(source)

        # Restoring again into the now filled database is refused.
        again = manage(target, "restore", str(archive), database_url=PG + dst)
        assert again.returncode == 1 and "la base n'est pas vide" in again.stderr
    finally:
        pg("dropdb", "--if-exists", src)
        pg("dropdb", "--if-exists", dst)
