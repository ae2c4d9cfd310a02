"""Generate many offices on one database, each with its partners, fast (bulk inserts, no services
for the bulk rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble_offices \\
        .venv/bin/python bench/generate_offices.py --offices 1000 --partners 300

    .venv/bin/python bench/generate_offices.py --offices 5 --partners 30   # seconds, SQLite

The database must be migrated first (`manage.py migrate`). Without DATABASE_URL the data go to
SQLite, var/bench/offices.db. Settings default to `ensemble.settings.base` with DEBUG off.

Each office (`o0001`, `o0002`…; `--prefix` to change, a second run with another prefix adds
more offices) gets:

- its reference rows: the five categories, the previous season (closed) and the current one (open)
  with the seed catalogue (offers, their entitlements, charter and CGV), the billing profile,
  one read-only staff login `staff@<slug>.bench.example` (role « lecture »). The first office of
  the run gets them through the services (`ensure_default_categories`, `install_seed_catalogue`);
  the others get copies of its rows in bulk (the services cost 140 ms and 170 queries an office);
- `--partners` organisations, each with an establishment (one in five has a second one), a
  listing per establishment (descriptions, search fields), one or two contacts; one organisation
  in five has a login for the espace pro (the first one always: `pro0@<slug>.bench.example`);
- memberships: 75 % of the organisations were members last season (expired or terminated), 92 %
  have a membership this season (60 % active, 10 % awaiting payment, 8 % requested, 5 % refused,
  4 % terminated, 3 % notice given, 2 % suspended); the pack line, and an option for one in four;
  the entitlements of the pack for this season's live memberships;
- the invoices of every accepted membership (one per membership, its lines), issued and numbered
  in the office's series (`FA-<year>-00001`…, the number counters set to the last number), and
  the payment of the paid ones (cheque or transfer); the unpaid ones are past due.

The money guards (billing migration 0006) hold: they refuse to UPDATE or DELETE an issued
invoice and to INSERT a line into one, but not to INSERT an invoice. The lines have to exist
before the invoice is issued, so each invoice is inserted as a draft, its lines after it, then a
batch of drafts is issued by one UPDATE (draft → issued is the only UPDATE the guard lets
through, the one `issue_invoice` makes). Payments and acceptance evidence are only inserted.

Written directly, as load data for benchmarks: no audit entries, no e-mails, no PDFs, no listing
versions. Everything is in one transaction (a failure leaves nothing behind); ANALYZE follows
(VACUUM ANALYZE on PostgreSQL: the issuing UPDATE leaves a dead version of every invoice row).
`generate()` is importable once Django is set up (tests/test_office_scale.py uses it).
"""

import argparse
import dataclasses
import datetime
import operator
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
CHUNK_PARTNERS = 6000  # partners written per round of inserts (offices are never split)
BATCH = 2000  # rows per INSERT statement
ISSUE_BATCH = 2000  # invoices per issuing UPDATE (3 parameters each: SQLite allows 32,766)

# Per hundred organisations, this season (the rest have none).
CURRENT_MIX = [
    ("active", 60),
    ("awaiting_payment", 10),
    ("requested", 8),
    ("refused", 5),
    ("terminated", 4),
    ("notice_given", 3),
    ("suspended", 2),
]
NOT_INVOICED = {"requested", "refused"}
UNPAID = {"awaiting_payment"}
LIVE = {"active", "notice_given"}
OPTIONS = ["photos-10", "video-clip", "photos-25", "formation-anglais"]

TOWNS = [
    ("Saint-Omer", "62500", 50.750, 2.252),
    ("Arques", "62510", 50.736, 2.303),
    ("Longuenesse", "62219", 50.737, 2.244),
    ("Aire-sur-la-Lys", "62120", 50.639, 2.396),
    ("Blendecques", "62575", 50.718, 2.285),
    ("Wizernes", "62570", 50.711, 2.237),
    ("Lumbres", "62380", 50.707, 2.123),
    ("Eperlecques", "62910", 50.806, 2.154),
    ("Clairmarais", "62500", 50.770, 2.303),
    ("Thérouanne", "62129", 50.637, 2.258),
    ("Fauquembergues", "62560", 50.600, 2.093),
]
KINDS = ["Hôtel", "Gîte", "Chambres d'hôtes", "Restaurant", "Estaminet", "Bar", "Balades", "Ferme"]
QUALIFIERS = ["du Marais", "de la Cathédrale", "des Remparts", "du Vieux Moulin", "de l'Aa",
              "des Watergangs", "du Haut-Pont", "de la Lys", "du Beffroi", "des Tisserands"]  # fmt: skip
FIRST_NAMES = ["Camille", "Louis", "Léa", "Hugo", "Chloé", "Arthur", "Manon", "Jules", "Inès", "Théo"]
LAST_NAMES = ["Vandamme", "Lemaire", "Decroix", "Bruneel", "Wallart", "Coppin", "Hochart", "Dewulf",
              "Vasseur", "Pruvost", "Verhaeghe", "Mahieu"]  # fmt: skip
LANGUAGES = ["fr"] * 8 + ["en", "nl"]


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("ENSEMBLE_VAR_DIR", str(BENCH_VAR / "offices"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_VAR / 'offices.db'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings.base")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()


def siret(number: int) -> str:
    """A valid SIRET (SIREN and SIRET pass the Luhn check) for an 8-digit number."""
    from stdnum import luhn

    base = f"{number:08d}"
    siren = base + luhn.calc_check_digit(base)
    nic = siren + "0001"
    return nic + luhn.calc_check_digit(nic)


def current_status(i: int) -> str | None:
    """This season's status of the i-th organisation of an office (None: not a member)."""
    slot = i * 37 % 100  # 37 is prime to 100: every slot once per hundred, spread through the list
    for status, share in CURRENT_MIX:
        if slot < share:
            return status
        slot -= share
    return None


def bulk(model, rows: list, *, vectors: list | None = None) -> list:
    """Insert `rows` (unsaved instances) and give them their ids: bulk_create on SQLite, COPY on
    PostgreSQL (4-5 times faster here). `vectors`: for listings, the (name, rest) each row's
    search vector is built from, as `listings.search.refresh_search` builds it."""
    from django.db import connection

    if not rows:
        return rows
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(rows, batch_size=BATCH)
    return copy_rows(model, rows, vectors)


def copy_rows(model, rows: list, vectors: list | None) -> list:
    """COPY on PostgreSQL. The ids are drawn from the table's sequence first (the rows that follow
    point at them); every field goes through `pre_save` and `get_db_prep_save` as in an INSERT.
    A listing's search vector is an expression, which COPY cannot carry: listings go through a
    temporary table, then one INSERT … SELECT computes the vector (no UPDATE, no dead rows)."""
    from django.db import connection

    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (vectors and f.name == "search_vector")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
        columns = [connection.ops.quote_name(f.column) for f in fields]
        table = meta.db_table
        if vectors:
            table = "generator_stage"
            listed = ", ".join(columns)  # names from the model's metadata, not from input
            stage = f"CREATE TEMPORARY TABLE {table} AS SELECT {listed} FROM {meta.db_table} WITH NO DATA"  # noqa: S608
            cursor.execute(stage)
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN vector_name text, ADD COLUMN vector_rest text")
        names = ", ".join(columns + (["vector_name", "vector_rest"] if vectors else []))
        getters = [value_getter(f) for f in fields]
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for n, row in enumerate(rows):
                values = [get(row) for get in getters]
                copy.write_row(values + list(vectors[n]) if vectors else values)
        if vectors:
            insert_listings_from_stage(cursor, meta.db_table, columns, table)
    for row in rows:
        row._state.adding, row._state.db = False, "default"
    return rows


def value_getter(field):
    """How COPY reads a field of a row: psycopg takes str, int, bool, Decimal, date and aware
    datetime as they are; JSON goes through the field's adapter, auto_now fields through
    `pre_save` (which stamps them) — what an INSERT would do, minus the per-value calls."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.models import JSONField

    wrapper = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the thread-local proxy
    if isinstance(field, JSONField):
        return lambda row: field.get_db_prep_save(getattr(row, field.attname), wrapper)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda row: field.pre_save(row, True)
    return operator.attrgetter(field.attname)


def insert_listings_from_stage(cursor, target: str, columns: list, stage: str) -> None:
    from ensemble.listings.search import CONFIG

    vector = (
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(vector_name, '')), 'A') || "
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(vector_rest, '')), 'B')"
    )
    listed = ", ".join(columns)
    sql = f"INSERT INTO {target} ({listed}, search_vector) SELECT {listed}, {vector} FROM {stage}"  # noqa: S608
    cursor.execute(sql)
    cursor.execute(f"DROP TABLE {stage}")


# ---- offices and their reference rows -------------------------------------------------------


@dataclasses.dataclass
class OfficeRefs:
    """What the partners' rows of one office point at."""

    office: object
    staff: object
    categories: list
    seasons: dict  # year -> Season
    offers: dict  # (year, code) -> Offer
    entitlements: dict  # offer id -> [OfferEntitlement]
    seller: dict
    payment_terms_days: int
    next_invoice: dict = dataclasses.field(default_factory=dict)  # year -> next number


def create_offices(prefix: str, count: int) -> list:
    from ensemble.core.models import Office

    if Office.objects.filter(slug__startswith=prefix).exists():
        raise SystemExit(
            f"Offices « {prefix}… » already exist in this database: nothing was generated. "
            "Drop the database or choose another --prefix."
        )
    offices = []
    for n in range(1, count + 1):
        town, postcode, *_ = TOWNS[n % len(TOWNS)]
        slug = f"{prefix}{n:04d}"
        offices.append(
            Office(
                slug=slug,
                name=f"Office de tourisme n° {n} ({town})",
                domain=f"{slug}.bench.example",
                legal_name=f"Office de tourisme n° {n}",
                address=f"{n % 90 + 1}, place du Marché",
                postcode=postcode,
                city=town,
                email=f"accueil@{slug}.bench.example",
                cheque_payee=f"Office de tourisme n° {n}",
            )
        )
    return bulk(Office, offices)


def install_template(office, today: datetime.date) -> None:
    """The first office's reference rows, through the services."""
    from ensemble.directory.services import ensure_default_categories
    from ensemble.memberships.services import install_seed_catalogue

    ensure_default_categories(office)
    install_seed_catalogue(office, year=today.year - 1, open_for_joining=False)
    install_seed_catalogue(office, year=today.year, open_for_joining=True)


def copy_of(row, **changes):
    """An unsaved copy of `row` with `changes` (no primary key; timestamps set again on insert)."""
    values = {
        f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields if not f.primary_key
    }
    values.update(changes)
    return type(row)(**values)


def copy_reference_rows(template, offices: list) -> None:
    """The template office's categories, seasons, offers, entitlements and terms, for `offices`."""
    from ensemble.directory.models import Category
    from ensemble.memberships.models import Offer, OfferEntitlement, Season, TermsDocument

    bulk(
        Category,
        [copy_of(c, office_id=o.pk) for o in offices for c in Category.objects.filter(office=template)],
    )
    seasons = list(Season.objects.filter(office=template))
    new_seasons = bulk(Season, [copy_of(s, office_id=o.pk) for o in offices for s in seasons])
    season_map = {(s.office_id, s.year): s.pk for s in new_seasons}
    year_of = {s.pk: s.year for s in seasons}
    offers = list(Offer.objects.filter(office=template))
    new_offers = bulk(
        Offer,
        [
            copy_of(f, office_id=o.pk, season_id=season_map[o.pk, year_of[f.season_id]])
            for o in offices
            for f in offers
        ],
    )
    offer_map = {(f.office_id, f.season_id, f.code): f.pk for f in new_offers}
    source = {f.pk: f for f in offers}
    rights = list(OfferEntitlement.objects.filter(offer__office=template))
    bulk(
        OfferEntitlement,
        [
            copy_of(r, offer_id=offer_map[o.pk, season_map[o.pk, year_of[source[r.offer_id].season_id]],
                                          source[r.offer_id].code])
            for o in offices
            for r in rights
        ],
    )  # fmt: skip
    terms = list(TermsDocument.objects.filter(office=template))
    bulk(
        TermsDocument,
        [
            copy_of(t, office_id=o.pk, season_id=season_map[o.pk, year_of[t.season_id]])
            for o in offices
            for t in terms
        ],
    )


def create_staff(offices: list) -> dict:
    """One read-only staff login per office (no second factor needed to read the back office)."""
    from django.contrib.auth.hashers import make_password

    from ensemble.accounts.models import StaffMembership, User
    from ensemble.accounts.roles import Role

    users = bulk(
        User,
        [
            User(
                email=f"staff@{o.slug}.bench.example",
                full_name=f"Équipe {o.slug}",
                password=make_password(None),
            )
            for o in offices
        ],
    )
    bulk(
        StaffMembership,
        [
            StaffMembership(user=u, office=o, pole=StaffMembership.Pole.PARTNERS, role=Role.READ_ONLY)
            for o, u in zip(offices, users, strict=True)
        ],
    )
    return {o.pk: u for o, u in zip(offices, users, strict=True)}


def office_refs(offices: list, staff: dict) -> list[OfficeRefs]:
    from ensemble.billing.models import BillingProfile
    from ensemble.billing.services.invoices import seller_snapshot
    from ensemble.directory.models import Category
    from ensemble.memberships.models import Offer, OfferEntitlement, Season

    ids = [o.pk for o in offices]
    bulk(BillingProfile, [BillingProfile(office=o) for o in offices])
    categories, seasons, offers, rights = {}, {}, {}, {}
    for c in Category.objects.filter(office_id__in=ids).order_by("position"):
        categories.setdefault(c.office_id, []).append(c)
    for s in Season.objects.filter(office_id__in=ids):
        seasons.setdefault(s.office_id, {})[s.year] = s
    for f in Offer.objects.filter(office_id__in=ids).select_related("season"):
        offers.setdefault(f.office_id, {})[f.season.year, f.code] = f
    for r in OfferEntitlement.objects.filter(offer__office_id__in=ids).order_by("id"):
        rights.setdefault(r.offer_id, []).append(r)
    return [
        OfficeRefs(
            office=o,
            staff=staff[o.pk],
            categories=categories[o.pk],
            seasons=seasons[o.pk],
            offers=offers[o.pk],
            entitlements=rights,
            seller=seller_snapshot(o),
            payment_terms_days=30,
        )
        for o in offices
    ]


# ---- partners -------------------------------------------------------------------------------


@dataclasses.dataclass
class Partner:
    refs: OfficeRefs
    i: int  # its rank in the office
    organisation: object = None
    establishments: list = dataclasses.field(default_factory=list)
    user: object = None


def create_organisations(refs_list: list[OfficeRefs], partners: int) -> list[Partner]:
    from ensemble.directory.models import Organisation

    chunk, rows = [], []
    for refs in refs_list:
        slug = refs.office.slug
        for i in range(partners):
            town, postcode, *_ = TOWNS[i % len(TOWNS)]
            number = siret(10_000_000 + i)
            chunk.append(Partner(refs, i))
            rows.append(
                Organisation(
                    office=refs.office,
                    name=f"{'SARL' if i % 3 else 'EURL'} {LAST_NAMES[i % len(LAST_NAMES)]} n° {i}",
                    siren=number[:9],
                    siret=number,
                    address=f"{1 + i % 120}, rue du Marché",
                    postcode=postcode,
                    city=town,
                    email=f"contact{i}@{slug}.bench.example",
                    phone=f"+333210{i % 100_000:05d}",
                )
            )
    for partner, organisation in zip(chunk, bulk(Organisation, rows), strict=True):
        partner.organisation = organisation
    return chunk


def create_establishments(chunk: list[Partner]) -> None:
    """One establishment per organisation; one organisation in five has a second one."""
    from ensemble.directory.models import Establishment

    owners, rows = [], []
    for p in chunk:
        for k in range(2 if p.i % 5 == 1 else 1):
            n = p.i + k * 7
            town, postcode, latitude, longitude = TOWNS[n % len(TOWNS)]
            kind = KINDS[n % len(KINDS)]
            owners.append(p)
            rows.append(
                Establishment(
                    office=p.refs.office,
                    organisation=p.organisation,
                    name=f"{kind} {QUALIFIERS[n % len(QUALIFIERS)]} n° {p.i}" + (" (2)" if k else ""),
                    category=p.refs.categories[n % len(p.refs.categories)],
                    address=p.organisation.address,
                    postcode=postcode,
                    city=town,
                    latitude=Decimal(f"{latitude + (n % 97) / 10_000:.6f}"),
                    longitude=Decimal(f"{longitude + (n % 89) / 10_000:.6f}"),
                    phone=p.organisation.phone,
                    email=p.organisation.email,
                )
            )
    for partner, establishment in zip(owners, bulk(Establishment, rows), strict=True):
        partner.establishments.append(establishment)


def create_logins(chunk: list[Partner]) -> None:
    """An espace-pro login for one organisation in five (always the office's first one)."""
    from django.contrib.auth.hashers import make_password

    from ensemble.accounts.models import User
    from ensemble.directory.models import OrganisationMember

    with_login = [p for p in chunk if p.i % 5 == 0]
    password = make_password(None)  # unusable; the bench logs in with force_login
    users = bulk(
        User,
        [
            User(email=f"pro{p.i}@{p.refs.office.slug}.bench.example", full_name=f"Partenaire {p.i}",
                 password=password)
            for p in with_login
        ],
    )  # fmt: skip
    for partner, user in zip(with_login, users, strict=True):
        partner.user = user
    bulk(
        OrganisationMember, [OrganisationMember(organisation=p.organisation, user=p.user) for p in with_login]
    )


def create_contacts(chunk: list[Partner]) -> int:
    """The primary contact (the login's person when there is one); every other one has a second."""
    from ensemble.directory.models import Contact

    rows = []
    for p in chunk:
        for k in range(1 if p.i % 2 else 2):
            n = p.i + k
            rows.append(
                Contact(
                    office=p.refs.office,
                    organisation=p.organisation,
                    first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[(n * 7) % len(LAST_NAMES)],
                    email=p.user.email if p.user and not k else f"c{k}.{p.organisation.email}",
                    role=Contact.Role.MANAGER if not k else Contact.Role.BILLING,
                    language=LANGUAGES[n % len(LANGUAGES)],
                    is_primary=not k,
                    user=p.user if not k else None,
                )
            )
    return len(bulk(Contact, rows))


def create_listings(chunk: list[Partner], today: datetime.date) -> int:
    """The approved listing of every establishment, with its search fields as refresh_search
    writes them (on PostgreSQL the vector is computed by the INSERT itself, never by an UPDATE)."""
    from django.db import connection
    from django.utils import timezone

    from ensemble.listings.models import Listing
    from ensemble.listings.search import fold

    rows, vectors = [], []
    for p in chunk:
        for e in p.establishments:
            short = f"{e.name} vous accueille à {e.city}."
            long = f"{short} Au cœur du Pays de Saint-Omer, à deux pas du marais audomarois."
            rest = " ".join([e.city, e.category.name, e.category.name_en, e.category.name_nl, short, long])
            vectors.append((e.name, rest))
            rows.append(
                Listing(
                    office=p.refs.office,
                    establishment=e,
                    organisation_id=e.organisation_id,
                    short_description_fr=short,
                    long_description_fr=long,
                    version_number=1,
                    last_confirmed_at=timezone.now() - datetime.timedelta(days=p.i % 300),
                    sort_name=fold(e.name)[:200],
                    search_title=fold(f"{e.name} {e.city}")[:300],
                    search_document=fold(f"{e.name} {rest}"),
                )
            )
    postgresql = connection.vendor == "postgresql"
    return len(bulk(Listing, rows, vectors=vectors if postgresql else None))


# ---- memberships ----------------------------------------------------------------------------


@dataclasses.dataclass
class Joined:
    """A membership with what it bought."""

    partner: Partner
    membership: object
    offers: list


def membership_row(p: Partner, season, status: str, today: datetime.date):
    """A membership of `season` in `status`, dated as the workflow would have dated it."""
    from ensemble.memberships.models import Membership

    def day(offset: int) -> datetime.date:
        return min(season.starts_on + datetime.timedelta(days=offset), today)

    signed = p.i % 90
    accepted = status not in ("requested", "refused")
    paid = accepted and status not in UNPAID
    return Membership(
        office=p.refs.office,
        season=season,
        organisation=p.organisation,
        establishment=p.establishments[0],
        status=status,
        payment_method="cheque" if p.i % 3 else "transfer",
        bulletin_signed_on=day(signed),
        accepted_on=day(signed + 5) if accepted else None,
        paid_on=day(signed + 20) if paid else None,
        activated_on=day(signed + 20) if paid else None,
        notice_given_on=day(signed + 120) if status == "notice_given" else None,
        ends_on=(day(signed + 200) if status == "terminated" else season.ends_on) if paid else None,
    )


def create_memberships(chunk: list[Partner], today: datetime.date) -> list[Joined]:
    """Last season's (expired, one in ten terminated) and this season's, with their lines."""
    from ensemble.memberships.models import Membership, MembershipLine

    joined = []
    for p in chunk:
        seasons = p.refs.seasons
        if p.i % 4:
            status = "terminated" if p.i % 10 == 3 else "expired"
            joined.append(Joined(p, membership_row(p, seasons[today.year - 1], status, today), []))
        status = current_status(p.i)
        if status:
            joined.append(Joined(p, membership_row(p, seasons[today.year], status, today), []))
    lines = []
    for j in joined:
        year = j.membership.season.year
        j.offers = [j.partner.refs.offers[year, "pack-partenaire"]]
        if j.partner.i % 4 == 2:
            j.offers.append(j.partner.refs.offers[year, OPTIONS[j.partner.i % len(OPTIONS)]])
        j.membership.amount_due = sum((f.price_ttc for f in j.offers), Decimal("0.00"))
    bulk(Membership, [j.membership for j in joined])
    for j in joined:
        lines += [
            MembershipLine(membership=j.membership, offer=f, unit_price_ttc=f.price_ttc) for f in j.offers
        ]
    bulk(MembershipLine, lines)
    return joined


def create_entitlements(joined: list[Joined], today: datetime.date) -> int:
    """What this season's live memberships may claim (the pack's rights, then the option's)."""
    from ensemble.memberships.models import Entitlement

    rows = []
    for j in joined:
        m = j.membership
        if m.status not in LIVE or m.season.year != today.year:
            continue
        kinds = set()
        for offer in j.offers:
            for right in j.partner.refs.entitlements.get(offer.pk, []):
                if right.kind in kinds:
                    continue
                kinds.add(right.kind)
                rows.append(
                    Entitlement(
                        office_id=m.office_id,
                        membership=m,
                        source=right,
                        kind=right.kind,
                        label=right.label,
                        quantity=right.quantity,
                        used=min(right.quantity or 0, j.partner.i % 2),
                        duration_days=right.duration_days,
                        valid_from=m.activated_on,
                        valid_until=m.season.ends_on,
                    )
                )
    return len(bulk(Entitlement, rows))


# ---- invoices and payments ------------------------------------------------------------------


def invoice_draft(j: Joined):
    """The membership's invoice as a draft, everything filled but its number."""
    from django.utils import timezone

    from ensemble.billing.models import Invoice
    from ensemble.core.money import split_ttc

    m, o, refs = j.membership, j.partner.organisation, j.partner.refs
    splits = [split_ttc(f.price_ttc, f.vat_rate) for f in j.offers]
    issued = datetime.datetime.combine(m.accepted_on, datetime.time(10, j.partner.i % 60))
    return Invoice(
        office=refs.office,
        organisation=o,
        membership=m,
        issue_date=m.accepted_on,
        due_date=m.accepted_on + datetime.timedelta(days=refs.payment_terms_days),
        service_start=m.season.starts_on,
        service_end=m.season.ends_on,
        buyer_name=o.name,
        buyer_address=o.address,
        buyer_postcode=o.postcode,
        buyer_city=o.city,
        buyer_siren=o.siren,
        seller=refs.seller,
        total_ht=sum((ht for ht, _ in splits), Decimal("0.00")),
        total_vat=sum((vat for _, vat in splits), Decimal("0.00")),
        total_ttc=m.amount_due,
        issued_at=timezone.make_aware(issued),
        issued_by=refs.staff,
    )


def invoice_lines(invoice, offers: list) -> list:
    from ensemble.billing.models import InvoiceLine
    from ensemble.core.money import split_ttc

    return [
        InvoiceLine(
            invoice=invoice,
            position=position,
            offer=offer,
            label=f"{offer.name} — saison {invoice.service_start.year}",
            quantity=Decimal("1.00"),
            unit_price_ht=split_ttc(offer.price_ttc, offer.vat_rate)[0],
            vat_rate=offer.vat_rate,
            total_ht=split_ttc(offer.price_ttc, offer.vat_rate)[0],
        )
        for position, offer in enumerate(offers)
    ]


def issue_drafts(invoices: list) -> None:
    """Number the drafts in date order per office and year, then issue them by UPDATE (the
    guard lets a draft become issued, as `issue_invoice` does; it refuses any change after)."""
    from django.db import connection

    from ensemble.billing.services.invoices import payment_reference

    counters = {}
    numbered = []
    for invoice in sorted(invoices, key=lambda inv: (inv.office_id, inv.issue_date, inv.pk)):
        key = (invoice.office_id, invoice.issue_date.year)
        counters[key] = counters.get(key, 0) + 1
        invoice.number = f"FA-{key[1]}-{counters[key]:05d}"
        invoice.payment_reference = payment_reference(invoice.number)
        numbered.append(invoice)
    # SQLite names a VALUES list's columns column1, column2…; PostgreSQL takes an alias list.
    # (Not a CTE: Python's sqlite3 gives no rowcount for a statement that starts with WITH.)
    alias, (pk, number, ref) = (
        ("v(id, number, ref)", ("id", "number", "ref"))
        if connection.vendor == "postgresql"
        else ("v", ("column1", "column2", "column3"))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(numbered), ISSUE_BATCH):
            batch = numbered[start : start + ISSUE_BATCH]
            values = ", ".join(["(%s, %s, %s)"] * len(batch))
            params = [v for inv in batch for v in (inv.pk, inv.number, inv.payment_reference)]
            cursor.execute(
                f"UPDATE billing_invoice SET state = 'issued', number = v.{number}, "  # noqa: S608 — placeholders
                f"payment_reference = v.{ref} FROM (VALUES {values}) AS {alias} "
                f"WHERE billing_invoice.id = v.{pk} AND billing_invoice.state = 'draft'",
                params,
            )
            assert cursor.rowcount == len(batch), "an invoice was not a draft"
    return counters


def create_invoices(joined: list[Joined]) -> dict:
    """The invoices of the accepted memberships, issued, and the payments of the paid ones."""
    from ensemble.billing.models import Invoice, InvoiceLine, NumberCounter

    invoiced = [j for j in joined if j.membership.status not in NOT_INVOICED]
    invoices = bulk(Invoice, [invoice_draft(j) for j in invoiced])
    lines = [line for j, inv in zip(invoiced, invoices, strict=True) for line in invoice_lines(inv, j.offers)]
    bulk(InvoiceLine, lines)
    counters = issue_drafts(invoices)
    bulk(
        NumberCounter,
        [NumberCounter(office_id=o, series="FA", year=y, last_number=n) for (o, y), n in counters.items()],
    )
    payments = create_payments(invoiced, invoices)
    return {"invoices": len(invoices), "invoice lines": len(lines), "payments": payments}


def create_payments(invoiced: list[Joined], invoices: list) -> int:
    from ensemble.billing.payments import Payment

    rows = []
    for j, invoice in zip(invoiced, invoices, strict=True):
        m = j.membership
        if m.paid_on is None:
            continue
        cheque = m.payment_method == "cheque"
        rows.append(
            Payment(
                office_id=invoice.office_id,
                organisation_id=invoice.organisation_id,
                invoice=invoice,
                method=Payment.Method.CHEQUE if cheque else Payment.Method.TRANSFER,
                amount=invoice.total_ttc,
                allocated=invoice.total_ttc,
                received_on=m.paid_on,
                cheque_number=f"{invoice.pk:07d}" if cheque else "",
                bank="Crédit du Nord" if cheque else "",
                transfer_reference="" if cheque else invoice.payment_reference,
                recorded_by=j.partner.refs.staff,
            )
        )
    return len(bulk(Payment, rows))


# ---- the whole --------------------------------------------------------------------------------


def create_chunk(refs_list: list[OfficeRefs], partners: int, today: datetime.date) -> dict:
    chunk = create_organisations(refs_list, partners)
    create_establishments(chunk)
    create_logins(chunk)
    counts = {
        "organisations": len(chunk),
        "establishments": sum(len(p.establishments) for p in chunk),
        "espace-pro logins": sum(1 for p in chunk if p.user),
        "contacts": create_contacts(chunk),
        "listings": create_listings(chunk, today),
    }
    joined = create_memberships(chunk, today)
    counts["memberships"] = len(joined)
    counts["membership lines"] = sum(len(j.offers) for j in joined)
    counts["entitlements"] = create_entitlements(joined, today)
    counts.update(create_invoices(joined))
    return counts


def setup_offices(prefix: str, count: int, today: datetime.date) -> list[OfficeRefs]:
    offices = create_offices(prefix, count)
    install_template(offices[0], today)
    copy_reference_rows(offices[0], offices[1:])
    return office_refs(offices, create_staff(offices))


def generate(
    *, offices: int, partners: int, prefix: str = "o", today: datetime.date | None = None, echo=print
) -> dict:
    """`offices` offices of `partners` partners each; returns row counts and timings."""
    from django.db import transaction
    from django.utils import timezone

    today = today or timezone.localdate()
    started = time.perf_counter()
    counts: dict = {"offices": offices}
    with transaction.atomic():
        refs = setup_offices(prefix, offices, today)
        reference_done = time.perf_counter() - started
        per_chunk = max(1, CHUNK_PARTNERS // max(partners, 1))
        for start in range(0, offices, per_chunk):
            for key, value in create_chunk(refs[start : start + per_chunk], partners, today).items():
                counts[key] = counts.get(key, 0) + value
            done = min(start + per_chunk, offices)
            elapsed = time.perf_counter() - started
            echo(f"  {done:>5} offices, {counts['organisations']:>8,} partners, {elapsed:6.1f} s")
    inserted = time.perf_counter() - started
    analyze()
    total = time.perf_counter() - started
    return {
        "counts": counts,
        "timings": {"offices and reference rows": reference_done, "inserts (with commit)": inserted,
                    "ANALYZE": total - inserted},
        "total": total,
    }  # fmt: skip


def analyze() -> None:
    """Fresh statistics for the planner; on PostgreSQL VACUUM too (the issuing UPDATE left a dead
    version of each invoice row). Outside a transaction: VACUUM cannot run in one."""
    from django.db import connection

    if connection.in_atomic_block:  # inside a test's transaction: statistics only
        statement = "ANALYZE"
    else:
        statement = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(statement)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=1000)
    parser.add_argument("--partners", type=int, default=300, help="partners per office")
    parser.add_argument("--prefix", default="o", help="office slugs: <prefix>0001, <prefix>0002…")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    print(
        f"Generating {args.offices:,} offices × {args.partners:,} partners on {connection.vendor} "
        f"({connection.settings_dict['NAME']})"
    )
    result = generate(offices=args.offices, partners=args.partners, prefix=args.prefix)
    for key, value in result["counts"].items():
        print(f"  {key}: {value:,}")
    for key, value in result["timings"].items():
        print(f"  {key}: {value:.1f} s")
    print(f"Generated in {result['total']:.1f} s (ANALYZE included)")


if __name__ == "__main__":
    main()
