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

from ensemble.accounts.models import User
from ensemble.core.audit import acting_user
from ensemble.core.models import Office
from ensemble.core.transactions import lock
from ensemble.directory import services as directory_services
from ensemble.directory.models import Organisation, TimelineEntry
from ensemble.listings.fields import plain_text

from . import rules
from .errors import EventError
from .models import Event

S = Event.Status
# What every change reads of the event it locks (`lock(event, related=JOINED)`).
JOINED = ("organisation", "office")


def _timeline(event: Event, summary: str, *, actor: User | None, body: str = "") -> None:
    if event.organisation_id:
        directory_services.record_timeline(
            event.organisation, kind=TimelineEntry.Kind.LISTING, summary=summary, body=body, actor=actor
        )


def _email(event: Event, template: str, *, actor: User | None, **context) -> None:
    if event.organisation_id:
        directory_services.email_organisation(
            event.organisation, template=template, context={"event": event, **context}, actor=actor
        )


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


def _date_label(event: Event) -> str:
    return timezone.localtime(event.starts_at, rules.PARIS).strftime("%d/%m/%Y")


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
    _timeline(
        event, f"Événement « {event.title_fr} » du {_date_label(event)} proposé à l'agenda", actor=actor
    )
    return event


def _editable(event: Event) -> None:
    if event.status == S.CANCELLED:
        raise EventError("Cet événement est annulé : il ne peut plus être modifié.", code="cancelled")
    if event.ends_at <= timezone.now():
        raise EventError("Cet événement est terminé : il ne peut plus être modifié.", code="past")


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
        verb = "proposé à nouveau" if resubmitted else "modifié (en attente de validation)"
        _timeline(event, f"Événement « {event.title_fr} » {verb}", actor=actor)
        return event
    pending = rules.clean_changes(event.pending_changes, office=event.office, organisation=event.organisation)
    state = _state(fields, base={**current, **pending}, office=event.office, organisation=event.organisation)
    changed = {key: value for key, value in state.items() if value != current[key]}
    event.pending_changes = rules.to_json(changed)
    event.change_submitted_at = timezone.now() if changed else None
    event.save(update_fields=["pending_changes", "change_submitted_at", "updated_at"])
    if changed:
        _timeline(
            event,
            f"Événement « {event.title_fr} » : {len(changed)} modification(s) proposée(s)",
            actor=actor,
            body=", ".join(rules.label(key) for key in changed),
        )
    return event


@transaction.atomic
def withdraw_event(event: Event, *, actor: User) -> None:
    """A partner takes back a proposal that was never published (nothing public refers to it)."""
    event = lock(event, related=JOINED)
    if event.status not in (S.PROPOSED, S.REJECTED):
        raise EventError(
            "Seule une proposition pas encore publiée peut être retirée : annulez l'événement.",
            code="published",
        )
    _timeline(event, f"Proposition d'événement « {event.title_fr} » retirée", actor=actor)
    event.delete()


# ---- staff ---------------------------------------------------------------------------------


def _decidable(event: Event) -> Event:
    locked = lock(event, related=JOINED)
    if locked.status != S.PROPOSED and not locked.has_pending_change:
        when = (
            timezone.localtime(locked.decided_at).strftime(" le %d/%m/%Y à %H:%M")
            if locked.decided_at
            else ""
        )
        raise EventError(
            f"Cet événement a déjà été traité ({locked.get_status_display().lower()}{when}).",
            code="already_decided",
        )
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
        raise EventError(f"Publication impossible : {error.message}", code=error.code) from None
    rules.apply(event, state)
    fields = [rules.label(key) for key in changes]
    event.pending_changes, event.change_submitted_at = {}, None
    event.status, event.reason = S.PUBLISHED, ""
    event.decided_by, event.decided_at = acting_user(actor), timezone.now()
    _new_revision(event, was_public=change)
    event.save()
    what = "modifications publiées" if change else "publié à l'agenda"
    _timeline(event, f"Événement « {event.title_fr} » : {what}", actor=actor)
    _email(event, "event_approved", actor=actor, change=change, fields=fields)
    return event


@transaction.atomic
def reject_event(event: Event, *, actor: User, reason: str) -> Event:
    """Refuse a proposed event, or a published event's waiting change (the published content
    stays). The reason is e-mailed to the partner."""
    reason = plain_text(reason)
    if not reason:
        raise EventError("Indiquez au partenaire le motif du refus.", field="reason")
    event = _decidable(event)
    change = event.status == S.PUBLISHED
    fields = [rules.label(key) for key in event.pending_changes]
    if change:
        event.pending_changes, event.change_submitted_at = {}, None
    else:
        event.status = S.REJECTED
    event.reason = reason
    event.decided_by, event.decided_at = acting_user(actor), timezone.now()
    event.save()
    what = "modifications refusées" if change else "refusé"
    _timeline(event, f"Événement « {event.title_fr} » : {what}", actor=actor, body=reason)
    _email(event, "event_rejected", actor=actor, change=change, fields=fields, reason=reason)
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
    _timeline(
        event,
        f"Événement « {event.title_fr} » modifié par l'office",
        actor=actor,
        body=", ".join(rules.label(key) for key in changed),
    )
    return event


@transaction.atomic
def cancel_event(event: Event, *, actor: User, reason: str = "", by_office: bool = False) -> Event:
    """Cancel a published event: it stays in the agenda and the feeds, marked cancelled, with a
    higher SEQUENCE. A waiting change is dropped. When the office cancels a partner's event,
    the partner gets the reason by e-mail (then required)."""
    reason = plain_text(reason)[:2000]
    if by_office and event.organisation_id and not reason:
        raise EventError("Indiquez au partenaire le motif de l'annulation.", field="reason")
    event = lock(event, related=JOINED)
    if event.status != S.PUBLISHED:
        message = (
            "Cet événement est déjà annulé."
            if event.status == S.CANCELLED
            else "Seul un événement publié peut être annulé : refusez ou retirez la proposition."
        )
        raise EventError(message, code="not_published")
    if event.ends_at <= timezone.now():
        raise EventError("Cet événement est terminé : il ne peut plus être annulé.", code="past")
    event.status, event.reason = S.CANCELLED, reason
    event.pending_changes, event.change_submitted_at = {}, None
    _new_revision(event, was_public=True)
    event.save()
    _timeline(
        event, f"Événement « {event.title_fr} » du {_date_label(event)} annulé", actor=actor, body=reason
    )
    if by_office:
        _email(event, "event_cancelled", actor=actor, reason=reason)
    return event
