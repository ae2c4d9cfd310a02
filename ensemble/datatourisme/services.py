"""Importing DATAtourisme objects into an office's directory as places the office publishes
(non-partners): an organisation for the data's owner, an establishment in the category the
object's classes map to, and its listing, through the directory and listings services (so the
versions, the audit log and the search fields are kept as for any edit).

Idempotent: a listing remembers the object's @id (`Listing.source = "datatourisme"`,
`external_id`); importing the object again updates that listing, and an object whose content is
already the listing's is counted as unchanged. Each object is imported in its own transaction: a
bad file is skipped with its reason and never undoes the others.
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
from ensemble.directory import services as directory_services
from ensemble.directory.models import Category, Organisation
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing

from .importer import LANGS, OwnerData, PlaceData, SkipObject, load_json, parse_object
from .models import ImportedOwner, ImportRun
from .vocabulary import SOURCE

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024  # the platform's objects weigh a few hundred kilobytes at most
MAX_REPORTED = 2000  # rows kept in a run's report; the counts stay exact
TOO_LARGE = f"fichier trop volumineux (plus de {MAX_FILE_BYTES // (1024 * 1024)} Mo)"
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class DatatourismeError(EnsembleError):
    pass


# One entry per import (the run and its counts); each place created or updated also has the
# entries of the directory and listings services that did it.
audit.register_actions(
    {
        "datatourisme.imported": gettext_lazy(
            "Import DATAtourisme : %(created)s créé(s), %(updated)s mis à jour, %(unchanged)s inchangé(s), "
            "%(skipped)s ignoré(s)"
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
    run: ImportRun | None = None

    @property
    def skipped(self) -> int:
        return len(self.skips)


# ---- the import ------------------------------------------------------------------------------


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
    categories = {category.slug: category for category in Category.objects.filter(office=office)}
    for name, content in files:
        report.files += 1
        try:
            outcome, warnings = _import_file(office, content, categories=categories, actor=actor)
        except SkipObject as skip:
            report.skips.append((name, skip.reason))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        report.warnings += [(name, warning) for warning in warnings]
    report.run = _save_run(office, report, actor=actor, source=source)
    return report


def _import_file(office: Office, content, *, categories: dict, actor) -> tuple[str, list[str]]:
    if isinstance(content, SkipObject):  # the reader could not give this file
        raise content
    if len(content) > MAX_FILE_BYTES:
        raise SkipObject(TOO_LARGE)
    data = load_json(content)
    try:
        place = parse_object(data)
    except (TypeError, AttributeError, ValueError, KeyError) as exc:  # a shape no reader expects
        raise SkipObject(f"structure inattendue : {type(exc).__name__}") from None
    category = categories.get(place.category)
    if category is None:
        raise SkipObject(f"catégorie « {place.category} » absente de l'office")
    try:
        outcome = import_place(office, place, category=category, actor=actor)
    except EnsembleError as exc:
        raise SkipObject(f"refusé : {exc.message}") from None
    except IntegrityError:
        raise SkipObject("conflit avec un import simultané : recommencez") from None
    return outcome, place.warnings


@transaction.atomic
def import_place(office: Office, place: PlaceData, *, category: Category, actor: User | None) -> str:
    """Create or update the office place of one object; CREATED, UPDATED or UNCHANGED."""
    if category.office_id != office.pk:
        raise DatatourismeError(_("Choisissez une catégorie de l'office."))
    listing = (
        Listing.objects.select_for_update(of=("self",))
        .select_related("establishment__organisation")
        .filter(office=office, source=SOURCE, external_id=place.external_id)
        .first()
    )
    if listing is None:
        _create(office, place, category=category, actor=actor)
        return CREATED
    establishment = listing.establishment
    located = {"category": category, "latitude": place.latitude, "longitude": place.longitude}
    moved = {key: value for key, value in located.items() if getattr(establishment, key) != value}
    if moved:
        directory_services.save_establishment(
            establishment.organisation, establishment=establishment, actor=actor, **moved
        )
    version = listing_services.edit_listing(listing, changes=_content(place), actor=actor)
    return UPDATED if moved or version else UNCHANGED


def _create(office: Office, place: PlaceData, *, category: Category, actor) -> Listing:
    establishment = directory_services.save_establishment(
        _owner_organisation(office, place.owner, actor=actor),
        actor=actor,
        name=place.name,
        category=category,
        address=place.address,
        postcode=place.postcode,
        city=place.city,
        latitude=place.latitude,
        longitude=place.longitude,
    )
    listing = listing_services.ensure_listing(establishment)
    listing = listing_services.set_external_source(listing, source=SOURCE, external_id=place.external_id)
    listing = listing_services.mark_office_place(listing, is_office_place=True, actor=actor)
    listing_services.edit_listing(listing, changes=_content(place), actor=actor)
    return listing


def _content(place: PlaceData) -> dict:
    """The listing's fields, as the listings services take them (the field registry's keys)."""
    content = {
        "name": place.name,
        "address": place.address,
        "postcode": place.postcode,
        "city": place.city,
        "phone": place.phone,
        "email": place.email,
        "website": place.website,
        "booking_url": place.booking_url,
        "prices": place.prices,
    }
    for lang in LANGS:
        content[f"short_description_{lang}"] = place.short_description.get(lang, "")
        content[f"long_description_{lang}"] = place.long_description.get(lang, "")
    return content


def _owner_organisation(office: Office, owner: OwnerData, *, actor) -> Organisation:
    known = ImportedOwner.objects.filter(office=office, key=owner.key).select_related("organisation").first()
    if known is not None:
        return known.organisation
    organisation = directory_services.create_organisation(
        office,
        actor=actor,
        name=owner.name,
        address=owner.address,
        postcode=owner.postcode,
        city=owner.city,
    )
    ImportedOwner.objects.create(office=office, key=owner.key, organisation=organisation)
    return organisation


def _rows(pairs: list[tuple[str, str]], what: str) -> list[dict]:
    """The report's rows, at most MAX_REPORTED (a whole region's flux may skip thousands)."""
    rows = [{"file": name, "reason": reason} for name, reason in pairs[:MAX_REPORTED]]
    if len(pairs) > MAX_REPORTED:
        rows.append({"file": "…", "reason": f"et {len(pairs) - MAX_REPORTED} autre(s) {what}"})
    return rows


@transaction.atomic
def _save_run(office: Office, report: ImportReport, *, actor, source: str) -> ImportRun:
    run = ImportRun.objects.create(
        office=office,
        source=source,
        started_by=acting_user(actor),
        files=report.files,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=report.skipped,
        skips=_rows(report.skips, "fichier(s) ignoré(s)"),
        warnings=_rows(report.warnings, "information(s) laissée(s) de côté"),
        finished_at=timezone.now(),
    )
    audit.record(
        "datatourisme.imported",
        actor=actor,
        office=office,
        target=run,
        data={
            "source": source,
            "files": report.files,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "skipped": report.skipped,
        },
    )
    logger.info(
        "DATAtourisme import for %s: %s created, %s updated, %s unchanged, %s skipped",
        office.slug,
        report.created,
        report.updated,
        report.unchanged,
        report.skipped,
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
