"""Staff moderate a partner's proposal field by field (README, « modération »).

Each field is approved or rejected with a reason: the approved ones go live at once as one
version; the rejected ones stay with the partner, readable and editable in her forms with the
reason beside each (photos kept), until she changes them, brings them back to the published
value or discards them (proposals.py). « Tout valider » and « Tout refuser » are the same
decision for every field.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.directory import services as directory_services

from ..fields import FIELDS, ListingError, plain_text
from ..models import ChangeProposal, Listing, ListingVersion
from .proposals import _apply, _fresh, _new_version, _record, clean_changes


def _decidable(proposal: ChangeProposal) -> ChangeProposal:
    locked = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ChangeProposal.Status.PENDING:
        when = timezone.localtime(locked.decided_at).strftime("%d/%m/%Y %H:%M") if locked.decided_at else ""
        message = _("Cette proposition a déjà été traitée (%(status)s %(when)s).") % {
            "status": locked.get_status_display().lower(),
            "when": when,
        }
        raise ListingError(message.replace(" )", ")"), code="already_decided")
    return locked


@dataclass
class Decision:
    """What a decision did: the version published (None when every field was rejected), the
    fields approved and, for each rejected one, its reason."""

    proposal: ChangeProposal
    version: ListingVersion | None
    approved: list[str]
    rejected: dict[str, str]


def _checked_decisions(proposal: ChangeProposal, decisions: dict[str, dict]) -> dict[str, dict]:
    """One decision per proposed field, each rejection with its reason (plain text)."""
    unknown = set(decisions) - set(proposal.changes)
    if unknown:
        raise ListingError(
            _("Ces champs ne font pas partie de la proposition : %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            field="decisions",
        )
    missing = [key for key in FIELDS if key in proposal.changes and key not in decisions]
    if missing:
        raise ListingError(
            _("Validez ou refusez chaque champ : %(fields)s.")
            % {"fields": ", ".join(str(FIELDS[key].label) for key in missing)},
            field="decisions",
        )
    checked = {}
    for key in FIELDS:
        if key not in proposal.changes:
            continue
        approved = bool(decisions[key].get("approved"))
        reason = "" if approved else plain_text(decisions[key].get("reason"))[:2000]
        if not approved and not reason:
            raise ListingError(
                _("Indiquez au partenaire le motif du refus de « %(field)s ».")
                % {"field": FIELDS[key].label},
                field=f"reason_{key}",
            )
        checked[key] = {"approved": approved, "reason": reason}
    return checked


def _decide(
    proposal: ChangeProposal, decisions: dict[str, dict], *, actor: User, reason: str = ""
) -> Decision:
    """Approve some fields (published at once, as one version) and reject the others (kept with
    the partner, each with its reason, photos included); the proposal is then decided."""
    proposal = _decidable(proposal)
    checked = _checked_decisions(proposal, decisions)
    listing = _fresh(proposal.listing)
    approved = [key for key, decision in checked.items() if decision["approved"]]
    rejected = {key: decision["reason"] for key, decision in checked.items() if not decision["approved"]}
    version = None
    if approved:
        # A value may have gone stale since it was proposed: checked again.
        values = clean_changes(listing, {key: proposal.changes[key] for key in approved})
        _apply(listing, values)
        version = _new_version(
            listing,
            origin=ListingVersion.Origin.APPROVED,
            changed=sorted(values),
            actor=actor,
            proposal=proposal,
        )
    Status = ChangeProposal.Status
    proposal.status = Status.REJECTED if not approved else Status.PARTIAL if rejected else Status.APPROVED
    proposal.decisions = checked
    proposal.returned_fields = sorted(rejected)
    proposal.decided_by, proposal.decided_at, proposal.reason = actor, timezone.now(), reason
    proposal.save()
    return Decision(proposal=proposal, version=version, approved=approved, rejected=rejected)


def _labels(keys) -> list[str]:
    return [str(FIELDS[key].label) for key in FIELDS if key in keys]


def _email(listing: Listing, template: str, actor: User, **context):
    return directory_services.email_organisation(
        listing.establishment.organisation,
        template=template,
        context={"listing": listing, **context},
        actor=actor,
    )


@transaction.atomic
def decide_proposal(proposal: ChangeProposal, *, decisions: dict[str, dict], actor: User) -> Decision:
    """Staff decide field by field: `decisions` = {key: {"approved": bool, "reason": str}} for
    every field of the proposal, a reason for each rejection. The approved fields go live as
    one version; the rejected ones stay with the partner (her forms show them with their
    reasons). One e-mail, one audit entry."""
    decision = _decide(proposal, decisions, actor=actor)
    listing = decision.proposal.listing
    email = _email(
        listing,
        "listing_approved" if not decision.rejected else "listing_decided",
        actor,
        fields=_labels(decision.approved),
        rejected=[(str(FIELDS[key].label), reason) for key, reason in decision.rejected.items()],
    )
    _record(
        "listing.proposal_decided",
        listing,
        actor=actor,
        proposal=decision.proposal.pk,
        approved=decision.approved,
        rejected=decision.rejected,
        approved_fields=", ".join(decision.approved) or "—",
        rejected_fields=", ".join(decision.rejected) or "—",
        version=decision.version.number if decision.version else None,
        email=email.pk if email else None,
    )
    return decision


@transaction.atomic
def approve_proposal(proposal: ChangeProposal, *, actor: User) -> ListingVersion:
    """« Tout valider »: every field of the proposal approved."""
    decision = _decide(proposal, dict.fromkeys(proposal.changes, {"approved": True}), actor=actor)
    listing, version = decision.proposal.listing, decision.version
    email = _email(listing, "listing_approved", actor, fields=_labels(decision.approved))
    _record(
        "listing.proposal_approved",
        listing,
        actor=actor,
        proposal=decision.proposal.pk,
        fields=sorted(decision.approved),
        version=version.number,
        email=email.pk if email else None,
    )
    return version


@transaction.atomic
def reject_proposal(proposal: ChangeProposal, *, actor: User, reason: str) -> ChangeProposal:
    """« Tout refuser »: every field rejected for the one reason. Nothing is lost: the values
    (photos included) stay with the partner, to correct and propose again."""
    reason = plain_text(reason)[:2000]
    if not reason:
        raise ListingError(_("Indiquez au partenaire le motif du refus."), field="reason")
    decisions = dict.fromkeys(proposal.changes, {"approved": False, "reason": reason})
    decision = _decide(proposal, decisions, actor=actor, reason=reason)
    listing = decision.proposal.listing
    email = _email(listing, "listing_rejected", actor, reason=reason, fields=_labels(decision.rejected))
    _record(
        "listing.proposal_rejected",
        listing,
        actor=actor,
        proposal=decision.proposal.pk,
        fields=sorted(decision.rejected),
        reason=reason,
        email=email.pk if email else None,
    )
    return decision.proposal
