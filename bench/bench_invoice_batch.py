"""Issuing a batch of membership invoices with their PDFs (the yearly renewal campaign), beside a
bare WeasyPrint render of the same invoice HTML, in the same run.

    .venv/bin/python bench/bench_invoice_batch.py           # SQLite, var/bench/invoices.db (recreated)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble_bench_invoices \\
        .venv/bin/python bench/bench_invoice_batch.py       # PostgreSQL (dropped and created)

Steps: recreate the database, migrate, give the bench office a seller's identity (SIRET, TVA,
IBAN/BIC: the PDF then carries the EPC QR code and the XML the SIREN, as a real office's do),
then generate --warmup + 2 × --invoices partners with bench/generate_partners.py, every
membership accepted and awaiting payment (status `awaiting_payment`, its pack line, no invoice,
no payment). Then, one membership after the other, as staff (`actor` = the bench staff user):

  warm-up   --warmup memberships through phase (a), untimed (templates, fonts, XSD loaded);
  (b)       issuing alone: `invoice_membership()` (its own transaction: draft, number, issue);
  (a)       issuing then the PDF: `invoice_membership()`, then `pdf.store_invoice_pdf()` called
            directly, in the same process, right after the commit. In production
            `issue_invoice` only queues the PDF (`transaction.on_commit` → the
            `render_invoice_pdf` task, database backend) and a worker renders it later: calling
            `store_invoice_pdf` here makes the batch do all the work it causes. The queued task
            row is still written, as in production (no worker runs: they stay queued, and
            would find the stored file);
  (c)       a bare `weasyprint.HTML(string=html).write_pdf()` of the HTML of the first invoice
            of (a) (`pdf.invoice_html`), --bare times (no PDF/A, no Factur-X, no database);
  stages    for --stages invoices of (a), `invoice_pdf()`'s steps timed one by one (figures
            and XML, HTML, WeasyPrint as PDF/A-3b, factur-x embedding with its XSD check, the
            last pypdf pass); the bytes are checked equal to the stored PDF (not stored again).

(b) and (a) use different memberships (each is invoiced once), in the same office and series.
Per phase: wall time (`time.perf_counter`), invoices (or renders) per second, and per item the
median and p95 (nearest rank). After (a) and (b) the invoices are read back: one issued invoice
per membership, numbers continuous, and one stored PDF (`InvoiceDocument`, file on disk) per
invoice of (a). The load average is printed before each phase and at the end.

Settings: ensemble.settings.base with DEBUG off; media under var/bench/media (the bench office's
invoice PDFs there are deleted first when the database is recreated).
"""

import argparse
import logging
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"

sys.path.insert(0, str(ROOT / "bench"))


def configure_environment() -> str:
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ENSEMBLE_VAR_DIR", str(BENCH_VAR))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_VAR / 'invoices.db'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings.base")
    os.environ["DEBUG"] = "0"
    return os.environ["DATABASE_URL"]


# --- Data ----------------------------------------------------------------------------------------


def seller_identity(office) -> None:
    """An invented but valid legal identity for the bench office, as a real office has one."""
    from generate_partners import siret

    number = siret(12_345_678)
    siren = int(number[:9])
    office.legal_name = "SPL Tourisme du Banc d'Essai"
    office.legal_form = "Société publique locale"
    office.siret = number
    office.vat_number = f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siren}"
    office.rcs = "RCS Saint-Omer"
    office.iban = "FR7630006000011234567890189"
    office.bic = "AGRIFRPP"
    office.cheque_payee = office.legal_name
    office.save()


def generate_awaiting_partners(count: int) -> dict:
    """`count` partners whose membership is accepted and awaits payment, with its pack line and
    no invoice: bench/generate_partners.py with every status set to awaiting_payment."""
    import generate_partners

    generate_partners.status_for = lambda i: "awaiting_payment"  # not in PAID: no invoice, no payment
    result = generate_partners.generate_partners(count)
    seller_identity(result["office"])
    return result


def awaiting_memberships(office) -> list:
    from ensemble.billing.models import Invoice
    from ensemble.memberships.models import Membership

    invoiced = Invoice.objects.filter(membership__isnull=False).values("membership_id")
    return list(
        Membership.objects.filter(office=office, status="awaiting_payment")
        .exclude(pk__in=invoiced)
        .select_related("organisation", "season")
        .order_by("pk")
    )


# --- Phases --------------------------------------------------------------------------------------


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def issue_batch(memberships: list, staff, *, with_pdf: bool) -> tuple[float, list[float], list]:
    """Invoice each membership (one transaction each), then store its PDF when asked."""
    from ensemble.billing.pdf import store_invoice_pdf
    from ensemble.billing.services import invoice_membership

    latencies, invoices = [], []
    started = time.perf_counter()
    for membership in memberships:
        begun = time.perf_counter()
        invoice = invoice_membership(membership, actor=staff)
        if with_pdf:
            store_invoice_pdf(invoice.pk)
        latencies.append(time.perf_counter() - begun)
        invoices.append(invoice)
    return time.perf_counter() - started, latencies, invoices


def bare_renders(html: str, count: int) -> tuple[float, list[float], int]:
    from weasyprint import HTML

    latencies, size = [], 0
    started = time.perf_counter()
    for _ in range(count):
        begun = time.perf_counter()
        size = len(HTML(string=html).write_pdf())
        latencies.append(time.perf_counter() - begun)
    return time.perf_counter() - started, latencies, size


def _timed(stages: dict, name: str, function, *args, **kwargs):
    begun = time.perf_counter()
    result = function(*args, **kwargs)
    stages.setdefault(name, []).append(time.perf_counter() - begun)
    return result


def _figures_and_xml(invoice):
    from ensemble.billing import facturx_xml

    figures, mentions = facturx_xml.invoice_figures(invoice), facturx_xml.legal_mentions(invoice)
    return figures, mentions, facturx_xml.generate(facturx_xml.invoice_data(invoice, figures, mentions))


def pdf_stages(invoices: list) -> dict[str, list[float]]:
    """invoice_pdf()'s steps, timed one by one, for already stored invoices (same bytes)."""
    import facturx
    from django.core.files.storage import default_storage
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from ensemble.billing import pdf
    from ensemble.billing.models import Invoice

    stages: dict[str, list[float]] = {}
    for stored in invoices:
        invoice = Invoice.objects.select_related("office", "credited_invoice").get(pk=stored.pk)
        figures, mentions, xml = _timed(stages, "figures + XML (XSD)", _figures_and_xml, invoice)
        html = _timed(stages, "HTML (template)", pdf.invoice_html, invoice, figures, mentions)
        document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
        data = _timed(
            stages,
            "WeasyPrint, PDF/A-3b",
            document.write_pdf,
            pdf_variant="pdf/a-3b",
            pdf_identifier=pdf._pdf_identifier(invoice),
        )
        title = "Facture"
        with pdf._facturx_clock(invoice.issued_at):
            data = _timed(
                stages,
                "factur-x (embed + XSD)",
                facturx.generate_from_binary,
                data,
                xml,
                flavor="factur-x",
                level="en16931",
                check_xsd=True,
                pdf_metadata=pdf._pdf_metadata(invoice, title),
                lang="fr-FR",
            )
        data = _timed(stages, "pypdf /Info pass", pdf._info_matching_xmp, data)
        with default_storage.open(pdf.invoice_pdf_name(invoice), "rb") as file:
            assert file.read() == data, f"{invoice.number}: the stages do not give the stored PDF"
    return stages


# --- Checks and report ---------------------------------------------------------------------------


def check_invoices(memberships: list, invoices: list, *, with_pdf: bool) -> str:
    from django.core.files.storage import default_storage

    from ensemble.billing.models import Invoice, InvoiceDocument

    issued = Invoice.objects.filter(
        membership__in=memberships, kind=Invoice.Kind.INVOICE, state=Invoice.State.ISSUED
    )
    numbers = sorted(int(n.rsplit("-", 1)[1]) for n in issued.values_list("number", flat=True))
    assert len(numbers) == len(memberships) == len({i.membership_id for i in invoices}), numbers[:5]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "numbers not continuous"
    text = f"{len(numbers)} issued, numbers {numbers[0]}…{numbers[-1]} continuous"
    documents = InvoiceDocument.objects.filter(invoice__in=issued)
    if not with_pdf:
        assert not documents.exists()
        return text + ", no PDF"
    assert documents.count() == len(numbers)
    sizes = [default_storage.size(name) for name in documents.values_list("file", flat=True)]
    return text + f", {len(sizes)} PDFs stored (mean {statistics.mean(sizes) / 1024:.1f} KiB)"


def queued_pdf_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="ensemble.billing.tasks.render_invoice_pdf").count()


def summarise(name: str, wall: float, latencies: list[float], note: str) -> dict:
    ordered = sorted(latencies)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return {
        "phase": name,
        "count": len(ordered),
        "wall (s)": f"{wall:.1f}",
        "per second": f"{len(ordered) / wall:.2f}",
        "_rate": len(ordered) / wall,
        "median (ms)": f"{statistics.median(ordered) * 1000:.1f}",
        "p95 (ms)": f"{p95 * 1000:.1f}",
        "check / note": note,
    }


def print_table(rows: list[dict]) -> None:
    columns = [name for name in rows[0] if not name.startswith("_")]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[name]) for name in columns) + " |")


def print_report(context: dict, rows: list[dict], stages: dict) -> None:
    print("\n## Context")
    for key, value in context.items():
        print(f"- {key}: {value}")
    print()
    print_table(rows)
    if stages:
        n = len(next(iter(stages.values())))
        print(f"\n### invoice_pdf() stages, {n} invoices of (a) rendered again (ms per invoice)\n")
        print_table(
            [
                {
                    "stage": name,
                    "median (ms)": f"{statistics.median(values) * 1000:.1f}",
                    "mean (ms)": f"{statistics.mean(values) * 1000:.1f}",
                }
                for name, values in stages.items()
            ]
        )


# --- Run -----------------------------------------------------------------------------------------


def prepare(args) -> tuple[dict, dict]:
    from bench_membership import code_version, database_description, recreate_database
    from bench_numbering import machine
    from generate_partners import OFFICE_SLUG, setup_django

    url = configure_environment()
    if not args.keep:
        recreate_database(url)
    setup_django("ensemble.settings.base")
    from django.conf import settings
    from django.core.management import call_command

    if not args.keep:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / "invoices" / OFFICE_SLUG, ignore_errors=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    result = generate_awaiting_partners(args.warmup + 2 * args.invoices)
    generated = time.perf_counter()
    context = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "code": code_version(),
        "database": database_description(),
        **machine(),
        "data": f"{result['created']} partners, memberships awaiting payment (pack line only), "
        f"generated in {generated - migrated:.1f} s; migrate {migrated - started:.1f} s",
    }
    return result, context


def measure(result: dict, args, context: dict) -> tuple[list[dict], dict]:
    from ensemble.billing import facturx_xml, pdf

    logging.getLogger("factur-x").setLevel(logging.WARNING)  # one INFO line per step otherwise
    staff = result["staff"]
    memberships = awaiting_memberships(result["office"])
    warm = memberships[: args.warmup]
    alone = memberships[args.warmup : args.warmup + args.invoices]
    with_pdf = memberships[args.warmup + args.invoices : args.warmup + 2 * args.invoices]
    assert len(with_pdf) == args.invoices, len(memberships)
    issue_batch(warm, staff, with_pdf=True)

    rows = []
    context["load average before (b)"] = load_average()
    wall, latencies, invoices = issue_batch(alone, staff, with_pdf=False)
    check = check_invoices(alone, invoices, with_pdf=False)
    rows.append(summarise("(b) issuing alone", wall, latencies, check))

    context["load average before (a)"] = load_average()
    wall, latencies, invoices = issue_batch(with_pdf, staff, with_pdf=True)
    check = check_invoices(with_pdf, invoices, with_pdf=True)
    rows.append(summarise("(a) issuing + PDF stored", wall, latencies, check))
    context["(a) median per block of 100 invoices, in order (ms): load shows here"] = " · ".join(
        f"{statistics.median(latencies[k : k + 100]) * 1000:.0f}" for k in range(0, len(latencies), 100)
    )
    context["render_invoice_pdf tasks queued on commit (no worker runs)"] = queued_pdf_tasks()

    first = invoices[0]
    figures, mentions = facturx_xml.invoice_figures(first), facturx_xml.legal_mentions(first)
    html = pdf.invoice_html(first, figures, mentions)
    context["load average before (c)"] = load_average()
    wall, latencies, size = bare_renders(html, args.bare)
    note = f"HTML of {first.number} ({len(html) / 1024:.1f} KiB), PDF {size / 1024:.1f} KiB"
    rows.append(summarise("(c) bare WeasyPrint write_pdf()", wall, latencies, note))

    context["load average before the stages"] = load_average()
    stages = pdf_stages(invoices[: args.stages]) if args.stages else {}
    context["load average at the end"] = load_average()
    return rows, stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1000, help="invoices in (a) and in (b)")
    # 1,000 bare renders take about 7 minutes here, which with (a) takes the run past 15: 200
    # by default; pass --bare 1000 for the real count.
    parser.add_argument("--bare", type=int, default=200, help="bare WeasyPrint renders in (c)")
    parser.add_argument("--stages", type=int, default=50, help="invoices whose stages are timed")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()

    from_start = time.perf_counter()
    result, context = prepare(args)
    rows, stages = measure(result, args, context)
    b, a, c = (row["_rate"] for row in rows)
    context["ratio (a) / (c): batch invoices per second over bare renders per second"] = f"{a / c:.2f}"
    context["ratio (b) / (a): issuing alone over issuing with the PDF"] = f"{b / a:.1f}"
    context["whole run"] = f"{time.perf_counter() - from_start:.1f} s"
    print_report(context, rows, stages)


if __name__ == "__main__":
    main()
