"""The agenda's changes of state: partners submit, staff moderate, the office publishes its own.

- A partner's new event is *proposed*; staff approve it (published) or reject it with a reason
  (e-mailed). Editing a rejected event proposes it again; a proposal not yet published can be
  withdrawn (deleted: nothing public ever pointed at it).
- A partner's change to a *published* event does not touch what the public sees: it waits in
  `pending_changes` (values equal to the published ones are dropped) until staff approve it —
  then it is published with a higher SEQUENCE — or reject it, with a reason.
- Staff edits and the office's own events are published at once.
- Cancelling is only for published events, by the partner or the office: the event stays in the
  feeds with STATUS:CANCELLED.
- Every change of published content increments `sequence` and stamps `revised_at`, so calendar
  clients that subscribed to a feed replace their copy (RFC 5545 SEQUENCE, DTSTAMP).

Deciding locks the event row: a second decision (another tab, another person) is refused.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.audit import acting_user
from ensemble.core.models import Office, OutboundEmail
from ensemble.core.page_cache import invalidate_office
from ensemble.core.transactions import lock
from ensemble.directory import services as directory_services
from ensemble.directory.models import Organisation
from ensemble.listings.fields import plain_text

from . import rules
from .errors import EventError
from .models import Event

S = Event.Status
# What every change reads of the event it locks (`lock(event, related=JOINED)`).
JOINED = ("organisation", "office")

audit.register_actions(
    {
        "event.submitted": gettext_lazy("Événement %(target)s du %(date)s proposé à l'agenda"),
        "event.updated": gettext_lazy("Proposition d'événement %(target)s modifiée (%(fields)s)"),
        "event.resubmitted": gettext_lazy("Événement %(target)s proposé à nouveau (%(fields)s)"),
        "event.change_proposed": gettext_lazy("Événement %(target)s : modifications proposées (%(fields)s)"),
        "event.change_withdrawn": gettext_lazy("Événement %(target)s : modifications proposées retirées"),
        "event.withdrawn": gettext_lazy("Proposition d'événement %(target)s retirée"),
        "event.approved": gettext_lazy("Événement %(target)s du %(date)s publié à l'agenda"),
        "event.change_approved": gettext_lazy("Événement %(target)s : modifications publiées (%(fields)s)"),
        "event.rejected": gettext_lazy("Événement %(target)s refusé : %(reason)s"),
        "event.change_rejected": gettext_lazy("Événement %(target)s : modifications refusées : %(reason)s"),
        "event.created": gettext_lazy("Événement de l'office %(target)s du %(date)s publié"),
        "event.edited": gettext_lazy("Événement %(target)s modifié par l'office (%(fields)s)"),
        "event.cancelled": gettext_lazy("Événement %(target)s du %(date)s annulé : %(reason)s"),
    }
)


def _record(action: str, event: Event, *, actor: User | None, **data: Any) -> None:
    """The one audit entry of an event's change, on its organisation's timeline when it has one."""
    audit.record(
        action,
        actor=actor,
        office=event.office,
        target=event,
        organisation_id=event.organisation_id,
        data={"date": timezone.localtime(event.starts_at, rules.PARIS).date(), **data},
    )
    invalidate_office(event.office_id)  # the agenda, the event's page and the API show it


def _email(event: Event, template: str, *, actor: User | None, **context) -> OutboundEmail | None:
    if not event.organisation_id:
        return None
    return directory_services.email_organisation(
        event.organisation, template=template, context={"event": event, **context}, actor=actor
    )


def _email_id(email: OutboundEmail | None) -> int | None:
    return email.pk if email else None


def _state(changes: dict[str, Any], *, base: dict[str, Any], office: Office, organisation) -> dict[str, Any]:
    """`base` with the cleaned changes applied, filled and checked as a whole."""
    state = {**base, **rules.clean_changes(changes, office=office, organisation=organisation)}
    rules.fill_place(state)
    rules.check_state(state)
    return state


def _new_revision(event: Event, *, was_public: bool) -> None:
    """The public content changed: a new SEQUENCE when calendars already had the event."""
    if was_public:
        event.sequence += 1
    event.revised_at = timezone.now()


# ---- partners ------------------------------------------------------------------------------


@transaction.atomic
def submit_event(organisation: Organisation, *, actor: User, **fields) -> Event:
    """A partner's event, proposed to the office. The establishment, when given, must be one
    of the organisation's; without a town, the event takes its establishment's place."""
    state = _state(fields, base=rules.blank_state(), office=organisation.office, organisation=organisation)
    event = Event(
        office_id=organisation.office_id, organisation=organisation, submitted_by=acting_user(actor)
    )
    rules.apply(event, state)
    event.status = S.PROPOSED
    event.save()
    _record("event.submitted", event, actor=actor)
    return event


def _editable(event: Event) -> None:
    if event.status == S.CANCELLED:
        raise EventError(_("Cet événement est annulé : il ne peut plus être modifié."), code="cancelled")
    if event.ends_at <= timezone.now():
        raise EventError(_("Cet événement est terminé : il ne peut plus être modifié."), code="past")


@transaction.atomic
def update_event(event: Event, *, actor: User, **fields) -> Event:
    """A partner's change. Not yet published: the proposal is changed (a rejected one is
    proposed again). Published: the change waits for the office, the public keeps the
    published content."""
    event = lock(event, related=JOINED)
    _editable(event)
    current = rules.snapshot(event)
    if event.status != S.PUBLISHED:
        state = _state(fields, base=current, office=event.office, organisation=event.organisation)
        rules.apply(event, state)
        resubmitted = event.status == S.REJECTED
        event.status, event.reason = S.PROPOSED, ""
        event.decided_by = event.decided_at = None
        event.save()
        changed = sorted(key for key, value in state.items() if value != current[key])
        _record("event.resubmitted" if resubmitted else "event.updated", event, actor=actor, fields=changed)
        return event
    before = dict(event.pending_changes)
    pending = rules.clean_changes(event.pending_changes, office=event.office, organisation=event.organisation)
    state = _state(fields, base={**current, **pending}, office=event.office, organisation=event.organisation)
    changed = {key: value for key, value in state.items() if value != current[key]}
    event.pending_changes = rules.to_json(changed)
    event.change_submitted_at = timezone.now() if changed else None
    event.save(update_fields=["pending_changes", "change_submitted_at", "updated_at"])
    if changed and event.pending_changes != before:
        _record("event.change_proposed", event, actor=actor, fields=sorted(changed))
    elif before and not changed:
        _record("event.change_withdrawn", event, actor=actor, fields=sorted(before))
    return event


@transaction.atomic
def withdraw_event(event: Event, *, actor: User) -> None:
    """A partner takes back a proposal that was never published (nothing public refers to it)."""
    event = lock(event, related=JOINED)
    if event.status not in (S.PROPOSED, S.REJECTED):
        raise EventError(
            _("Seule une proposition pas encore publiée peut être retirée : annulez l'événement."),
            code="published",
        )
    # Written before the row goes: the entry keeps its id and title.
    _record("event.withdrawn", event, actor=actor, status=event.status)
    event.delete()


# ---- staff ---------------------------------------------------------------------------------


def _decidable(event: Event) -> Event:
    locked = lock(event, related=JOINED)
    if locked.status != S.PROPOSED and not locked.has_pending_change:
        status = locked.get_status_display().lower()
        if locked.decided_at:
            decided = timezone.localtime(locked.decided_at)
            message = _("Cet événement a déjà été traité (%(status)s le %(day)s à %(time)s).") % {
                "status": status,
                "day": decided.strftime("%d/%m/%Y"),
                "time": decided.strftime("%H:%M"),
            }
        else:
            message = _("Cet événement a déjà été traité (%(status)s).") % {"status": status}
        raise EventError(message, code="already_decided")
    return locked


@transaction.atomic
def approve_event(event: Event, *, actor: User) -> Event:
    """Publish a proposed event, or a published event's waiting change (a new SEQUENCE)."""
    event = _decidable(event)
    change = event.status == S.PUBLISHED
    current = rules.snapshot(event)
    changes = event.pending_changes if change else {}
    try:
        state = _state(changes, base=current, office=event.office, organisation=event.organisation)
    except EventError as error:
        raise EventError(
            _("Publication impossible : %(reason)s") % {"reason": error.message}, code=error.code
        ) from None
    rules.apply(event, state)
    fields = [rules.label(key) for key in changes]
    event.pending_changes, event.change_submitted_at = {}, None
    event.status, event.reason = S.PUBLISHED, ""
    event.decided_by, event.decided_at = acting_user(actor), timezone.now()
    _new_revision(event, was_public=change)
    event.save()
    email = _email(event, "event_approved", actor=actor, change=change, fields=fields)
    _record(
        "event.change_approved" if change else "event.approved",
        event,
        actor=actor,
        fields=sorted(changes),
        sequence=event.sequence,
        email=_email_id(email),
    )
    return event


@transaction.atomic
def reject_event(event: Event, *, actor: User, reason: str) -> Event:
    """Refuse a proposed event, or a published event's waiting change (the published content
    stays). The reason is e-mailed to the partner."""
    reason = plain_text(reason)
    if not reason:
        raise EventError(_("Indiquez au partenaire le motif du refus."), field="reason")
    event = _decidable(event)
    change = event.status == S.PUBLISHED
    keys = list(event.pending_changes)
    fields = [rules.label(key) for key in keys]
    if change:
        event.pending_changes, event.change_submitted_at = {}, None
    else:
        event.status = S.REJECTED
    event.reason = reason
    event.decided_by, event.decided_at = acting_user(actor), timezone.now()
    event.save()
    email = _email(event, "event_rejected", actor=actor, change=change, fields=fields, reason=reason)
    _record(
        "event.change_rejected" if change else "event.rejected",
        event,
        actor=actor,
        reason=reason,
        fields=sorted(keys),
        email=_email_id(email),
    )
    return event


@transaction.atomic
def create_office_event(office: Office, *, actor: User, **fields) -> Event:
    """An event of the office itself, published at once (it may take place at a partner's
    establishment)."""
    state = _state(fields, base=rules.blank_state(), office=office, organisation=None)
    event = Event(office=office, submitted_by=acting_user(actor), decided_by=acting_user(actor))
    rules.apply(event, state)
    event.status, event.decided_at = S.PUBLISHED, timezone.now()
    _new_revision(event, was_public=False)
    event.save()
    _record("event.created", event, actor=actor)
    return event


@transaction.atomic
def edit_event(event: Event, *, actor: User, **fields) -> Event:
    """A staff edit, applied at once: a published event gets a new SEQUENCE. A partner's
    waiting change stays waiting (approving it later applies it over this edit)."""
    event = lock(event, related=JOINED)
    _editable(event)
    current = rules.snapshot(event)
    state = _state(fields, base=current, office=event.office, organisation=event.organisation)
    changed = [key for key, value in state.items() if value != current[key]]
    if not changed:
        return event
    rules.apply(event, state)
    if event.status == S.PUBLISHED:
        _new_revision(event, was_public=True)
    event.save()
    _record("event.edited", event, actor=actor, fields=sorted(changed), sequence=event.sequence)
    return event


@transaction.atomic
def cancel_event(event: Event, *, actor: User, reason: str = "", by_office: bool = False) -> Event:
    """Cancel a published event: it stays in the agenda and the feeds, marked cancelled, with a
    higher SEQUENCE. A waiting change is dropped. When the office cancels a partner's event,
    the partner gets the reason by e-mail (then required)."""
    reason = plain_text(reason)[:2000]
    if by_office and event.organisation_id and not reason:
        raise EventError(_("Indiquez au partenaire le motif de l'annulation."), field="reason")
    event = lock(event, related=JOINED)
    if event.status != S.PUBLISHED:
        message = (
            _("Cet événement est déjà annulé.")
            if event.status == S.CANCELLED
            else _("Seul un événement publié peut être annulé : refusez ou retirez la proposition.")
        )
        raise EventError(message, code="not_published")
    if event.ends_at <= timezone.now():
        raise EventError(_("Cet événement est terminé : il ne peut plus être annulé."), code="past")
    event.status, event.reason = S.CANCELLED, reason
    event.pending_changes, event.change_submitted_at = {}, None
    _new_revision(event, was_public=True)
    event.save()
    email = _email(event, "event_cancelled", actor=actor, reason=reason) if by_office else None
    _record(
        "event.cancelled",
        event,
        actor=actor,
        reason=reason,
        by_office=by_office,
        sequence=event.sequence,
        email=_email_id(email),
    )
    return event
