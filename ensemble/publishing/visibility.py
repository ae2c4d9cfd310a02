"""Whether visitors see a listing today, and why not: what the espace pro and the back office say
about a listing (« En ligne » / « Pas en ligne : adhésion en attente de validation »…).

"Online" is not decided here: it is the public page's own answer, the listing's visible
publication snapshot (`selectors.snapshots_by_listing`, the rule of `published_listings`,
applied when the snapshot is written and compared with today's date when it is read). This
module only explains a "no", from the rows that rule reads: the withdrawal by the office, then
the partner's membership of the office.
"""

import datetime
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ensemble.core.models import Office
from ensemble.listings.models import Listing
from ensemble.memberships.models import Membership

from . import selectors

S = Membership.Status


@dataclass(frozen=True)
class Visibility:
    online: bool
    label: str  # « En ligne » / « Pas en ligne »
    reason: str = ""  # why not (or, online, a note: « lieu publié par l'office »)

    @property
    def badge(self) -> str:
        """The CSS class of the badge (the statuses' colours)."""
        return "active" if self.online else "suspended"

    def __str__(self) -> str:
        return f"{self.label} : {self.reason}" if self.reason else self.label


def listings_visibility(office: Office, listings: list[Listing]) -> dict[int, Visibility]:
    """Per listing id (listings of `office`), what visitors see today; two queries."""
    today = timezone.localdate()
    online = set(selectors.snapshots_by_listing(office, [listing.pk for listing in listings]))
    offline = [listing for listing in listings if listing.pk not in online]
    memberships = _memberships(office, {listing.organisation_id for listing in offline}, today)
    result = {}
    for listing in listings:
        if listing.pk in online:
            note = _("lieu publié par l'office") if listing.is_office_place else ""
            result[listing.pk] = Visibility(True, _("En ligne"), note)
        else:
            reason = _why_not(listing, memberships.get(listing.organisation_id, []), today)
            result[listing.pk] = Visibility(False, _("Pas en ligne"), reason)
    return result


def listing_visibility(office: Office, listing: Listing) -> Visibility:
    return listings_visibility(office, [listing])[listing.pk]


def _memberships(office: Office, organisation_ids: set[int], today: datetime.date) -> dict[int, list]:
    """The organisations' memberships of seasons not over, soonest season first."""
    if not organisation_ids:
        return {}
    rows = (
        Membership.objects.filter(
            office=office, organisation_id__in=organisation_ids, season__ends_on__gte=today
        )
        .select_related("season")
        .order_by("season__starts_on", "-created_at")
    )
    by_organisation: dict[int, list] = {}
    for membership in rows:
        by_organisation.setdefault(membership.organisation_id, []).append(membership)
    return by_organisation


WAITING = {
    S.REQUESTED: lambda: _("adhésion en attente de validation par l'office"),
    S.AWAITING_PAYMENT: lambda: _("adhésion en attente de règlement"),
    S.SUSPENDED: lambda: _("adhésion suspendue"),
}


def _why_not(listing: Listing, memberships: list[Membership], today: datetime.date) -> str:
    if listing.unpublished_at is not None:
        return _("dépubliée par l'office")
    for membership in memberships:
        if membership.is_live and membership.service_start > today:
            return _("adhésion active à partir du %(date)s") % {
                "date": formats.date_format(membership.service_start, "d/m/Y")
            }
        if membership.status in WAITING:
            return WAITING[membership.status]()
    if listing.is_office_place:  # shown whatever the memberships: only a pending refresh
        return _("publication en cours")
    if any(membership.is_live for membership in memberships):
        return _("publication en cours")
    return _("aucune adhésion en cours")
