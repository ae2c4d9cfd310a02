"""Entitlements: what an active membership lets the partner claim, and their consumption."""

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit

from ..errors import MembershipError
from ..models import Entitlement, EntitlementConsumption, Membership, OfferEntitlement

audit.register_actions(
    {
        "entitlement.consumed": gettext_lazy(
            "Droit « %(target)s » utilisé : %(quantity)s (total utilisé : %(used)s)"
        ),
    }
)


def grant_entitlements(membership: Membership) -> list[Entitlement]:
    """Create the membership's entitlements from its lines; idempotent (one row per catalogue
    rule, i.e. per offer and kind).

    Each right keeps its own row, name and count (issue 12, A9): the pack's training seat and two
    seats of the Dutch training bought as an option are two rows, « Inscription à une formation
    réseaux sociaux — 1 » and « Inscription à la formation néerlandais — 2 », never one merged
    row. A per-unit rule counts once per unit bought; a rule without a limit stays without one.

    A step of activation, not a service of its own: the lifecycle service that activates the
    membership lists the kinds granted in its audit entry.
    """
    lines = list(membership.lines.all())
    quantities = {line.offer_id: line.quantity for line in lines}
    positions = {line.offer_id: index for index, line in enumerate(lines)}  # the pack first
    rules = sorted(
        OfferEntitlement.objects.filter(offer__in=quantities.keys()),
        key=lambda rule: (positions[rule.offer_id], rule.pk),
    )
    existing = set(membership.entitlements.values_list("source_id", flat=True))
    valid_from = membership.activated_on or membership.season.starts_on
    return Entitlement.objects.bulk_create(
        Entitlement(
            office_id=membership.office_id,
            membership=membership,
            source=rule,
            kind=rule.kind,
            label=rule.label[:200],
            quantity=None
            if rule.quantity is None
            else rule.quantity * (quantities[rule.offer_id] if rule.per_unit else 1),
            duration_days=rule.duration_days,
            valid_from=valid_from,
            valid_until=membership.season.ends_on,
        )
        for rule in rules
        if rule.pk not in existing
    )


@transaction.atomic
def consume_entitlement(
    entitlement: Entitlement, *, quantity: int = 1, actor: User | None, note: str = ""
) -> EntitlementConsumption:
    """Use part of an entitlement. The conditional UPDATE makes two concurrent claims unable to
    exceed the quantity."""
    if quantity < 1:
        raise MembershipError(_("La quantité doit être d'au moins 1."), field="quantity")
    # The status as stored, under the row lock suspend/terminate take: never the caller's copy.
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .only("status", "office", "organisation_id")
        .select_related("office")
        .get(pk=entitlement.membership_id)
    )
    if not membership.is_live:
        raise MembershipError(_("L'adhésion n'est pas active : ce droit ne peut pas être utilisé."))
    updated = (
        Entitlement.objects.filter(pk=entitlement.pk)
        .filter(Q(quantity__isnull=True) | Q(used__lte=F("quantity") - quantity))
        .update(used=F("used") + quantity)
    )
    if not updated:
        raise MembershipError(
            _("Ce droit est épuisé pour la saison : il peut être commandé en option ou sur devis.")
        )
    entitlement.refresh_from_db(fields=["used"])
    consumption = EntitlementConsumption.objects.create(
        entitlement=entitlement, quantity=quantity, note=note[:250], actor=actor
    )
    # An entry of its own even inside a claim's completion: the entitlement is another object.
    audit.record(
        "entitlement.consumed",
        actor=actor,
        office=membership.office,
        target=entitlement,
        organisation_id=membership.organisation_id,
        data={
            "kind": entitlement.kind,
            "quantity": quantity,
            "used": entitlement.used,
            "limit": entitlement.quantity,
            "consumption": consumption.pk,
        },
    )
    return consumption
