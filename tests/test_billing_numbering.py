"""Invoice numbers: one continuous series per office, kind and year, under real concurrency.

The unit tests run on SQLite too. The three thread tests need PostgreSQL (skipped on SQLite by
hand, a failure in CI): 16 threads issue 100 invoices each in one series, every 10th transaction
rolls back on purpose, and the numbers counted in the database must be exactly 1..1440. The same
threads then run with nothing but next_number's lock guarding the series, and, as the control,
with MAX()+1 and no lock, which must break it.
"""

import collections
import datetime
import itertools
import threading
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from ensemble.billing import services
from ensemble.billing.amounts import LineInput
from ensemble.billing.models import Invoice, InvoiceLine, NumberCounter
from ensemble.billing.services import invoices as invoice_services
from ensemble.billing.services.invoice_mail import ATTACHMENT_KIND
from ensemble.core import attachments
from ensemble.directory.models import Organisation

from .concurrency import require_postgresql, run_in_threads
from .factories import OrganisationFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
THREADS = 16
PER_THREAD = 100  # the issue's check; the next_number-only run and the control do 25 each
ROLLBACK_EVERY = 10  # each thread's 10th, 20th, … transaction rolls back on purpose


def committed(per_thread: int) -> int:
    return THREADS * (per_thread - per_thread // ROLLBACK_EVERY)  # 16 × 90 = 1,440 for 100


class OnPurpose(Exception):
    """Raised inside a transaction, after issuing, to roll it back."""


@pytest.fixture
def organisation(office):
    return OrganisationFactory(office=office, name="SARL Les Jardins du Haut-Pont")


def draft(organisation: Organisation) -> Invoice:
    """A draft with one free line typed HT by staff (no catalogue offer)."""
    line = LineInput("Encart guide touristique", Decimal(1), Decimal(20), unit_price_ht=Decimal(150))
    return services.create_draft(organisation, lines=[line], actor=None)


def issue(organisation: Organisation) -> Invoice:
    return services.issue_invoice(draft(organisation), actor=None)


def sequence(number: str) -> int:
    """FA-2022-00042 → 42."""
    return int(number.rsplit("-", 1)[1])


def counters(office) -> dict[tuple[str, int], int]:
    rows = NumberCounter.objects.filter(office=office).values_list("series", "year", "last_number")
    return {(series, year): last for series, year, last in rows}


# --- Rules, on any database -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # so that the test itself is not inside an atomic block
def test_next_number_outside_a_transaction_is_refused(office):
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the issuing transaction"):
        services.next_number(office, series="FA", year=2022)
    assert not NumberCounter.objects.exists()


def test_each_office_has_its_own_series(organisation, other_office):
    other = OrganisationFactory(office=other_office, name="EURL Brasserie de l'Aa")
    assert issue(organisation).number == "FA-2022-00001"
    assert issue(other).number == "FA-2022-00001"
    assert issue(organisation).number == "FA-2022-00002"
    assert counters(organisation.office) == {("FA", 2022): 2}
    assert counters(other_office) == {("FA", 2022): 1}


def test_credit_notes_have_their_own_series(organisation, staff_user):
    first = issue(organisation)
    credit = services.credit_invoice(first, actor=staff_user, reason="Encart non paru")
    assert credit.number == "AV-2022-00001"
    assert issue(organisation).number == "FA-2022-00002"
    assert counters(organisation.office) == {("FA", 2022): 2, ("AV", 2022): 1}


def test_each_year_starts_a_new_series_on_the_paris_date(organisation):
    assert issue(organisation).number == "FA-2022-00001"
    assert issue(organisation).number == "FA-2022-00002"
    # 00:30 on 1 January in Paris is still 31 December in UTC: the year is the French date's.
    new_year = datetime.datetime(2023, 1, 1, 0, 30, tzinfo=PARIS)
    with time_machine.travel(new_year, tick=False):
        invoice = issue(organisation)
        assert issue(organisation).number == "FA-2023-00002"
    assert (invoice.number, invoice.issue_date) == ("FA-2023-00001", datetime.date(2023, 1, 1))
    assert counters(organisation.office) == {("FA", 2022): 2, ("FA", 2023): 2}


def test_a_rolled_back_issue_gives_its_number_back(organisation):
    assert issue(organisation).number == "FA-2022-00001"
    invoice = draft(organisation)
    with pytest.raises(OnPurpose), transaction.atomic():
        assert services.issue_invoice(invoice, actor=None).number == "FA-2022-00002"
        raise OnPurpose
    invoice.refresh_from_db()
    assert (invoice.state, invoice.number) == (Invoice.State.DRAFT, None)
    assert counters(organisation.office) == {("FA", 2022): 1}
    assert services.issue_invoice(invoice, actor=None).number == "FA-2022-00002"


def test_the_first_issue_of_a_series_rolled_back_leaves_no_counter(organisation):
    invoice = draft(organisation)
    with pytest.raises(OnPurpose), transaction.atomic():
        services.issue_invoice(invoice, actor=None)
        raise OnPurpose
    assert counters(organisation.office) == {}
    assert services.issue_invoice(invoice, actor=None).number == "FA-2022-00001"


# --- Real threads against PostgreSQL ----------------------------------------------------------


@pytest.fixture
def no_pdf(monkeypatch):
    """issue_invoice queues the PDF with transaction.on_commit. In a transaction=True test those
    callbacks run, and the test settings' ImmediateBackend would render every PDF (WeasyPrint,
    Factur-X) right there in the threads, 1,440 of them, for nothing these tests check. The
    number is taken before commit, so the numbering is the same without."""
    monkeypatch.setattr(
        invoice_services,
        "render_invoice_pdf",
        SimpleNamespace(enqueue=lambda invoice_id: None, get_backend=lambda: None),
    )
    # The invoice e-mail renders a missing PDF when it is sent (core.attachments): a stand-in
    # document here, or the 1,440 e-mails would render the 1,440 PDFs instead.
    monkeypatch.setitem(
        attachments._PROVIDERS,
        ATTACHMENT_KIND,
        lambda invoice_id: attachments.Attachment(f"{invoice_id}.pdf", b"%PDF-stand-in", "application/pdf"),
    )


def bare_issue(numbering):
    """Issue with nothing but `numbering` guarding the series: number, state and dates saved as
    issue_invoice saves them, without issue_invoice's row locks (see the second test)."""

    def issue_one(organisation: Organisation) -> Invoice:
        invoice = draft(organisation)
        today = timezone.localdate()
        invoice.number = numbering(organisation.office, series="FA", year=today.year)
        invoice.state = Invoice.State.ISSUED
        invoice.issue_date = today
        invoice.issued_at = timezone.now()
        invoice.save(_issuing=True)
        return invoice

    return issue_one


def issue_many(organisation_id: int, issue_one=issue, *, per_thread: int = PER_THREAD, refused=()):
    """The work of one thread: `per_thread` transactions, each creating a draft and issuing it;
    every ROLLBACK_EVERY-th raises after issuing, so its number must go back to the series.
    Exceptions of the `refused` types are counted instead of failing the thread."""

    def work() -> collections.Counter:
        tally: collections.Counter = collections.Counter()
        organisation = Organisation.objects.select_related("office").get(pk=organisation_id)
        for i in range(1, per_thread + 1):
            try:
                with transaction.atomic():
                    issue_one(organisation)
                    if i % ROLLBACK_EVERY == 0:
                        raise OnPurpose
                tally["issued"] += 1
            except OnPurpose:
                tally["rolled back"] += 1
            except refused:
                tally["refused"] += 1
            finally:
                # One transaction per "request", then the connection goes back to the pool:
                # 16 threads share its 10 connections, as web workers would.
                connection.close()
        return tally

    return work


def series_problems(office, *, expected: int) -> list[str]:
    """What is wrong with the office's FA-2022 series, read from the invoice rows ([] if it is
    exactly 1..expected): count, duplicates, gaps, strays."""
    numbers = list(
        Invoice.objects.filter(office=office, state=Invoice.State.ISSUED).values_list("number", flat=True)
    )
    problems = [f"not in the series: {n}" for n in numbers if not n.startswith("FA-2022-")]
    sequences = collections.Counter(sequence(n) for n in numbers)
    if len(numbers) != expected:
        problems.append(f"{len(numbers)} issued invoices, {expected} expected")
    if duplicates := sorted(n for n, times in sequences.items() if times > 1):
        problems.append(f"duplicate numbers: {duplicates[:20]}")
    if missing := sorted(set(range(1, expected + 1)) - set(sequences)):
        problems.append(f"gaps: {missing[:20]}")
    if beyond := sorted(set(sequences) - set(range(1, expected + 1))):
        problems.append(f"numbers beyond {expected}: {beyond[:20]}")
    return problems


def assert_exactly_one_to_n(office, *, per_thread: int) -> None:
    """Counted from the rows: the numbers are exactly 1..N, the counter row agrees, the
    rolled-back drafts went with their transactions, and a higher number was never issued
    earlier than a lower one."""
    expected = committed(per_thread)
    assert series_problems(office, expected=expected) == []
    assert NumberCounter.objects.get(office=office, series="FA", year=2022).last_number == expected
    assert Invoice.objects.filter(office=office).count() == expected
    assert InvoiceLine.objects.filter(invoice__office=office).count() == expected
    issued_at = list(Invoice.objects.filter(office=office).order_by("number").values_list("issued_at"))
    assert issued_at == sorted(issued_at)


def tally(per_thread: int) -> dict[str, int]:
    """What the threads must report: every transaction issued or rolled back on purpose."""
    return {"issued": committed(per_thread), "rolled back": THREADS * per_thread - committed(per_thread)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_with_rollbacks_issue_exactly_one_to_n(organisation, no_pdf):
    """The issue's check, through the services (create_draft + issue_invoice): 16 threads ×
    100 transactions, 160 rolled back on purpose, the numbers are exactly 1..1,440."""
    require_postgresql()
    assert not NumberCounter.objects.exists()  # the threads also race to create the counter
    connection.close()  # leave the pool's connections to the threads

    tallies = run_in_threads(THREADS, issue_many(organisation.pk), timeout=180)

    assert sum(tallies, collections.Counter()) == tally(PER_THREAD)
    assert_exactly_one_to_n(organisation.office, per_thread=PER_THREAD)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_next_number_alone_keeps_the_series_under_the_same_threads(organisation, no_pdf):
    """issue_invoice locks the draft with select_related("office"), which locks the office row
    too, and that alone serialises an office's issuing (MAX()+1 would pass the test above).
    This run leaves only next_number's counter lock between the threads, so it checks that
    lock; the control below is the same run with the lock bypassed."""
    require_postgresql()
    connection.close()

    work = issue_many(organisation.pk, bare_issue(services.next_number), per_thread=25)
    tallies = run_in_threads(THREADS, work, timeout=180)

    assert sum(tallies, collections.Counter()) == tally(25)
    assert_exactly_one_to_n(organisation.office, per_thread=25)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_max_plus_one_without_a_lock_breaks_the_series(organisation, no_pdf):
    """The control run: the same threads, numbering with MAX(number) + 1 and no lock, hand the
    same number to several transactions, so the runs above would catch a missing guard. The
    unique constraint (office, number) refuses all but the first of each duplicate: those
    invoices fail to issue and the series ends short."""
    require_postgresql()
    # The first `racers` calls wait for each other after reading MAX, so at least that many
    # transactions read the same MAX whatever the scheduling; at most 10, the pool's size,
    # since each holds its connection while it waits.
    racers = 8
    race = threading.Barrier(racers)
    calls = itertools.count()
    calls_lock = threading.Lock()

    def max_plus_one(office, *, series: str, year: int) -> str:
        numbers = Invoice.objects.filter(office=office, number__startswith=f"{series}-{year}-")
        last = numbers.aggregate(last=Max("number"))["last"]
        number = f"{series}-{year}-{(sequence(last) if last else 0) + 1:05d}"
        with calls_lock:
            call = next(calls)
        if call < racers:
            race.wait(timeout=30)
        return number

    connection.close()
    work = issue_many(organisation.pk, bare_issue(max_plus_one), per_thread=25, refused=IntegrityError)
    tallies = run_in_threads(THREADS, work, timeout=180)

    total = sum(tallies, collections.Counter())
    assert total["refused"] >= racers - 1  # a number handed out again: a duplicate
    expected = committed(25)
    assert total["issued"] < expected
    problems = series_problems(organisation.office, expected=expected)
    assert f"{total['issued']} issued invoices, {expected} expected" in problems
