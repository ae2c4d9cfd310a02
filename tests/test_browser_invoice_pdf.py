"""In a real Chromium: staff issue an invoice, download its PDF, which opens (pdftoppm renders
page 1 to PNG) and shows the number and the payment QR code."""

import shutil
import subprocess

import pytest

from ensemble.billing.models import Invoice

from .browser import SCREENSHOTS, assert_accessible, log_in, screenshot
from .factories import OrganisationFactory
from .needs import unavailable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def require_pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        unavailable("pdftoppm not found (Debian's poppler-utils; run `make system-packages`).")
    return path


def test_staff_issue_an_invoice_and_open_its_pdf(browser, live_server, office, season, staff_user):
    pdftoppm = require_pdftoppm()
    organisation = OrganisationFactory(office=office, name="SARL Brasserie de l'Aa")
    page = browser.new_page(locale="fr-FR", accept_downloads=True)
    log_in(page, live_server, staff_user)
    page.goto(f"{live_server.url}/saint-omer/gestion/organisations/{organisation.pk}/facturer/")
    page.get_by_label("Prestation du catalogue").select_option(
        label="2022 — Pack photos — 25 photos (200.00 € TTC)"
    )
    page.get_by_role("button", name="Émettre la facture").click()
    page.get_by_role("heading", name="Facture FA-2022-00001").wait_for()
    assert_accessible(page)
    screenshot(page, "invoice-page")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le PDF (Factur-X)").click()
    pdf_path = SCREENSHOTS / "FA-2022-00001.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")

    png_prefix = SCREENSHOTS / "invoice-page1"
    subprocess.run(  # noqa: S603 — our own file, a fixed binary
        [pdftoppm, "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", pdf_path, png_prefix],
        check=True,
    )
    assert png_prefix.with_suffix(".png").stat().st_size > 10_000
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "pdftotext", "-f", "1", "-l", "1", pdf_path, "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "FA-2022-00001" in text
    assert "Facture" in text and "200,00" in text
    invoice = Invoice.objects.get(number="FA-2022-00001")
    assert invoice.payment_reference in text.replace(" ", "")  # the QR code's RF reference, in clear
    assert "Scannez avec votre" in text  # the EPC QR code's caption (the code itself is an image)
