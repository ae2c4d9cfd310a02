"""Bulk-generate invented partners in the "bench" office, fast (bulk_create, no services).

    DJANGO_SETTINGS_MODULE=ensemble.settings.dev .venv/bin/python bench/generate_partners.py --partners 5000

Each partner is an organisation with one establishment, one contact and one membership of the
bench office's open season (pack line included; a payment for the ones that were paid). Statuses
are written directly: this is load data for benchmarks, not a demo of the workflow (see
`manage.py load_demo` for that). Running it again adds `--partners` more.

`generate_partners()` is importable (bench/bench_membership.py uses it) once Django is set up.
"""

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFICE_SLUG = "bench"
STAFF_EMAIL = "staff@bench.example"
BATCH = 1000

# status -> share of the memberships (per thousand)
STATUS_MIX = [
    ("active", 600),
    ("awaiting_payment", 100),
    ("requested", 100),
    ("notice_given", 30),
    ("suspended", 20),
    ("refused", 50),
    ("terminated", 50),
    ("expired", 50),
]
PAID = {"active", "notice_given", "suspended", "terminated", "expired"}
TOWNS = [
    ("Saint-Omer", "62500", 50.750, 2.252),
    ("Arques", "62510", 50.736, 2.303),
    ("Longuenesse", "62219", 50.737, 2.244),
    ("Aire-sur-la-Lys", "62120", 50.639, 2.396),
    ("Blendecques", "62575", 50.718, 2.285),
    ("Wizernes", "62570", 50.711, 2.237),
    ("Lumbres", "62380", 50.707, 2.123),
    ("Eperlecques", "62910", 50.806, 2.154),
]
KINDS = ["Hôtel", "Gîte", "Chambres d'hôtes", "Restaurant", "Estaminet", "Bar", "Balades", "Ferme"]
FIRST_NAMES = ["Camille", "Louis", "Léa", "Hugo", "Chloé", "Arthur", "Manon", "Jules", "Inès"]
LAST_NAMES = ["Vandamme", "Lemaire", "Decroix", "Bruneel", "Wallart", "Coppin", "Hochart"]
LANGUAGES = ["fr"] * 8 + ["en", "nl"]


def setup_django(default_settings: str = "ensemble.settings.dev") -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    import django

    django.setup()


def siret(number: int) -> str:
    """A valid SIRET (SIREN and SIRET pass the Luhn check) for an 8-digit number."""
    from stdnum import luhn

    base = f"{number:08d}"
    siren = base + luhn.calc_check_digit(base)
    nic = siren + "0001"
    return nic + luhn.calc_check_digit(nic)


def status_for(i: int) -> str:
    slot = i * 7 % 1000  # spread the statuses evenly through the list
    for status, share in STATUS_MIX:
        if slot < share:
            return status
        slot -= share
    return "active"


def ensure_bench_office():
    """The bench office, its categories, its open season (seed catalogue) and a staff login."""
    from django.utils import timezone

    from ensemble.accounts.models import StaffMembership
    from ensemble.accounts.services import get_or_create_login
    from ensemble.core.models import Office
    from ensemble.directory.services import ensure_default_categories
    from ensemble.memberships.services import install_seed_catalogue

    office, _ = Office.objects.get_or_create(
        slug=OFFICE_SLUG,
        defaults={
            "name": "Office de tourisme (banc d'essai)",
            "address": "1, place du Banc",
            "postcode": "62500",
            "city": "Saint-Omer",
            "email": "bench@bench.example",
        },
    )
    categories = ensure_default_categories(office)
    season = install_seed_catalogue(office, year=timezone.localdate().year, open_for_joining=True)
    staff = get_or_create_login(STAFF_EMAIL, full_name="Équipe banc d'essai")
    StaffMembership.objects.get_or_create(
        user=staff, office=office, defaults={"pole": StaffMembership.Pole.PARTNERS}
    )
    return office, categories, season, staff


def _organisations(office, start: int, count: int) -> list:
    from ensemble.directory.models import Organisation

    rows = []
    for i in range(start, start + count):
        town, postcode, _, _ = TOWNS[i % len(TOWNS)]
        number = siret(20_000_000 + i)
        rows.append(
            Organisation(
                office=office,
                name=f"{KINDS[i % len(KINDS)]} du banc n° {i}",
                siren=number[:9],
                siret=number,
                address=f"{1 + i % 120}, rue du Banc",
                postcode=postcode,
                city=town,
                email=f"partner{i}@bench.example",
                phone=f"+3332100{i % 10_000:04d}",
            )
        )
    return Organisation.objects.bulk_create(rows, batch_size=BATCH)


def _establishments_and_contacts(office, organisations: list, categories: list, start: int):
    from ensemble.directory.models import Contact, Establishment

    establishments, contacts = [], []
    for offset, organisation in enumerate(organisations):
        i = start + offset
        _, _, latitude, longitude = TOWNS[i % len(TOWNS)]
        establishments.append(
            Establishment(
                office=office,
                organisation=organisation,
                name=organisation.name,
                category=categories[i % len(categories)],
                address=organisation.address,
                postcode=organisation.postcode,
                city=organisation.city,
                latitude=Decimal(f"{latitude + (i % 97) / 10_000:.6f}"),
                longitude=Decimal(f"{longitude + (i % 89) / 10_000:.6f}"),
                phone=organisation.phone,
                email=organisation.email,
            )
        )
        contacts.append(
            Contact(
                office=office,
                organisation=organisation,
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                last_name=LAST_NAMES[i % len(LAST_NAMES)],
                email=organisation.email,
                language=LANGUAGES[i % len(LANGUAGES)],
                is_primary=True,
            )
        )
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    return Establishment.objects.bulk_create(establishments, batch_size=BATCH)


def _memberships(office, season, organisations, establishments, start: int) -> list:
    from ensemble.memberships.models import Membership

    rows = []
    for offset, (organisation, establishment) in enumerate(zip(organisations, establishments, strict=True)):
        status = status_for(start + offset)
        live = status in PAID
        rows.append(
            Membership(
                office=office,
                season=season,
                organisation=organisation,
                establishment=establishment,
                status=status,
                payment_method="cheque" if offset % 3 else "transfer",
                amount_due=Decimal("90.00"),
                bulletin_signed_on=season.starts_on,
                accepted_on=season.starts_on if status not in ("requested", "refused") else None,
                activated_on=season.starts_on if live else None,
                ends_on=season.ends_on if live else None,
            )
        )
    return Membership.objects.bulk_create(rows, batch_size=BATCH)


def _lines_and_payments(office, season, memberships: list, staff) -> None:
    """The pack line of every membership; for the paid ones, an issued invoice and its cheque."""
    from django.utils import timezone

    from ensemble.billing.models import Invoice
    from ensemble.billing.payments import Payment
    from ensemble.memberships.models import MembershipLine, Offer

    pack = Offer.objects.get(season=season, code="pack-partenaire")
    MembershipLine.objects.bulk_create(
        (MembershipLine(membership=m, offer=pack, unit_price_ttc=pack.price_ttc) for m in memberships),
        batch_size=BATCH,
    )
    received_on = min(season.starts_on + datetime.timedelta(days=20), timezone.localdate())
    paid = [m for m in memberships if m.status in PAID]
    start = Invoice.objects.filter(office=office).count()
    invoices = Invoice.objects.bulk_create(
        (
            Invoice(
                office=office,
                organisation_id=m.organisation_id,
                membership=m,
                state=Invoice.State.ISSUED,
                number=f"FA-{season.year}-{start + i + 1:05d}",
                issue_date=received_on,
                due_date=received_on,
                buyer_name="Bench",
                buyer_address="1 rue du Banc",
                buyer_postcode="62500",
                buyer_city="Saint-Omer",
                total_ht=pack.price_ht,
                total_vat=pack.vat_amount,
                total_ttc=m.amount_due,
            )
            for i, m in enumerate(paid)
        ),
        batch_size=BATCH,
    )
    Payment.objects.bulk_create(
        (
            Payment(
                office=office,
                organisation_id=invoice.organisation_id,
                invoice=invoice,
                method="cheque",
                amount=invoice.total_ttc,
                allocated=invoice.total_ttc,
                received_on=received_on,
                cheque_number=f"{invoice.membership_id:07d}",
                recorded_by=staff,
            )
            for invoice in invoices
        ),
        batch_size=BATCH,
    )


def generate_partners(count: int) -> dict:
    """Add `count` partners to the bench office; returns the office, staff user and row counts."""
    from django.db import transaction

    from ensemble.directory.models import Organisation

    office, categories, season, staff = ensure_bench_office()
    with transaction.atomic():
        start = Organisation.objects.filter(office=office).count()
        organisations = _organisations(office, start, count)
        establishments = _establishments_and_contacts(office, organisations, categories, start)
        memberships = _memberships(office, season, organisations, establishments, start)
        _lines_and_payments(office, season, memberships, staff)
    return {"office": office, "season": season, "staff": staff, "created": len(organisations)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=5000)
    args = parser.parse_args()
    setup_django()
    started = time.perf_counter()
    result = generate_partners(args.partners)
    elapsed = time.perf_counter() - started
    print(f"{result['created']} partners added to /{OFFICE_SLUG}/ in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
