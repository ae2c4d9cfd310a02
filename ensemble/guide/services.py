"""Asking for an edition of the print guide, and rendering it (the background task's body).

The guide is an office-level document: its audit entries carry no organisation. A request writes
`guide.requested`; a render writes `guide.rendered` or `guide.render_failed` (no actor: the task).

Rendering is safe to run twice: it starts only from `queued`, under the edition's row lock, so a
second run of the same task (or a run after the edition is done) does nothing. The PDF is rendered
whole in memory and stored before the row points at it; a failure marks the edition `failed`
with its error and stores no file.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.audit import acting_user
from ensemble.core.models import Office
from ensemble.core.transactions import enqueue_on_commit
from ensemble.directory.models import Category

from . import pdf as guide_pdf
from .errors import GuideError
from .models import GuideEdition
from .selectors import guide_listings, plan_guide
from .tasks import render_guide_task

logger = logging.getLogger(__name__)

# A render that has not moved for this long is taken as dead (its worker stopped).
STALE_AFTER = datetime.timedelta(hours=2)
ERROR_LENGTH = 1000
BUSY = gettext_lazy("Un guide est déjà en préparation : attendez qu'il soit prêt pour en demander un autre.")

audit.register_actions(
    {
        "guide.requested": gettext_lazy("Guide papier « %(target)s » demandé (%(paper)s)"),
        "guide.rendered": gettext_lazy("Guide papier « %(target)s » prêt (%(total)s fiches)"),
        "guide.render_failed": gettext_lazy("Échec du rendu du guide papier « %(target)s » : %(error)s"),
    }
)


def _check_request(office: Office, *, language: str, title: str, categories: list[Category]) -> str:
    if language not in GuideEdition.Language.values:
        raise GuideError(
            _("Langue inconnue : choisissez le français, l'anglais ou le néerlandais."), field="language"
        )
    title = " ".join((title or "").split())
    if not title:
        raise GuideError(_("Le titre est obligatoire."), field="title")
    if len(title) > 200:
        raise GuideError(_("Le titre ne peut dépasser 200 caractères."), field="title")
    if any(category.office_id != office.pk for category in categories):
        raise GuideError(_("Catégorie inconnue."), field="categories")
    if not guide_listings(office, categories).exists():
        raise GuideError(
            _("Aucune fiche publiée dans ces catégories : le guide serait vide."), field="categories"
        )
    return title


def _fail_stale(office: Office) -> None:
    GuideEdition.objects.filter(
        office=office, status=GuideEdition.Status.RUNNING, updated_at__lt=timezone.now() - STALE_AFTER
    ).update(
        status=GuideEdition.Status.FAILED,
        error="Préparation interrompue (le traitement s'est arrêté).",
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


@transaction.atomic
def request_guide(
    office: Office,
    *,
    language: str,
    title: str,
    categories: Iterable[Category] = (),
    paper: str = GuideEdition.Paper.A5,
    actor: User | None,
) -> GuideEdition:
    """Queue an edition of the guide; it is rendered in the background after commit."""
    categories = list(categories)
    title = _check_request(office, language=language, title=title, categories=categories)
    if paper not in GuideEdition.Paper.values:
        raise GuideError(_("Format inconnu : A5 ou A4."), field="paper")
    _fail_stale(office)
    if GuideEdition.objects.filter(office=office, status__in=GuideEdition.IN_PROGRESS).exists():
        raise GuideError(str(BUSY))
    try:
        with transaction.atomic():  # two requests at once: the partial unique constraint decides
            edition = GuideEdition.objects.create(
                office=office,
                language=language,
                title=title,
                paper=paper,
                created_by=acting_user(actor),
            )
    except IntegrityError:
        raise GuideError(str(BUSY)) from None
    edition.categories.set(categories)
    audit.record(
        "guide.requested",
        actor=actor,
        office=office,
        target=edition,
        data={"language": language, "paper": paper, "categories": sorted(c.pk for c in categories)},
    )
    enqueue_on_commit(render_guide_task, edition.pk, office=edition.office_id)
    return edition


# ---- rendering (the task) ------------------------------------------------------------------


@transaction.atomic
def _start(edition_id: int) -> GuideEdition | None:
    """Take a queued edition (under its row lock); None if it is not queued any more. An edition
    left « en préparation » with no progress for a whole task lease was abandoned by a worker
    that died (the worker hands its task to another): it is taken again from the start."""
    edition = (
        GuideEdition.objects.select_for_update(of=("self",))
        .select_related("office")
        .filter(pk=edition_id)
        .first()
    )
    if edition is None or not (edition.status == GuideEdition.Status.QUEUED or _abandoned(edition)):
        return None
    edition.status = GuideEdition.Status.RUNNING
    edition.progress = 0
    edition.started_at = timezone.now()
    edition.save(update_fields=["status", "progress", "started_at", "updated_at"])
    return edition


def _abandoned(edition: GuideEdition) -> bool:
    stalled_since = timezone.now() - datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    return edition.status == GuideEdition.Status.RUNNING and edition.updated_at < stalled_since


def _record_progress(edition: GuideEdition, percent: int, **fields) -> None:
    """Committed at once (no transaction around the render), so the page sees it."""
    GuideEdition.objects.filter(pk=edition.pk, status=GuideEdition.Status.RUNNING).update(
        progress=max(0, min(percent, 99)), updated_at=timezone.now(), **fields
    )


def _storage():
    """The private storage, as the field holds it (the download view reads from it)."""
    return GuideEdition._meta.get_field("pdf").storage


def pdf_name(edition: GuideEdition) -> str:
    slug = slugify(edition.title)[:80] or "guide"
    return f"guides/{edition.office.slug}/{edition.pk}-{slug}-{edition.language}.pdf"


@transaction.atomic
def _finish(edition: GuideEdition, content: bytes) -> bool:
    """Store the whole PDF, then point the edition at it (under its row lock)."""
    locked = GuideEdition.objects.select_for_update(of=("self",)).get(pk=edition.pk)
    if locked.status != GuideEdition.Status.RUNNING:
        return False
    name = _storage().save(pdf_name(edition), ContentFile(content))
    try:
        locked.pdf = name
        locked.status = GuideEdition.Status.DONE
        locked.progress = 100
        locked.error = ""
        locked.finished_at = timezone.now()
        locked.save(update_fields=["pdf", "status", "progress", "error", "finished_at", "updated_at"])
        audit.record(
            "guide.rendered",
            actor=None,
            office=edition.office,
            target=locked,
            data={"language": locked.language, "total": locked.total},
        )
    except Exception:
        _storage().delete(name)
        raise
    return True


@transaction.atomic
def _fail(edition: GuideEdition, error: Exception) -> None:
    message = f"Le rendu du guide a échoué : {type(error).__name__}: {error}"[:ERROR_LENGTH]
    failed = GuideEdition.objects.filter(pk=edition.pk, status=GuideEdition.Status.RUNNING).update(
        status=GuideEdition.Status.FAILED,
        error=message,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if failed:  # a second run of the same task changes nothing, and logs nothing
        audit.record(
            "guide.render_failed",
            actor=None,
            office=edition.office,
            target=edition,
            data={"error": type(error).__name__},
        )


def render_guide(edition_id: int) -> str:
    """Render a queued edition's PDF and store it; returns the edition's final status.

    Runs outside a transaction on purpose: each progress step commits on its own. Any failure
    is recorded on the edition (status failed, error) and logged; no file is left behind."""
    edition = _start(edition_id)
    if edition is None:
        return "skipped"
    try:
        plan = plan_guide(
            edition.office, language=edition.language, categories=list(edition.categories.all())
        )
        _record_progress(edition, guide_pdf.PLANNED, total=plan.total)
        content = guide_pdf.render_guide_pdf(
            edition, plan, progress=lambda percent: _record_progress(edition, percent)
        )
        _finish(edition, content)
    except Exception as error:
        logger.exception("Guide %s (%s) failed", edition.pk, edition.office.slug)
        _fail(edition, error)
    return GuideEdition.objects.values_list("status", flat=True).get(pk=edition.pk)
