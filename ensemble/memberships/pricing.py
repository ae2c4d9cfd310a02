"""When a membership starts, and what one that starts late pays (issue 12, A10).

Seasons are calendar years. A membership requested on day `d` for season S:

- during S (`d` after its first day): it starts on `d`; S's rule says what it pays: the full
  price (`full`, and `next_season` until the next season is on sale), or the pack at the prorata
  of the days left (`prorata`): price × days covered / days in the season, rounded half-up to
  the cent on the line (options are services delivered once: full price);
- before S (the join form sells S from its `sales_from` date): it starts on S's first day, unless
  the season before S counts its late memberships in the next one (`next_season`): then it
  starts on `d`, the end of that season offered, at S's full price.

The invoice's service period (BT-73/BT-74, and the PDF) runs from that start to S's last day.
"""

import dataclasses
import datetime
from decimal import Decimal

from .models import LateStart, Offer, Season


@dataclasses.dataclass(frozen=True)
class JoinTerms:
    season: Season
    starts_on: datetime.date
    prorata_days: int | None = None  # the days the pack is charged for, when prorated

    def unit_price(self, offer: Offer) -> Decimal | None:
        """What one unit of `offer` costs (TTC) for this membership; None when it is not priced."""
        if not offer.is_priced or offer.price_ttc is None:
            return None
        if self.prorata_days is None or offer.kind != Offer.Kind.PACK:
            return offer.price_ttc
        return prorated(offer.price_ttc, self.prorata_days, self.season.days)

    def prorata_of(self, offer: Offer) -> int | None:
        return self.prorata_days if offer.kind == Offer.Kind.PACK and offer.is_priced else None


def prorated(price: Decimal, days: int, season_days: int) -> Decimal:
    """price × days / season_days, rounded half-up to the cent, in integers (no float, no
    intermediate rounding): 190,00 € × 25 / 365 = 13,013… → 13,01 €."""
    numerator = int(price.quantize(Decimal("0.01")) * 100) * days
    cents, rest = divmod(numerator, season_days)
    if 2 * rest >= season_days:
        cents += 1
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def join_terms(season: Season, *, today: datetime.date) -> JoinTerms:
    """When a membership of `season` requested `today` starts, and whether its pack is prorated."""
    if today > season.starts_on:
        prorata = season.late_start_rule == LateStart.PRORATA
        return JoinTerms(
            season, starts_on=today, prorata_days=(season.ends_on - today).days + 1 if prorata else None
        )
    if today < season.starts_on:
        previous = Season.objects.filter(office_id=season.office_id, year=season.year - 1).first()
        if (
            previous is not None
            and previous.late_start_rule == LateStart.NEXT_SEASON
            and previous.contains(today)
        ):
            return JoinTerms(season, starts_on=today)
    return JoinTerms(season, starts_on=season.starts_on)
