"""Update campaigns: draft, launch (a target and an e-mail per listing), remind at the office's
offsets, flag after the deadline, unpublish after the grace period (CGV art. 2), close.

The daily jobs (`send_due_reminders`, `flag_overdue`) are safe to run twice: a reminder is the
unique (target, offset) row written with its e-mail, flagging only touches unflagged targets.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.models import Office
from ensemble.core.transactions import lock
from ensemble.directory import services as directory_services
from ensemble.directory.models import Category
from ensemble.listings import services as listing_services
from ensemble.listings.fields import plain_text
from ensemble.listings.models import Listing

from . import selectors
from .errors import CampaignError
from .models import CampaignReminder, CampaignTarget, UpdateCampaign
from .tokens import target_token

__all__ = ["CampaignError"]

audit.register_actions(
    {
        "campaign.created": gettext_lazy(
            "Campagne de mise à jour %(target)s créée (date limite : %(deadline)s)"
        ),
        "campaign.updated": gettext_lazy("Campagne de mise à jour %(target)s modifiée (%(fields)s)"),
        "campaign.launched": gettext_lazy(
            "Campagne de mise à jour %(target)s lancée : %(targets)s fiche(s) sollicitée(s)"
        ),
        "campaign.reminder_sent": gettext_lazy("Rappel à J+%(offset)s de la campagne : %(target)s"),
        "campaign.target_flagged": gettext_lazy(
            "Fiche non confirmée à la date limite (%(deadline)s) : %(target)s ; elle peut être retirée "
            "des supports à partir du %(unpublish_from)s (CGV art. 2)"
        ),
        "campaign.closed": gettext_lazy("Campagne de mise à jour %(target)s close"),
    }
)

S = UpdateCampaign.Status
MAX_TITLE = 200
MAX_MESSAGE = 4000
MAX_GRACE_DAYS = 365
MAX_REMINDERS = 10
REFUSALS = {
    "launch": {
        S.LAUNCHED: gettext_lazy("Cette campagne est déjà lancée."),
        S.CLOSED: gettext_lazy("Cette campagne est close : elle ne peut plus être lancée."),
    },
    "update": {
        S.LAUNCHED: gettext_lazy(
            "Une campagne lancée ne se modifie plus : les partenaires ont reçu ses dates."
        ),
        S.CLOSED: gettext_lazy("Cette campagne est close : elle ne se modifie plus."),
    },
    "unpublish": {
        S.DRAFT: gettext_lazy("Cette campagne n'est pas encore lancée : aucune fiche ne peut être retirée."),
        S.CLOSED: gettext_lazy("Cette campagne est close : ses fiches ne se retirent plus."),
    },
    "close": {S.CLOSED: gettext_lazy("Cette campagne est déjà close.")},
}


def _require(campaign: UpdateCampaign, action: str) -> None:
    message = REFUSALS[action].get(campaign.status)
    if message:
        raise CampaignError(str(message), code=f"not_{action}able")


def _record(action: str, campaign: UpdateCampaign, *, actor: User | None, **data: Any) -> None:
    audit.record(action, actor=actor, office=campaign.office, target=campaign, data=data)


def _fr(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# ---- drafting ------------------------------------------------------------------------------


def _clean_offsets(offsets: Any, *, last_day: datetime.date, today: datetime.date) -> list[int]:
    """Positive whole days, each once, at most MAX_REMINDERS, none after the grace period
    (counted from `today`, the earliest launch day); returned sorted."""
    field = "reminder_offsets"
    values = list(offsets or [])
    if len(values) > MAX_REMINDERS:
        raise CampaignError(_("%(max)s rappels au plus.") % {"max": MAX_REMINDERS}, field=field)
    seen: set[int] = set()
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise CampaignError(
                _("Chaque rappel se compte en jours entiers après le lancement : 1 ou plus."), field=field
            )
        if value in seen:
            raise CampaignError(_("Le rappel à J+%(days)s figure deux fois.") % {"days": value}, field=field)
        seen.add(value)
        if today + datetime.timedelta(days=value) > last_day:
            raise CampaignError(
                _(
                    "Le rappel à J+%(days)s tomberait après la fin du délai de grâce (%(last_day)s) : "
                    "choisissez un nombre de jours plus petit."
                )
                % {"days": value, "last_day": _fr(last_day)},
                field=field,
            )
    return sorted(values)


def _clean_settings(office: Office, values: dict[str, Any], *, today: datetime.date) -> dict[str, Any]:
    """The campaign's settings checked and normalised; the first bad one raises CampaignError."""
    title = plain_text(values.get("title"))
    if not title:
        raise CampaignError(_("Donnez un titre à la campagne."), field="title")
    if len(title) > MAX_TITLE:
        raise CampaignError(_("Le titre dépasse %(max)s caractères.") % {"max": MAX_TITLE}, field="title")
    message = plain_text(values.get("message"))
    if len(message) > MAX_MESSAGE:
        raise CampaignError(
            _("Le message dépasse %(max)s caractères.") % {"max": MAX_MESSAGE}, field="message"
        )
    deadline = values.get("deadline")
    if not isinstance(deadline, datetime.date) or isinstance(deadline, datetime.datetime):
        raise CampaignError(_("Indiquez la date limite de confirmation."), field="deadline")
    if deadline <= today:
        raise CampaignError(
            _("La date limite doit être postérieure à aujourd'hui (%(today)s).") % {"today": _fr(today)},
            field="deadline",
        )
    grace = values.get("grace_days")
    if not isinstance(grace, int) or isinstance(grace, bool) or not 0 <= grace <= MAX_GRACE_DAYS:
        raise CampaignError(
            _("Le délai de grâce se compte en jours, de 0 à %(max)s.") % {"max": MAX_GRACE_DAYS},
            field="grace_days",
        )
    last_day = deadline + datetime.timedelta(days=grace)
    offsets = _clean_offsets(values.get("reminder_offsets"), last_day=last_day, today=today)
    categories = list(values.get("categories") or [])
    if any(not isinstance(c, Category) or c.office_id != office.pk for c in categories):
        raise CampaignError(_("Une catégorie choisie n'existe pas."), field="categories")
    return {
        "title": title,
        "message": message,
        "deadline": deadline,
        "grace_days": grace,
        "reminder_offsets": offsets,
        "categories": categories,
    }


@transaction.atomic
def create_campaign(
    office: Office,
    *,
    title: str,
    deadline: datetime.date,
    grace_days: int = 15,
    reminder_offsets: Iterable[int] = (),
    message: str = "",
    categories: Iterable[Category] = (),
    actor: User,
) -> UpdateCampaign:
    """A draft campaign; nothing is sent before `launch_campaign`."""
    values = _clean_settings(
        office,
        {
            "title": title,
            "message": message,
            "deadline": deadline,
            "grace_days": grace_days,
            "reminder_offsets": list(reminder_offsets),
            "categories": categories,
        },
        today=timezone.localdate(),
    )
    chosen = values.pop("categories")
    campaign = UpdateCampaign.objects.create(office=office, created_by=actor, **values)
    campaign.categories.set(chosen)
    settings = {k: v for k, v in values.items() if k != "message"}  # the message is not a setting
    _record("campaign.created", campaign, actor=actor, **settings, categories=[c.pk for c in chosen])
    return campaign


@transaction.atomic
def update_campaign(campaign: UpdateCampaign, *, actor: User, **changes: Any) -> UpdateCampaign:
    """Change a draft's settings (any of create_campaign's keyword arguments)."""
    campaign = lock(campaign, related=("office",))
    _require(campaign, "update")
    unknown = set(changes) - {"title", "message", "deadline", "grace_days", "reminder_offsets", "categories"}
    if unknown:
        raise CampaignError(_("Réglage inconnu : %(names)s.") % {"names": ", ".join(sorted(unknown))})
    current = {
        "title": campaign.title,
        "message": campaign.message,
        "deadline": campaign.deadline,
        "grace_days": campaign.grace_days,
        "reminder_offsets": campaign.reminder_offsets,
        "categories": list(campaign.categories.all()),
    }
    values = _clean_settings(campaign.office, {**current, **changes}, today=timezone.localdate())
    before = {**current, "categories": sorted(c.pk for c in current["categories"])}
    after = {**values, "categories": sorted(c.pk for c in values["categories"])}
    changed = audit.changes(before, after)
    if not changed:
        return campaign
    chosen = values.pop("categories")
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.save()
    campaign.categories.set(chosen)
    _record("campaign.updated", campaign, actor=actor, fields=sorted(changed), changes=changed)
    return campaign


# ---- launching -----------------------------------------------------------------------------


LISTING_EDIT_URL_NAMES = ("portal:listing_edit", "portal:listing_general")


def listing_path(office: Office, listing_id: int) -> str:
    """The listing's edit page in the espace pro (the first of LISTING_EDIT_URL_NAMES that
    exists), else the espace pro's home page."""
    for name in LISTING_EDIT_URL_NAMES:
        try:
            return reverse(name, kwargs={"office_slug": office.slug, "listing_id": listing_id})
        except NoReverseMatch:
            continue
    return reverse("portal:home", kwargs={"office_slug": office.slug})


def _email_context(target: CampaignTarget, campaign: UpdateCampaign, **extra: Any) -> dict[str, Any]:
    listing = target.listing
    return {
        "campaign": campaign,
        "listing": listing,
        "token": target_token(target),
        "listing_path": listing_path(campaign.office, listing.pk),
        **extra,
    }


@transaction.atomic
def launch_campaign(campaign: UpdateCampaign, *, actor: User) -> UpdateCampaign:
    """Ask every partner concerned to confirm its listing: one target per published listing the
    campaign covers, each partner e-mailed a signed link to confirm it or change it."""
    campaign = lock(campaign, related=("office",))
    _require(campaign, "launch")
    today = timezone.localdate()
    # A draft may have waited: its dates must still hold on the day it is launched.
    _clean_settings(
        campaign.office,
        {
            "title": campaign.title,
            "message": campaign.message,
            "deadline": campaign.deadline,
            "grace_days": campaign.grace_days,
            "reminder_offsets": campaign.reminder_offsets,
        },
        today=today,
    )
    listings = list(selectors.covered_listings(campaign))
    if not listings:
        raise CampaignError(
            _("Aucune fiche publiée ne correspond à cette campagne : il n'y a personne à solliciter."),
            code="empty",
        )
    now = timezone.now()
    campaign.status, campaign.launched_at, campaign.launched_by = S.LAUNCHED, now, actor
    campaign.save(update_fields=["status", "launched_at", "launched_by", "updated_at"])
    targets = CampaignTarget.objects.bulk_create(
        CampaignTarget(office_id=campaign.office_id, campaign=campaign, listing=listing)
        for listing in listings
    )
    emailed = []
    for target, listing in zip(targets, listings, strict=True):
        target.listing = listing
        email = directory_services.email_organisation(
            listing.establishment.organisation,
            template="campaign_invitation",
            context=_email_context(target, campaign),
            actor=actor,
        )
        if email is not None:
            emailed.append(target.pk)
    CampaignTarget.objects.filter(pk__in=emailed).update(emailed_at=now)
    _record("campaign.launched", campaign, actor=actor, targets=len(targets), emailed=len(emailed))
    return campaign


# ---- the daily jobs ------------------------------------------------------------------------


def _due_offset(campaign: UpdateCampaign, today: datetime.date) -> int | None:
    """The largest offset reached today (a job that missed some days sends the latest reminder,
    not all of them at once); none once the grace period is over."""
    if today > campaign.grace_ends:
        return None
    launched_on = timezone.localdate(campaign.launched_at)
    reached = [
        offset
        for offset in campaign.reminder_offsets
        if launched_on + datetime.timedelta(days=offset) <= today
    ]
    return max(reached) if reached else None


def _remind(target: CampaignTarget, offset: int, today: datetime.date) -> bool:
    """Send one reminder, once: the unique (target, offset) row is the guard, written first."""
    campaign = target.campaign
    try:
        with transaction.atomic():
            still_open = CampaignTarget.objects.select_for_update().filter(
                pk=target.pk, confirmed_at__isnull=True, unpublished_at__isnull=True
            )
            if not still_open.exists():
                return False
            reminder = CampaignReminder.objects.create(target=target, offset_days=offset)
            reminder.email = directory_services.email_organisation(
                target.listing.establishment.organisation,
                template="campaign_reminder",
                context=_email_context(target, campaign, offset=offset, overdue=today > campaign.deadline),
            )
            reminder.save(update_fields=["email"])
            # One entry per partner reminded (a daily job: no actor), on its organisation's timeline.
            audit.record(
                "campaign.reminder_sent",
                actor=None,
                office=campaign.office,
                target=target,
                organisation_id=target.listing.establishment.organisation_id,
                data={
                    "campaign": campaign.pk,
                    "listing": target.listing_id,
                    "offset": offset,
                    "email": reminder.email.pk if reminder.email else None,
                },
            )
    except IntegrityError:
        return False
    return reminder.email is not None


def send_due_reminders(*, today: datetime.date | None = None) -> int:
    """Daily: remind the partners who have not confirmed yet, at the offsets of each running
    campaign, once per offset. Returns the number of e-mails queued. Safe to run twice."""
    today = today or timezone.localdate()
    sent = 0
    for campaign in UpdateCampaign.objects.filter(status=S.LAUNCHED).select_related("office"):
        offset = _due_offset(campaign, today)
        if offset is None:
            continue
        due = (
            campaign.targets.filter(
                confirmed_at__isnull=True, unpublished_at__isnull=True, listing__unpublished_at__isnull=True
            )
            .exclude(reminders__offset_days=offset)
            .select_related("listing__establishment__organisation")
            .order_by("pk")
        )
        for target in due:
            target.campaign = campaign
            sent += _remind(target, offset, today)
    return sent


def flag_overdue(*, today: datetime.date | None = None) -> int:
    """Daily: the targets still unconfirmed after their campaign's deadline are flagged (and the
    flag put on the organisation's timeline). Returns how many were flagged. Safe to run twice."""
    today = today or timezone.localdate()
    flagged = 0
    for campaign in UpdateCampaign.objects.filter(status=S.LAUNCHED, deadline__lt=today).select_related(
        "office"
    ):
        flagged += _flag_campaign(campaign)
    return flagged


@transaction.atomic
def _flag_campaign(campaign: UpdateCampaign) -> int:
    """Flag the campaign's overdue targets: one entry each (no actor: a daily job), on the
    partner's timeline."""
    now = timezone.now()
    overdue = list(
        campaign.targets.select_for_update(of=("self",))
        .filter(confirmed_at__isnull=True, flagged_at__isnull=True)
        .select_related("listing__establishment__organisation")
        .order_by("pk")
    )
    CampaignTarget.objects.filter(pk__in=[t.pk for t in overdue]).update(flagged_at=now)
    for target in overdue:
        target.campaign = campaign
        audit.record(
            "campaign.target_flagged",
            actor=None,
            office=campaign.office,
            target=target,
            organisation_id=target.listing.establishment.organisation_id,
            data={
                "campaign": campaign.pk,
                "listing": target.listing_id,
                "deadline": campaign.deadline,
                "unpublish_from": campaign.unpublish_from,
            },
        )
    return len(overdue)


# ---- withdrawal, confirmation, closing -----------------------------------------------------


def unpublish_reason(campaign: UpdateCampaign) -> str:
    return (
        f"Fiche non confirmée dans le cadre de la campagne de mise à jour « {campaign.title} » : "
        f"ni avant la date limite du {_fr(campaign.deadline)}, ni pendant le délai de grâce de "
        f"{campaign.grace_days} jours qui a suivi. Conformément à l'article 2 des CGV, l'office retire "
        "de ses supports les données qui ne sont pas tenues à jour."
    )


@transaction.atomic
def unpublish_overdue(campaign: UpdateCampaign, *, actor: User) -> int:
    """One action: unpublish every flagged, still unconfirmed listing of the campaign once the
    grace period is over, each partner e-mailed why (CGV art. 2). Returns how many."""
    campaign = lock(campaign, related=("office",))
    _require(campaign, "unpublish")
    today = timezone.localdate()
    if today < campaign.unpublish_from:
        raise CampaignError(
            _(
                "Le délai de grâce court jusqu'au %(grace_ends)s : les fiches non confirmées "
                "pourront être retirées à partir du %(unpublish_from)s."
            )
            % {"grace_ends": _fr(campaign.grace_ends), "unpublish_from": _fr(campaign.unpublish_from)},
            code="grace_period",
        )
    due = list(
        selectors.unpublishable_targets(campaign)
        .select_for_update(of=("self",))
        .select_related("listing__establishment__organisation")
        .order_by("pk")
    )
    reason = unpublish_reason(campaign)
    now = timezone.now()
    for target in due:  # one listing.unpublished entry each, with the campaign
        listing_services.unpublish_listing(
            target.listing, reason=reason, actor=actor, audit_data={"campaign": campaign.pk}
        )
    CampaignTarget.objects.filter(pk__in=[t.pk for t in due]).update(unpublished_at=now)
    return len(due)


def _open_targets(listing: Listing):
    return CampaignTarget.objects.filter(
        listing=listing, campaign__status=S.LAUNCHED, confirmed_at__isnull=True
    )


def _confirm(listing: Listing, *, actor: User) -> int:
    """Date the listing's confirmation and close its open targets in every running campaign
    (a listing confirmed once is confirmed for all of them). Returns how many targets.
    One audit entry, the listing's `listing.confirmed`, with the targets it closes."""
    targets = list(_open_targets(listing).order_by("pk").values_list("pk", flat=True))
    listing = listing_services.confirm_listing(listing, actor=actor, audit_data={"campaign_targets": targets})
    return CampaignTarget.objects.filter(pk__in=targets).update(
        confirmed_at=listing.last_confirmed_at, confirmed_by=actor, updated_at=timezone.now()
    )


@transaction.atomic
def record_confirmation(target: CampaignTarget, *, actor: User) -> CampaignTarget:
    """The partner confirms the listing is up to date from the campaign's page (one click)."""
    target = (
        CampaignTarget.objects.select_for_update(of=("self",))
        .select_related("campaign", "listing__establishment__organisation")
        .get(pk=target.pk)
    )
    if target.campaign.status != S.LAUNCHED:
        raise CampaignError(
            _(
                "Cette campagne de mise à jour est close. Vous pouvez toujours modifier votre fiche "
                "depuis votre espace pro."
            ),
            code="closed",
        )
    if target.confirmed_at:
        raise CampaignError(
            _("Cette fiche est déjà confirmée (le %(day)s).")
            % {"day": _fr(timezone.localdate(target.confirmed_at))},
            code="already_confirmed",
        )
    _confirm(target.listing, actor=actor)
    target.refresh_from_db(fields=["confirmed_at", "confirmed_by", "updated_at"])
    return target


@transaction.atomic
def record_listing_confirmation(listing: Listing, *, actor: User) -> int:
    """For the espace pro's « Confirmer que ma fiche est à jour » on a listing's own page: dates
    the listing's confirmation (listings.confirm_listing) and counts it for every running
    campaign still waiting for it. Returns the number of campaign targets confirmed."""
    return _confirm(listing, actor=actor)


@transaction.atomic
def record_listing_changes(listing: Listing, *, actor: User) -> int:
    """For the espace pro's listing forms, after a partner submits changes: during a campaign,
    the partner has reviewed the listing, which confirms it; outside one, nothing happens.
    Returns the number of campaign targets confirmed."""
    if not _open_targets(listing).exists():
        return 0
    return _confirm(listing, actor=actor)


@transaction.atomic
def close_campaign(campaign: UpdateCampaign, *, actor: User) -> UpdateCampaign:
    """End a campaign (or drop a draft): no more reminders, flags or withdrawals; its links show
    that it is over. What it recorded stays."""
    campaign = lock(campaign, related=("office",))
    _require(campaign, "close")
    campaign.status, campaign.closed_at, campaign.closed_by = S.CLOSED, timezone.now(), actor
    campaign.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    _record("campaign.closed", campaign, actor=actor)
    return campaign
