"""An import run: every file read as one DATAtourisme object, each imported in its own
transaction (a bad file is skipped with its reason and never undoes the others), and the report
— object by object: what was imported, what was partial and why, what was skipped — saved as
an ImportRun. Also where the files come from: a directory (the command) or a zip (an upload).
"""

import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.audit import acting_user
from ensemble.core.errors import EnsembleError
from ensemble.core.models import Office
from ensemble.directory.models import Category

from ..errors import DatatourismeError
from ..importer import PlaceData, SkipObject, load_json, parse_object
from ..models import ClassMapping, ImportRun
from .events import import_event
from .places import import_place

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024  # the platform's objects weigh a few hundred kilobytes at most
MAX_REPORTED = 2000  # rows kept in a run's report; the counts stay exact
TOO_LARGE = f"fichier trop volumineux (plus de {MAX_FILE_BYTES // (1024 * 1024)} Mo)"

# One entry per import (the run and its counts); each place or event created or updated also
# has the entries of the directory, listings and events services that did it.
audit.register_actions(
    {
        "datatourisme.imported": gettext_lazy(
            "Import DATAtourisme : %(created)s créé(s), %(updated)s mis à jour, %(unchanged)s inchangé(s), "
            "%(skipped)s ignoré(s)"
        ),
        "datatourisme.class_mapped": gettext_lazy(
            "Classe DATAtourisme %(class)s : catégorie %(new)s (avant : %(old)s, par défaut : %(default)s)"
        ),
    }
)


@dataclass
class ImportReport:
    files: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skips: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    run: ImportRun | None = None

    @property
    def skipped(self) -> int:
        return len(self.skips)

    @property
    def partial(self) -> int:
        return sum(1 for row in self.rows if row["status"] in ("partial", "incomplete"))


def _status(place: PlaceData) -> str:
    if place.incomplete:
        return "incomplete"
    return "partial" if place.warnings else "complete"


def import_objects(
    office: Office,
    files: Iterable[tuple[str, bytes | SkipObject]],
    *,
    actor: User | None,
    source: str = ImportRun.Source.COMMAND,
) -> ImportReport:
    """Import each (file name, content) as one DATAtourisme object; the report is saved as an
    ImportRun. Not atomic as a whole: each object commits on its own. A content may be a
    SkipObject when the file could not be read (it is reported with its reason)."""
    report = ImportReport()
    run = ImportRun.objects.create(office=office, source=source, started_by=acting_user(actor))
    categories = {category.slug: category for category in Category.objects.filter(office=office)}
    mapping = dict(
        ClassMapping.objects.filter(office=office).values_list("datatourisme_class", "category__slug")
    )
    for name, content in files:
        report.files += 1
        try:
            place, outcome = _import_file(
                office, content, categories=categories, mapping=mapping, actor=actor, run=run
            )
        except SkipObject as skip:
            report.skips.append((name, skip.reason))
            report.rows.append(
                {"file": name, "outcome": "skipped", "status": "skipped", "reasons": [skip.reason]}
            )
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        reasons = place.incomplete + place.warnings
        report.warnings += [(name, reason) for reason in reasons]
        report.rows.append(
            {
                "file": name,
                "id": place.external_id,
                "name": place.name,
                "kind": "event" if place.is_event else "place",
                "category": place.category,
                "outcome": outcome,
                "status": _status(place),
                "reasons": reasons,
            }
        )
    report.run = _finish_run(run, report, actor=actor, source=source)
    return report


def _import_file(office: Office, content, *, categories: dict, mapping: dict, actor, run) -> tuple:
    if isinstance(content, SkipObject):  # the reader could not give this file
        raise content
    if len(content) > MAX_FILE_BYTES:
        raise SkipObject(TOO_LARGE)
    data = load_json(content)
    try:
        place = parse_object(data, mapping)
    except (TypeError, AttributeError, ValueError, KeyError) as exc:  # a shape no reader expects
        raise SkipObject(f"structure inattendue : {type(exc).__name__}") from None
    try:
        if place.is_event:
            outcome = import_event(office, place, actor=actor, run=run)
        else:
            category = categories.get(place.category)
            if category is None:
                raise SkipObject(f"catégorie « {place.category} » absente de l'office")
            outcome = import_place(office, place, category=category, actor=actor, run=run)
    except EnsembleError as exc:
        raise SkipObject(f"refusé : {exc.message}") from None
    except IntegrityError:
        raise SkipObject("conflit avec un import simultané : recommencez") from None
    return place, outcome


def _rows(pairs: list[tuple[str, str]], what: str) -> list[dict]:
    """The report's rows, at most MAX_REPORTED (a whole region's flux may skip thousands)."""
    rows = [{"file": name, "reason": reason} for name, reason in pairs[:MAX_REPORTED]]
    if len(pairs) > MAX_REPORTED:
        rows.append({"file": "…", "reason": f"et {len(pairs) - MAX_REPORTED} autre(s) {what}"})
    return rows


def _object_rows(rows: list[dict]) -> list[dict]:
    """Skipped and partial objects first (what staff must look at), then the complete ones."""
    order = {"skipped": 0, "incomplete": 1, "partial": 2, "complete": 3}
    ranked = sorted(rows, key=lambda row: order[row["status"]])
    kept = ranked[:MAX_REPORTED]
    if len(ranked) > MAX_REPORTED:
        kept.append(
            {
                "file": "…",
                "outcome": "",
                "status": "",
                "reasons": [f"et {len(ranked) - MAX_REPORTED} autre(s)"],
            }
        )
    return kept


@transaction.atomic
def _finish_run(run: ImportRun, report: ImportReport, *, actor, source: str) -> ImportRun:
    run.files, run.created, run.updated = report.files, report.created, report.updated
    run.unchanged, run.skipped = report.unchanged, report.skipped
    run.skips = _rows(report.skips, "fichier(s) ignoré(s)")
    run.warnings = _rows(report.warnings, "information(s) laissée(s) de côté")
    run.report = _object_rows(report.rows)
    run.finished_at = timezone.now()
    run.save()
    audit.record(
        "datatourisme.imported",
        actor=actor,
        office=run.office,
        target=run,
        data={
            "source": source,
            "files": report.files,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "skipped": report.skipped,
            "partial": report.partial,
        },
    )
    logger.info(
        "DATAtourisme import for %s: %s created, %s updated, %s unchanged, %s skipped, %s partial",
        run.office.slug,
        report.created,
        report.updated,
        report.unchanged,
        report.skipped,
        report.partial,
    )
    return run


# ---- where the files come from ----------------------------------------------------------------


def _ignored(name: str) -> bool:
    parts = Path(name).parts
    return not parts or any(part.startswith(".") or part == "__MACOSX" for part in parts)


def files_from_directory(directory: Path) -> Iterator[tuple[str, bytes]]:
    """Every .json/.jsonld file under `directory` (as the platform's archives unpack: objects/…),
    read one at a time."""
    for path in sorted(directory.rglob("*")):
        relative = str(path.relative_to(directory))
        if path.is_file() and path.suffix.lower() in (".json", ".jsonld") and not _ignored(relative):
            if path.stat().st_size > MAX_FILE_BYTES:
                yield relative, SkipObject(TOO_LARGE)
                continue
            yield relative, path.read_bytes()


def files_from_zip(
    data: bytes, *, max_files: int, max_total: int
) -> Iterator[tuple[str, bytes | SkipObject]]:
    """The files of a zip archive, each read with a size limit (a zip bomb stops at the limits).
    DatatourismeError, before anything is read, when it is not a zip or declares too much."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        raise DatatourismeError(_("Ce fichier n'est pas une archive zip lisible."), field="files") from None
    members = [info for info in archive.infolist() if not info.is_dir() and not _ignored(info.filename)]
    if len(members) > max_files:
        raise DatatourismeError(
            _(
                "L'archive contient %(count)s fichiers : %(max)s au plus par envoi. "
                "Pour un import complet, utilisez la commande import_datatourisme."
            )
            % {"count": len(members), "max": max_files},
            field="files",
        )
    if sum(info.file_size for info in members) > max_total:
        raise DatatourismeError(
            _("L'archive décompressée dépasse %(size)s Mo : découpez-la.")
            % {"size": max_total // (1024 * 1024)},
            field="files",
        )
    return _read_members(archive, members, max_total=max_total)


def _read_members(archive: zipfile.ZipFile, members: list, *, max_total: int):
    total = 0
    for info in members:
        if total > max_total or info.file_size > MAX_FILE_BYTES:
            yield info.filename, SkipObject(TOO_LARGE)
            continue
        try:
            with archive.open(info) as member:
                content = member.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            yield info.filename, SkipObject("fichier illisible dans l'archive")
            continue
        total += len(content)
        yield info.filename, content
