"""Availability of accommodation, night by night: published at once, not versioned."""

import datetime

from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import User

from ..fields import (
    ListingError,
)
from ..models import Availability, Listing
from .proposals import _timeline

AVAILABILITY_HORIZON_DAYS = 731


@transaction.atomic
def set_availability(listing: Listing, *, days: dict[datetime.date, str | None], actor: User) -> int:
    """Set (or clear, with None) the availability of some nights; published at once."""
    if not listing.establishment.category.has_availability:
        raise ListingError("Cette catégorie d'établissement ne publie pas de disponibilités.")
    if not days:
        return 0
    today = timezone.localdate()
    valid = set(Availability.Status.values)
    for day, status in days.items():
        if day < today:
            raise ListingError(
                f"Le {day:%d/%m/%Y} est passé : sa disponibilité ne peut plus être modifiée.", field="days"
            )
        if day > today + datetime.timedelta(days=AVAILABILITY_HORIZON_DAYS):
            raise ListingError("Les disponibilités se publient au plus deux ans à l'avance.", field="days")
        if status is not None and status not in valid:
            raise ListingError(f"État de disponibilité inconnu : {status}.", field="days")
    Availability.objects.filter(listing=listing, date__in=list(days)).delete()
    Availability.objects.bulk_create(
        Availability(office_id=listing.office_id, listing=listing, date=day, status=status)
        for day, status in sorted(days.items())
        if status is not None
    )
    Listing.objects.filter(pk=listing.pk).update(updated_at=timezone.now())
    first, last = min(days), max(days)
    _timeline(
        listing,
        f"Disponibilités de « {listing.establishment.name} » mises à jour "
        f"({len(days)} jour(s), du {first:%d/%m/%Y} au {last:%d/%m/%Y})",
        actor=actor,
    )
    return len(days)
