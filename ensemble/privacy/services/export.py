"""Everything about a person, as a zip of JSON files (one per kind) and their invoices' PDFs."""

import io
import json
import logging
import zipfile

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.models import Office

from ..errors import PrivacyError
from ..registry import Entry, entries
from ..subject import Subject, find_subject

logger = logging.getLogger(__name__)


def rows_of(entry: Entry, subject: Subject) -> QuerySet:
    return apps.get_model(entry.model)._default_manager.filter(entry.rows(subject)).distinct()


def held_counts(office: Office, *, email: str) -> list[tuple[str, int]]:
    """(label, number of rows) per kind of data held about the person, the empty kinds left out."""
    subject = find_subject(office, email)
    counts = [(str(entry.label), rows_of(entry, subject).count()) for entry in entries()]
    return [(label, count) for label, count in counts if count]


def export_person(office: Office, *, email: str, actor: User) -> bytes:
    """The zip handed to the person (RGPD art. 15 and 20). Read only, but logged."""
    subject = find_subject(office, email)
    if subject.is_empty:
        raise PrivacyError(_("Aucune personne n'a cette adresse e-mail dans l'office."), field="email")
    buffer = io.BytesIO()
    manifest = {"office": office.name, "email": subject.email, "exported_at": timezone.now(), "files": []}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in entries():
            if not entry.kind or not entry.export:
                continue
            values = list(rows_of(entry, subject).values(*entry.export))
            if values:
                archive.writestr(f"{entry.kind}.json", _dumps(values))
                manifest["files"].append({"file": f"{entry.kind}.json", "label": str(entry.label)})
        for name, content in _invoice_files(subject):
            archive.writestr(name, content)
            manifest["files"].append({"file": name, "label": "PDF"})
        archive.writestr("index.json", _dumps(manifest))
    audit.record(
        "privacy.person_exported", actor=actor, office=office, data={"files": len(manifest["files"])}
    )
    return buffer.getvalue()


def _dumps(value) -> str:
    # DjangoJSONEncoder: dates in ISO 8601, Decimal as strings (no float near money).
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _invoice_files(subject: Subject):
    """The PDFs of the invoices of the organisations the person stands for (owner or primary
    contact): for a sole trader, the invoices are about the person."""
    document_model = apps.get_model("billing", "InvoiceDocument")
    documents = document_model.objects.filter(
        invoice__office=subject.office, invoice__organisation_id__in=subject.represented_organisation_ids
    ).select_related("invoice")
    for document in documents:
        try:
            with document.file.open("rb") as handle:
                yield f"factures/{document.invoice.number}.pdf", handle.read()
        except (OSError, ValueError):
            logger.warning("Invoice PDF %s missing from the export", document.pk)
