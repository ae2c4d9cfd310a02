"""Deterministic made-up identifiers: the same partner key always gives the same SIRET, phone,
e-mail, position and dates, whatever the order of the data."""

import dataclasses
import datetime
import hashlib
from decimal import Decimal

from django.utils.text import slugify
from stdnum import luhn

from .offices import DEMO_DAY
from .partners import TOWNS, PartnerSpec

BANKS = [
    "Crédit Agricole Nord de France",
    "CIC Nord Ouest",
    "Caisse d'Épargne Hauts de France",
    "Banque Populaire du Nord",
    "La Banque Postale",
]


def digest(key: str, salt: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{salt}:{key}".encode()).digest()[:8], "big")


def siret_for(key: str) -> str:
    """A SIRET whose SIREN and SIRET both pass the Luhn check (as tests/factories.py does)."""
    base = str(10_000_000 + digest(key, "siren") % 89_999_999)
    siren = base + luhn.calc_check_digit(base)
    establishment = siren + "0001"
    return establishment + luhn.calc_check_digit(establishment)


def phone_for(key: str) -> str:
    """A landline of the area (03 21 …), or now and then a mobile."""
    n = digest(key, "phone")
    prefix = "06" if n % 6 == 0 else "03 21"
    rest = n // 7
    pairs = [f"{rest // 100**i % 100:02d}" for i in range(4)]
    if prefix == "06":  # 06 10 … to 06 38 …: allocated mobile ranges
        return " ".join(["06", f"{10 + rest % 29}", *pairs[1:]])
    return " ".join(["03 21", *pairs[:3]])


def email_for(spec: PartnerSpec) -> str:
    if spec.email:
        return spec.email
    first = slugify(spec.contact.split(" ", 1)[0]).replace("-", "")
    domain = slugify(spec.name)[:40].strip("-")
    return f"{first}@{domain}.example"


def coordinates_for(spec: PartnerSpec) -> tuple[Decimal, Decimal]:
    """The town centre moved by up to ~600 m, so markers of one town do not pile up."""
    _, latitude, longitude = TOWNS[spec.town]
    n = digest(spec.key, "position")
    d_lat = (n % 1000 / 1000 - 0.5) * 0.011
    d_lon = (n // 1000 % 1000 / 1000 - 0.5) * 0.016
    quantum = Decimal("0.000001")
    return (
        Decimal(str(latitude + d_lat)).quantize(quantum),
        Decimal(str(longitude + d_lon)).quantize(quantum),
    )


@dataclasses.dataclass(frozen=True)
class Dates:
    """When things happen to one partner's membership, in its season's year."""

    joined: datetime.date
    accepted: datetime.date
    paid: datetime.date
    later: datetime.date  # suspension, termination by the office, staff notes
    notice: datetime.date  # the partner's notice, for those who give it


def _plus(day: datetime.date, key: str, salt: str, low: int, high: int) -> datetime.date:
    return day + datetime.timedelta(days=low + digest(key, salt) % (high - low + 1))


def dates_for(spec: PartnerSpec, year: int) -> Dates:
    """Requests still open at the demo's date arrived in the autumn; the others in the spring.
    Every date falls on or before `DEMO_DAY` (15 December of the season)."""
    key = spec.key
    if spec.outcome == "requested":
        joined = _plus(datetime.date(year, 11, 20), key, "joined", 0, 20)
    elif spec.outcome.startswith("awaiting_payment"):
        joined = _plus(datetime.date(year, 10, 15), key, "joined", 0, 30)
    else:
        joined = _plus(datetime.date(year, 1, 3), key, "joined", 0, 110)
    accepted = _plus(joined, key, "accepted", 1, 5)
    paid = _plus(accepted, key, "paid", 2, 20)
    later = _plus(paid, key, "later", 60, 150)
    notice = datetime.date(year, 12, 2) if spec.outcome == "notice_given" else paid + _45_DAYS
    # Early in the real season, everything that has not happened yet happens on the demo's day.
    joined, accepted, paid, later, notice = (
        min(day, DEMO_DAY) for day in (joined, accepted, paid, later, notice)
    )
    return Dates(joined=joined, accepted=accepted, paid=paid, later=later, notice=notice)


_45_DAYS = datetime.timedelta(days=45)


def cheque_number(key: str) -> str:
    return f"{digest(key, 'cheque') % 10_000_000:07d}"


def bank_for(key: str) -> str:
    return BANKS[digest(key, "bank") % len(BANKS)]
