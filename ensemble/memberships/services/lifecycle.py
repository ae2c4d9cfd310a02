"""The membership state machine: every transition validated, logged, on the timeline, e-mailed."""

import datetime

from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.audit import acting_user
from ensemble.core.transactions import lock
from ensemble.core.workflow import move
from ensemble.directory import services as directory_services
from ensemble.directory.models import OrganisationMember, TimelineEntry

from ..errors import MembershipError
from ..models import Membership, MembershipTransition
from .entitlements import grant_entitlements

NOTICE_DAYS = 30  # CGV art. 4 (résiliation): 30 days' notice, either party
S = Membership.Status
# Every move reloads the membership under a row lock, so two staff clicking at once cannot both
# move it; these are read by every move.
JOINED = ("organisation", "season", "office")


def log_transition(
    membership: Membership, *, action: str, from_status: str, reason: str, actor: User | None
) -> MembershipTransition:
    return MembershipTransition.objects.create(
        membership=membership,
        action=action,
        from_status=from_status,
        to_status=membership.status,
        reason=reason,
        actor=acting_user(actor),
    )


def _transition(
    membership: Membership,
    action: str,
    *,
    actor: User | None,
    reason: str = "",
    reason_required: bool = False,
    email_template: str | None = None,
) -> Membership:
    reason = reason.strip()
    if reason_required and not reason:
        raise MembershipError("Le motif est obligatoire.", field="reason")
    from_status = move(
        membership,
        action,
        lambda: f"Action impossible : l'adhésion est « {membership.get_status_display()} ».",
        actor=actor,
    )
    to_status = membership.status
    log_transition(membership, action=action, from_status=from_status, reason=reason, actor=actor)
    directory_services.record_timeline(
        membership.organisation,
        kind=TimelineEntry.Kind.STATUS,
        summary=(f"Adhésion {membership.season.year} : {S(from_status).label} → {S(to_status).label}"),
        body=reason,
        actor=actor,
    )
    if email_template:
        # The person who applied hears about their request (the refusal's reasons especially).
        applicant = membership.applicant
        directory_services.email_organisation(
            membership.organisation,
            to=applicant.email if applicant is not None else None,
            template=email_template,
            context={"membership": membership, "reason": reason},
            actor=actor,
        )
    return membership


def _activate_if_complete(membership: Membership, *, actor: User | None) -> Membership:
    """Active the day both the signed bulletin and the full payment are in (seed, step 4)."""
    if membership.status != S.AWAITING_PAYMENT or membership.bulletin_signed_on is None:
        return membership
    if membership.amount_due > 0 and membership.paid_on is None:
        return membership
    effective = max(filter(None, [membership.bulletin_signed_on, membership.paid_on]))
    if effective > membership.season.ends_on:
        return membership  # too late for that season: staff refund or move it to the next one
    membership.activated_on = max(effective, membership.season.starts_on)
    membership.ends_on = membership.season.ends_on
    membership.save(update_fields=["activated_on", "ends_on", "updated_at"])
    _transition(membership, "activate", actor=actor, email_template="membership_active")
    grant_entitlements(membership)
    return membership


@transaction.atomic
def accept_membership(membership: Membership, *, actor: User) -> Membership:
    """Staff validate the request; it becomes active at once if it is already paid."""
    membership = lock(membership, related=JOINED)
    if membership.season.ends_on < timezone.localdate():
        raise MembershipError(f"La saison {membership.season.year} est terminée.")
    membership.accepted_on = timezone.localdate()
    membership.save(update_fields=["accepted_on", "updated_at"])
    _transition(membership, "accept", actor=actor, email_template="membership_accepted")
    if membership.applicant_id:
        directory_services.grant_portal_access(
            membership.organisation,
            user=membership.applicant,
            role=OrganisationMember.Role.OWNER,
        )
    return _activate_if_complete(membership, actor=actor)


@transaction.atomic
def record_signed_bulletin(membership: Membership, *, actor: User, received_on: datetime.date) -> Membership:
    """A paper bulletin (or a renewal signed by post) reached the office."""
    membership = lock(membership, related=JOINED)
    if membership.status not in (S.REQUESTED, S.AWAITING_PAYMENT):
        raise MembershipError("Le bulletin ne peut plus être enregistré pour cette adhésion.")
    if received_on > timezone.localdate():
        raise MembershipError("La date de réception ne peut pas être dans le futur.", field="received_on")
    membership.bulletin_signed_on = received_on
    membership.save(update_fields=["bulletin_signed_on", "updated_at"])
    directory_services.record_timeline(
        membership.organisation,
        kind=TimelineEntry.Kind.UPDATE,
        summary=f"Bulletin d'adhésion {membership.season.year} signé reçu le {received_on:%d/%m/%Y}",
        actor=actor,
    )
    return _activate_if_complete(membership, actor=actor)


@transaction.atomic
def refuse_membership(membership: Membership, *, actor: User, reason: str) -> Membership:
    """CGV art. 2: the office may refuse; the reasons are sent in writing."""
    return _transition(
        lock(membership, related=JOINED),
        "refuse",
        actor=actor,
        reason=reason,
        reason_required=True,
        email_template="membership_refused",
    )


@transaction.atomic
def suspend_membership(membership: Membership, *, actor: User, reason: str) -> Membership:
    return _transition(
        lock(membership, related=JOINED),
        "suspend",
        actor=actor,
        reason=reason,
        reason_required=True,
        email_template="membership_suspended",
    )


@transaction.atomic
def reinstate_membership(membership: Membership, *, actor: User, reason: str = "") -> Membership:
    return _transition(lock(membership, related=JOINED), "reinstate", actor=actor, reason=reason)


@transaction.atomic
def terminate_membership(membership: Membership, *, actor: User, reason: str) -> Membership:
    """The office ends the membership (CGV art. 2: breach of contract or quality policy)."""
    membership = lock(membership, related=JOINED)
    today = timezone.localdate()
    membership.ends_on = today
    membership.save(update_fields=["ends_on", "updated_at"])
    return _transition(
        membership,
        "terminate",
        actor=actor,
        reason=reason,
        reason_required=True,
        email_template="membership_terminated",
    )


@transaction.atomic
def give_notice(
    membership: Membership,
    *,
    actor: User | None,
    received_on: datetime.date | None = None,
    reason: str = "",
) -> Membership:
    """The partner terminates with 30 days' notice: the membership ends on the computed date
    (or at season end if that comes first)."""
    membership = lock(membership, related=JOINED)
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise MembershipError("La date de réception ne peut pas être dans le futur.")
    membership.notice_given_on = received_on
    membership.ends_on = min(received_on + datetime.timedelta(days=NOTICE_DAYS), membership.season.ends_on)
    membership.save(update_fields=["notice_given_on", "ends_on", "updated_at"])
    return _transition(
        membership,
        "give_notice",
        actor=actor,
        reason=reason or f"Préavis de {NOTICE_DAYS} jours : fin le {membership.ends_on:%d/%m/%Y}",
        email_template="membership_notice",
    )


@transaction.atomic
def record_membership_paid(
    membership: Membership, *, paid_on: datetime.date, actor: User | None
) -> Membership:
    """Billing says the membership's invoice is settled (the payment that settled it arrived on
    `paid_on`); the membership activates if it is accepted and its bulletin is signed."""
    membership = lock(membership, related=JOINED)
    if membership.paid_on is None or paid_on < membership.paid_on:
        membership.paid_on = paid_on
        membership.save(update_fields=["paid_on", "updated_at"])
    return _activate_if_complete(membership, actor=actor)


def close_due_memberships(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily: end memberships whose notice ran out, expire those of finished seasons.
    Safe to run twice: a membership already moved no longer matches."""
    today = today or timezone.localdate()
    counts = {"terminated": 0, "expired": 0}
    due_notice = Membership.objects.filter(status=S.NOTICE_GIVEN, ends_on__lte=today)
    for pk in due_notice.values_list("pk", flat=True):
        with transaction.atomic():
            membership = lock(Membership(pk=pk), related=JOINED)
            if membership.status == S.NOTICE_GIVEN and membership.ends_on <= today:
                _transition(membership, "end_notice", actor=None, reason="Fin du préavis")
                counts["terminated"] += 1
    finished = Membership.objects.filter(
        status__in=Membership.TRANSITIONS["expire"][0], season__ends_on__lt=today
    )
    for pk in finished.values_list("pk", flat=True):
        with transaction.atomic():
            membership = lock(Membership(pk=pk), related=JOINED)
            if membership.can("expire") and membership.season.ends_on < today:
                _transition(membership, "expire", actor=None, reason="Fin de la saison")
                counts["expired"] += 1
    return counts
