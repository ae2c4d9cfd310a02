"""The membership state machine: every transition validated, logged (its own history row and one
audit entry per service call), e-mailed."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit, publication
from ensemble.core.audit import acting_user
from ensemble.core.models import OutboundEmail
from ensemble.core.transactions import lock
from ensemble.core.workflow import move
from ensemble.directory import services as directory_services
from ensemble.directory.models import OrganisationMember

from ..errors import MembershipError
from ..models import Membership, MembershipTransition
from .entitlements import grant_entitlements

NOTICE_DAYS = 30  # CGV art. 4 (résiliation): 30 days' notice, either party
S = Membership.Status
# Every move reloads the membership under a row lock, so two staff clicking at once cannot both
# move it; these are read by every move.
JOINED = ("organisation", "season", "office")

# `target` is the membership (« organisation — season »); `status` is [before, after].
audit.register_actions(
    {
        "membership.requested": gettext_lazy("Demande d'adhésion %(target)s reçue (%(establishment)s)"),
        "membership.accepted": gettext_lazy("Adhésion %(target)s acceptée"),
        "membership.bulletin_received": gettext_lazy(
            "Adhésion %(target)s : bulletin signé reçu le %(received_on)s"
        ),
        "membership.paid": gettext_lazy("Adhésion %(target)s : règlement complet reçu le %(paid_on)s"),
        "membership.activated": gettext_lazy("Adhésion %(target)s active depuis le %(activated_on)s"),
        "membership.refused": gettext_lazy("Adhésion %(target)s refusée : %(reason)s"),
        "membership.suspended": gettext_lazy("Adhésion %(target)s suspendue : %(reason)s"),
        "membership.reinstated": gettext_lazy("Adhésion %(target)s rétablie"),
        "membership.terminated": gettext_lazy("Adhésion %(target)s résiliée par l'office : %(reason)s"),
        "membership.notice_given": gettext_lazy(
            "Résiliation de l'adhésion %(target)s par le partenaire : fin le %(ends_on)s"
        ),
        "membership.notice_ended": gettext_lazy("Adhésion %(target)s terminée (fin du préavis)"),
        "membership.expired": gettext_lazy("Adhésion %(target)s expirée (fin de la saison)"),
        "membership.renewed": gettext_lazy("Renouvellement demandé : %(target)s"),
    }
)


def _record(
    membership: Membership, action: str, *, actor: User | None, ip_address: str | None = None, **data: Any
) -> None:
    """The one audit entry of a membership service (join and renewal write theirs with it too)."""
    audit.record(
        action,
        actor=actor,
        office=membership.office,
        target=membership,
        organisation_id=membership.organisation_id,
        data={"season": membership.season.year, **data},
        ip_address=ip_address,
    )


def log_transition(
    membership: Membership, *, action: str, from_status: str, reason: str, actor: User | None
) -> MembershipTransition:
    """The membership's own history row (shown on its page); the audit entry is the caller's."""
    return MembershipTransition.objects.create(
        membership=membership,
        action=action,
        from_status=from_status,
        to_status=membership.status,
        reason=reason,
        actor=acting_user(actor),
    )


def _email_id(email: OutboundEmail | None) -> int | None:
    return email.pk if email is not None else None


def _transition(
    membership: Membership,
    action: str,
    *,
    actor: User | None,
    reason: str = "",
    reason_required: bool = False,
    email_template: str | None = None,
) -> tuple[str, OutboundEmail | None]:
    """Move, write the history row and e-mail the applicant; return the status it left and the
    e-mail (for the caller's audit entry)."""
    reason = reason.strip()
    if reason_required and not reason:
        raise MembershipError(_("Le motif est obligatoire."), field="reason")
    from_status = move(
        membership,
        action,
        lambda: (
            _("Action impossible : l'adhésion est « %(status)s ».")
            % {"status": membership.get_status_display()}
        ),
        actor=actor,
    )
    log_transition(membership, action=action, from_status=from_status, reason=reason, actor=actor)
    publication.content_changed(office_id=membership.office_id, organisation_ids=[membership.organisation_id])
    if not email_template:
        return from_status, None
    return from_status, _email_applicant(membership, email_template, actor=actor, reason=reason)


def _email_applicant(
    membership: Membership, template: str, *, actor: User | None, reason: str = ""
) -> OutboundEmail | None:
    """The person who applied hears about their request (the refusal's reasons especially)."""
    applicant = membership.applicant
    return directory_services.email_organisation(
        membership.organisation,
        to=applicant.email if applicant is not None else None,
        template=template,
        context={"membership": membership, "reason": reason},
        actor=actor,
    )


def _activate_if_complete(
    membership: Membership, *, actor: User | None, notify: bool = True
) -> dict[str, Any]:
    """Active the day both the signed bulletin and the full payment are in (seed, step 4).
    Returns what the activation did, for the caller's audit entry ({} when it did not happen).
    `notify` False: the caller sends the action's one e-mail itself (accept_membership)."""
    if membership.status != S.AWAITING_PAYMENT or membership.bulletin_signed_on is None:
        return {}
    if membership.amount_due > 0 and membership.paid_on is None:
        return {}
    effective = max(filter(None, [membership.bulletin_signed_on, membership.paid_on]))
    if effective > membership.season.ends_on:
        return {}  # too late for that season: staff refund or move it to the next one
    # Not before the season's first day, or the earlier day a membership counted in the next
    # season starts (issue 12, A10; a late one starts with its bulletin and payment anyway).
    membership.activated_on = max(effective, min(membership.service_start, membership.season.starts_on))
    membership.ends_on = membership.season.ends_on
    membership.save(update_fields=["activated_on", "ends_on", "updated_at"])
    template = "membership_active" if notify else None
    _from, email = _transition(membership, "activate", actor=actor, email_template=template)
    granted = grant_entitlements(membership)
    return {
        "activated_on": membership.activated_on,
        "entitlements": sorted(e.kind for e in granted),
        **({"activation_email": _email_id(email)} if notify else {}),
    }


@transaction.atomic
def accept_membership(membership: Membership, *, actor: User) -> Membership:
    """Staff validate the request; it becomes active at once if it is already paid (billing's
    `accept_and_invoice` records a cheque that came with the bulletin before calling this).

    One action, one e-mail, chosen from the state the action leaves: « active » when the
    request was already settled, « validée, active dès réception de votre règlement » otherwise."""
    membership = lock(membership, related=JOINED)
    if membership.season.ends_on < timezone.localdate():
        raise MembershipError(_("La saison %(year)s est terminée.") % {"year": membership.season.year})
    membership.accepted_on = timezone.localdate()
    membership.save(update_fields=["accepted_on", "updated_at"])
    from_status, _email = _transition(membership, "accept", actor=actor)
    if membership.applicant_id:
        directory_services.grant_portal_access(
            membership.organisation,
            user=membership.applicant,
            role=OrganisationMember.Role.OWNER,
        )
    activation = _activate_if_complete(membership, actor=actor, notify=False)
    template = "membership_active" if membership.status == S.ACTIVE else "membership_accepted"
    email = _email_applicant(membership, template, actor=actor)
    _record(
        membership,
        "membership.accepted",
        actor=actor,
        status=[from_status, membership.status],
        accepted_on=membership.accepted_on,
        email=_email_id(email),
        **activation,
    )
    return membership


@transaction.atomic
def record_signed_bulletin(membership: Membership, *, actor: User, received_on: datetime.date) -> Membership:
    """A paper bulletin (or a renewal signed by post) reached the office. The entry is
    `membership.activated` when the bulletin was the last piece missing."""
    membership = lock(membership, related=JOINED)
    if membership.status not in (S.REQUESTED, S.AWAITING_PAYMENT):
        raise MembershipError(_("Le bulletin ne peut plus être enregistré pour cette adhésion."))
    if received_on > timezone.localdate():
        raise MembershipError(_("La date de réception ne peut pas être dans le futur."), field="received_on")
    previous = membership.bulletin_signed_on
    from_status = membership.status
    membership.bulletin_signed_on = received_on
    membership.save(update_fields=["bulletin_signed_on", "updated_at"])
    activation = _activate_if_complete(membership, actor=actor)
    _record(
        membership,
        "membership.activated" if activation else "membership.bulletin_received",
        actor=actor,
        received_on=received_on,
        bulletin_signed_on=[previous, received_on],
        status=[from_status, membership.status],
        **activation,
    )
    return membership


@transaction.atomic
def refuse_membership(membership: Membership, *, actor: User, reason: str) -> Membership:
    """CGV art. 2: the office may refuse; the reasons are sent in writing."""
    return _move_and_record(
        membership, "refuse", "membership.refused", actor=actor, reason=reason, template="membership_refused"
    )


@transaction.atomic
def suspend_membership(membership: Membership, *, actor: User, reason: str) -> Membership:
    return _move_and_record(
        membership,
        "suspend",
        "membership.suspended",
        actor=actor,
        reason=reason,
        template="membership_suspended",
    )


@transaction.atomic
def reinstate_membership(membership: Membership, *, actor: User, reason: str = "") -> Membership:
    return _move_and_record(
        membership, "reinstate", "membership.reinstated", actor=actor, reason=reason, required=False
    )


def _move_and_record(
    membership: Membership,
    action: str,
    code: str,
    *,
    actor: User | None,
    reason: str,
    template: str | None = None,
    required: bool = True,
) -> Membership:
    """A plain staff move (refuse, suspend, reinstate): lock, move, one audit entry."""
    membership = lock(membership, related=JOINED)
    from_status, email = _transition(
        membership, action, actor=actor, reason=reason, reason_required=required, email_template=template
    )
    _record(
        membership,
        code,
        actor=actor,
        status=[from_status, membership.status],
        reason=reason.strip(),
        email=_email_id(email),
    )
    return membership


@transaction.atomic
def terminate_membership(membership: Membership, *, actor: User, reason: str) -> Membership:
    """The office ends the membership (CGV art. 2: breach of contract or quality policy)."""
    membership = lock(membership, related=JOINED)
    today = timezone.localdate()
    previous_end = membership.ends_on
    membership.ends_on = today
    membership.save(update_fields=["ends_on", "updated_at"])
    from_status, email = _transition(
        membership,
        "terminate",
        actor=actor,
        reason=reason,
        reason_required=True,
        email_template="membership_terminated",
    )
    _record(
        membership,
        "membership.terminated",
        actor=actor,
        status=[from_status, membership.status],
        ends_on=[previous_end, today],
        reason=reason.strip(),
        email=_email_id(email),
    )
    return membership


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
        raise MembershipError(_("La date de réception ne peut pas être dans le futur."))
    membership.notice_given_on = received_on
    membership.ends_on = min(received_on + datetime.timedelta(days=NOTICE_DAYS), membership.season.ends_on)
    membership.save(update_fields=["notice_given_on", "ends_on", "updated_at"])
    from_status, email = _transition(
        membership,
        "give_notice",
        actor=actor,
        # The history row keeps a readable reason; the audit entry keeps the dates.
        reason=reason or f"Préavis de {NOTICE_DAYS} jours : fin le {membership.ends_on:%d/%m/%Y}",
        email_template="membership_notice",
    )
    _record(
        membership,
        "membership.notice_given",
        actor=actor,
        status=[from_status, membership.status],
        received_on=received_on,
        ends_on=membership.ends_on,
        reason=reason.strip(),
        email=_email_id(email),
    )
    return membership


@transaction.atomic
def record_membership_paid(
    membership: Membership, *, paid_on: datetime.date, actor: User | None
) -> Membership:
    """Billing says the membership's invoice is settled (the payment that settled it arrived on
    `paid_on`); the membership activates if it is accepted and its bulletin is signed. Its entry
    (`membership.paid`, or `membership.activated`) is in addition to billing's `payment.recorded`:
    the membership is another object. Told again with nothing new, it writes none."""
    membership = lock(membership, related=JOINED)
    previous = membership.paid_on
    from_status = membership.status
    if membership.paid_on is None or paid_on < membership.paid_on:
        membership.paid_on = paid_on
        membership.save(update_fields=["paid_on", "updated_at"])
    activation = _activate_if_complete(membership, actor=actor)
    if not activation and membership.paid_on == previous:
        return membership  # told again about a settled invoice: nothing changed, nothing to log
    _record(
        membership,
        "membership.activated" if activation else "membership.paid",
        actor=actor,
        paid_on=membership.paid_on,
        previous_paid_on=previous,
        status=[from_status, membership.status],
        **activation,
    )
    return membership


def close_due_memberships(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily: end memberships whose notice ran out, expire those of finished seasons, one audit
    entry per membership moved (actor None). Safe to run twice: a membership already moved no
    longer matches."""
    today = today or timezone.localdate()
    counts = {"terminated": 0, "expired": 0}
    due_notice = Membership.objects.filter(status=S.NOTICE_GIVEN, ends_on__lte=today)
    for pk in due_notice.values_list("pk", flat=True):
        with transaction.atomic():
            membership = lock(Membership(pk=pk), related=JOINED)
            if membership.status == S.NOTICE_GIVEN and membership.ends_on <= today:
                from_status, _email = _transition(
                    membership, "end_notice", actor=None, reason="Fin du préavis"
                )
                _record(
                    membership,
                    "membership.notice_ended",
                    actor=None,
                    status=[from_status, membership.status],
                    ends_on=membership.ends_on,
                )
                counts["terminated"] += 1
    finished = Membership.objects.filter(
        status__in=Membership.TRANSITIONS["expire"][0], season__ends_on__lt=today
    )
    for pk in finished.values_list("pk", flat=True):
        with transaction.atomic():
            membership = lock(Membership(pk=pk), related=JOINED)
            if membership.can("expire") and membership.season.ends_on < today:
                from_status, _email = _transition(membership, "expire", actor=None, reason="Fin de la saison")
                _record(
                    membership,
                    "membership.expired",
                    actor=None,
                    status=[from_status, membership.status],
                    ends_on=membership.season.ends_on,
                )
                counts["expired"] += 1
    return counts
