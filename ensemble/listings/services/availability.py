"""Availability of accommodation, night by night: published at once, not versioned."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.models import User

from ..fields import (
    ListingError,
)
from ..models import Availability, Listing
from .proposals import _record

AVAILABILITY_HORIZON_DAYS = 731


@transaction.atomic
def set_availability(listing: Listing, *, days: dict[datetime.date, str | None], actor: User) -> int:
    """Set (or clear, with None) the availability of some nights; published at once."""
    if not listing.establishment.category.has_availability:
        raise ListingError(_("Cette catégorie d'établissement ne publie pas de disponibilités."))
    if not days:
        return 0
    today = timezone.localdate()
    valid = set(Availability.Status.values)
    for day, status in days.items():
        if day < today:
            raise ListingError(
                _("Le %(day)s est passé : sa disponibilité ne peut plus être modifiée.")
                % {"day": f"{day:%d/%m/%Y}"},
                field="days",
            )
        if day > today + datetime.timedelta(days=AVAILABILITY_HORIZON_DAYS):
            raise ListingError(_("Les disponibilités se publient au plus deux ans à l'avance."), field="days")
        if status is not None and status not in valid:
            raise ListingError(
                _("État de disponibilité inconnu : %(status)s.") % {"status": status}, field="days"
            )
    Availability.objects.filter(listing=listing, date__in=list(days)).delete()
    Availability.objects.bulk_create(
        Availability(office_id=listing.office_id, listing=listing, date=day, status=status)
        for day, status in sorted(days.items())
        if status is not None
    )
    Listing.objects.filter(pk=listing.pk).update(updated_at=timezone.now())
    _record(
        "listing.availability_set",
        listing,
        actor=actor,
        days=len(days),
        first=min(days),
        last=max(days),
        statuses={day.isoformat(): status for day, status in sorted(days.items())},
    )
    return len(days)
