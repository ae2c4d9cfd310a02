"""The invoice PDF: rendered after the issuing transaction commits, PDF/A-3 with its Factur-X XML
attached, printing every legal mention, stored once, and the same bytes every time."""

import datetime
import hashlib
import io
import re
import shutil
import subprocess

import pytest
import time_machine
from django.utils.html import escape
from pypdf import PdfReader

from ensemble.billing import epc, services
from ensemble.billing.facturx_xml import invoice_figures, legal_mentions
from ensemble.billing.models import BillingProfile, Invoice, InvoiceDocument
from ensemble.billing.pdf import invoice_html, invoice_pdf, store_invoice_pdf
from ensemble.billing.tasks import render_invoice_pdf as render_task
from ensemble.core.models import Office
from ensemble.memberships import services as membership_services

from .conftest import SEASON_DAY, offer
from .factories import make_siret


@pytest.fixture
def legal_office(office):
    siret = make_siret()
    Office.objects.filter(pk=office.pk).update(
        legal_form="SPL",
        share_capital="150 000 €",
        siret=siret,
        vat_number=f"FR{(12 + 3 * (int(siret[:9]) % 97)) % 97:02d}{siret[:9]}",
        rcs="Saint-Omer " + siret[:9],
    )
    office.refresh_from_db()
    return office


@pytest.fixture
def invoice(legal_office, submit, season, staff_user, django_capture_on_commit_callbacks):
    membership = submit(options={offer(season, "formation-anglais").pk: 3}).membership
    with django_capture_on_commit_callbacks(execute=True):
        membership_services.accept_membership(membership, actor=staff_user)
        issued = services.invoice_membership(membership, actor=staff_user)
    return issued


def stored(invoice: Invoice) -> bytes:
    with InvoiceDocument.objects.get(invoice=invoice).file.open("rb") as f:
        return f.read()


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (poppler's pdftotext when installed, else pypdf), whitespace collapsed."""
    if shutil.which("pdftotext"):
        text = subprocess.run(  # noqa: S603
            ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],  # noqa: S607
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
    else:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def html_of(invoice: Invoice) -> str:
    return invoice_html(invoice, invoice_figures(invoice), legal_mentions(invoice))


# --- Rendering after commit, storage, idempotence ----------------------------------------------


def test_the_pdf_is_rendered_after_commit_and_stored_under_the_office(invoice, legal_office):
    document = InvoiceDocument.objects.get(invoice=invoice)
    assert document.file.name == "invoices/saint-omer/FA-2022-00001.pdf"
    pdf = stored(invoice)
    assert pdf.startswith(b"%PDF-1.7")
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()


def test_nothing_is_rendered_when_the_issuing_transaction_does_not_commit(submit, season, staff_user):
    membership = submit().membership
    membership_services.accept_membership(membership, actor=staff_user)
    issued = services.invoice_membership(membership, actor=staff_user)  # on_commit never runs here
    assert not InvoiceDocument.objects.filter(invoice=issued).exists()


def test_rendering_twice_gives_the_same_bytes_whatever_the_clock(invoice):
    first = invoice_pdf(invoice)
    with time_machine.travel(SEASON_DAY + datetime.timedelta(days=400, seconds=17), tick=False):
        second = invoice_pdf(invoice)
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert hashlib.sha256(first).hexdigest() == InvoiceDocument.objects.get(invoice=invoice).sha256
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata["/CreationDate"] == "D:20221228090000+00'00'"  # issued_at, in UTC
    assert reader.xmp_metadata.xmp_create_date == datetime.datetime(
        2022, 12, 28, 9, 0, tzinfo=datetime.UTC
    ).replace(tzinfo=None)


def test_the_task_is_idempotent_and_forcing_regenerates_the_same_file(invoice, django_assert_max_num_queries):
    document = InvoiceDocument.objects.get(invoice=invoice)
    with django_assert_max_num_queries(3):  # finds the stored file: no rendering
        assert render_task.call(invoice.pk) == document.file.name
    assert store_invoice_pdf(invoice.pk, force=True) == document.file.name
    again = InvoiceDocument.objects.get(invoice=invoice)
    assert (again.pk, again.sha256, again.generated_at) == (
        document.pk,
        document.sha256,
        document.generated_at,
    )
    assert InvoiceDocument.objects.count() == 1


def test_a_lost_file_is_written_again(invoice):
    document = InvoiceDocument.objects.get(invoice=invoice)
    document.file.storage.delete(document.file.name)
    assert store_invoice_pdf(invoice.pk) == document.file.name
    assert hashlib.sha256(stored(invoice)).hexdigest() == document.sha256


# --- PDF/A-3 with the Factur-X attachment ------------------------------------------------------


def test_the_pdf_is_pdf_a_3b_with_factur_x_xml_attached(invoice):
    reader = PdfReader(io.BytesIO(stored(invoice)))
    raw_xmp = reader.xmp_metadata.stream.get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in raw_xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in raw_xmp
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in raw_xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in raw_xmp
    root = reader.trailer["/Root"]
    (filespec,) = [ref.get_object() for ref in root["/AF"]]
    assert (filespec["/F"], filespec["/UF"], filespec["/AFRelationship"]) == (
        "factur-x.xml",
        "factur-x.xml",
        "/Data",
    )
    assert filespec["/EF"]["/F"].get_object()["/Subtype"] == "/text/xml"
    assert root["/Names"]["/EmbeddedFiles"]["/Names"][0] == "factur-x.xml"
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert root["/Lang"] == "fr-FR"


def test_the_document_information_matches_the_xmp(invoice):
    """PDF/A: every /Info entry that has an XMP counterpart has the same value there."""
    reader = PdfReader(io.BytesIO(stored(invoice)))
    info, xmp = reader.metadata, reader.xmp_metadata
    counterparts = {
        "/Title": xmp.dc_title["x-default"],
        "/Author": ", ".join(xmp.dc_creator),
        "/Subject": xmp.dc_description["x-default"],
        "/Creator": xmp.xmp_creator_tool,
        "/Producer": xmp.pdf_producer,
        "/Keywords": xmp.pdf_keywords,
        "/CreationDate": "D:" + xmp.xmp_create_date.strftime("%Y%m%d%H%M%S") + "+00'00'",
        "/ModDate": "D:" + xmp.xmp_modify_date.strftime("%Y%m%d%H%M%S") + "+00'00'",
    }
    for key in info:
        assert info[key] == counterparts[key], key
    assert info["/Title"] == "Facture FA-2022-00001"


def test_the_fonts_are_embedded(invoice):
    reader = PdfReader(io.BytesIO(stored(invoice)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        descendant = ref.get_object()["/DescendantFonts"][0].get_object()
        assert "DejaVu" in descendant["/BaseFont"]
        assert "/FontFile2" in descendant["/FontDescriptor"]


# --- What the PDF says -------------------------------------------------------------------------


def test_the_pdf_prints_every_legal_mention(invoice, legal_office):
    text = pdf_text(stored(invoice))
    for mention in [
        "Facture",
        "N° FA-2022-00001",
        "Date d'émission 28/12/2022",
        "du 28/12/2022 au 31/12/2022",
        "Échéance 27/01/2023",
        "SPL Tourisme en Pays de Saint-Omer",
        "SPL au capital de 150 000 €",
        f"RCS Saint-Omer {legal_office.siret[:9]}",
        f"SIREN {legal_office.siret[:9]}",
        f"SIRET {legal_office.siret}",
        legal_office.vat_number,
        "7, Place Victor Hugo",
        "Le Moulin des Marais",
        f"SIREN {invoice.buyer_siren}",
        "Prestations de services",
        "Paiement à 30 jours, au plus tard le 27/01/2023",
        "Escompte : néant",
        "taux annuel de 12,00 %",
        "Indemnité forfaitaire pour frais de recouvrement : 40,00 €",
        "IBAN FR76 3000 6000 0112 3456 7890 189",
        "BIC AGRIFRPP",
        invoice.payment_reference,
        "Scannez avec votre application bancaire",
    ]:
        assert mention in text, mention
    assert "débits" not in text


def test_the_pdf_figures_are_the_invoice_s(invoice):
    text = pdf_text(stored(invoice))
    assert "Pack partenaire — saison 2022 1 75,00 € 20,00 % 75,00 €" in text
    assert "Formation et traduction anglais — saison 2022 3 41,6667 € 20,00 % 125,00 €" in text
    assert "20,00 % 200,00 € 40,00 €" in text  # the VAT breakdown
    assert "Total HT 200,00 € Total TVA 40,00 € Total TTC 240,00 € Net à payer 240,00 €" in text


def test_the_unpaid_invoice_carries_the_epc_qr_code(invoice):
    html = html_of(invoice)
    assert f'src="{escape(epc.epc_svg_data_uri(invoice))}"' in html
    assert 'alt="QR code de paiement SEPA (EPC)"' in html


def test_the_vat_on_debits_option_and_the_delivery_address_are_printed(
    invoice, legal_office, staff_user, django_capture_on_commit_callbacks
):
    BillingProfile.objects.update_or_create(office=legal_office, defaults={"vat_on_debits": True})
    draft = services.create_draft(
        invoice.organisation, lines=services.membership_lines(invoice.membership), actor=staff_user
    )
    draft.delivery_address = "Salle des fêtes, 1 place Foch, 62500 Saint-Omer"
    draft.save()
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.issue_invoice(draft, actor=staff_user)
    text = pdf_text(stored(issued))
    assert "Option pour le paiement de la taxe d'après les débits" in text
    assert "Date de la prestation 28/12/2022" in text  # no period given: the issue date (BT-72)
    assert "ADRESSE DE LIVRAISON Salle des fêtes, 1 place Foch, 62500 Saint-Omer" in text


def test_a_credit_note_says_avoir_references_the_invoice_and_has_no_qr_code(
    invoice, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        credit = services.credit_invoice(invoice, actor=staff_user, reason="Adhésion annulée")
    text = pdf_text(stored(credit))
    assert "Avoir N° AV-2022-00001" in text
    assert "Facture d'origine FA-2022-00001 du 28/12/2022" in text
    assert "Avoir sur la facture FA-2022-00001 : Adhésion annulée" in text
    assert "Montant de l'avoir 240,00 €" in text
    assert "Scannez" not in text
    assert "data:image/svg+xml" not in html_of(credit)
    assert InvoiceDocument.objects.get(invoice=credit).file.name == "invoices/saint-omer/AV-2022-00001.pdf"


def test_billing_terms_are_frozen_at_issue(submit, staff_user, django_capture_on_commit_callbacks):
    """Changing the office's penalty rate later leaves an issued invoice's mentions as they were."""
    from ensemble.billing import services
    from ensemble.billing.facturx_xml import legal_mentions

    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.accept_and_invoice(submit().membership, actor=staff_user)[1]
    before = legal_mentions(invoice)
    profile = services.billing_profile(invoice.office)
    profile.late_penalty_rate = "15.00"
    profile.vat_on_debits = True
    profile.save()
    invoice.refresh_from_db()
    assert legal_mentions(invoice) == before
    assert before.vat_on_debits is False


def test_a_pdf_cut_short_by_a_full_disk_is_never_served_and_the_retry_completes_it(
    invoice, monkeypatch, client, staff_user
):
    """Disk full while writing (issue 11): the task fails (the worker retries it), the half file
    left in the storage is not served, and the next run writes the whole PDF."""
    import errno

    from django.core.files.storage import storages

    from ensemble.billing.services.documents import invoice_pdf_bytes

    whole = stored(invoice)
    storage = storages["private"]
    name = InvoiceDocument.objects.get(invoice=invoice).file.name
    real_save = type(storage)._save

    def disk_full(self, target, content):
        real_save(self, target, type(content)(content.read()[:1000]))  # half written…
        raise OSError(errno.ENOSPC, "No space left on device")  # …then the disk is full

    storage.delete(name)  # a render from scratch, as after a template change
    with monkeypatch.context() as patched:
        patched.setattr(type(storage), "_save", disk_full)
        with pytest.raises(OSError):
            render_task.call(invoice.pk)  # the task fails: the worker retries it
    assert storage.exists(name) and len(storage.open(name).read()) == 1000  # the half file

    again = invoice_pdf_bytes(invoice)  # rendered again, not the half file
    assert len(again) > 1000 and again.rstrip().endswith(b"%%EOF") and len(whole) > 1000
    assert hashlib.sha256(again).hexdigest() == InvoiceDocument.objects.get(invoice=invoice).sha256
    client.force_login(staff_user)
    response = client.get(f"/saint-omer/gestion/factures/{invoice.pk}/pdf/")
    assert response.status_code == 200
    served = b"".join(response.streaming_content) if response.streaming else response.content
    assert served == again
