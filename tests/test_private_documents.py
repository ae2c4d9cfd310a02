"""Private documents (issue 10): invoices, credit notes, quotes, the print guide, claim banners and
the image bank are never under MEDIA_URL; only the office's staff and the organisation concerned
get their bytes, through views; X-Accel-Redirect hands them to nginx without a path; the data
migrations move the files written before, and the old public URLs answer 404."""

import hashlib
import importlib
import types

import pytest
from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.db import models
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import ensemble.urls
from ensemble.accounts.roles import Permission
from ensemble.backoffice.views import claims as claim_views
from ensemble.backoffice.views import guide as guide_views
from ensemble.backoffice.views import invoices as invoice_views
from ensemble.backoffice.views import quotes as quote_views
from ensemble.billing import services as billing_services
from ensemble.billing.models import Invoice, InvoiceDocument
from ensemble.claims import services as claim_services
from ensemble.claims.models import Claim, MediaBankImage
from ensemble.core import private_files
from ensemble.core.private_files import (
    NoPublicURLMixin,
    PrivateFileSystemStorage,
    PrivateFileURLError,
    move_to_private,
    serve_private_file,
)
from ensemble.guide.models import GuideEdition
from ensemble.memberships.models import Membership

from .conftest import verified
from .test_claim_pages import bank_image, done_image_claim
from .test_claims import image_file
from .test_quote_pages import make_quote

SLUG = "saint-omer"
FORGED = 987654


def bo(name: str, office_slug: str = SLUG, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office_slug, **kwargs})


def portal(name: str, office_slug: str = SLUG, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"office_slug": office_slug, **kwargs})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def stored(fieldfile) -> bytes:
    with fieldfile.storage.open(fieldfile.name, "rb") as handle:
        return handle.read()


@pytest.fixture
def docs(office, season, staff_user, submit, make_membership):
    """Two partners' documents: an invoice, its credit note and a quote for the first; a banner
    and a delivered image of the bank for the second; and a print guide of the office."""
    billed = billing_services.accept_and_invoice(
        submit(email="hugo@grange.example", establishment_name="La Grange").membership, actor=staff_user
    )[1]
    credit = billing_services.credit_invoice(billed, actor=staff_user, reason="Erreur de facturation")
    quote = make_quote(billed.organisation, season, staff_user)
    active = make_membership(Membership.Status.ACTIVE)
    banner = claim_services.request_claim(
        active, kind="screen_banner", actor=active.applicant, image=image_file(), text="Bienvenue"
    )
    picture = bank_image(office, staff_user)
    delivery = done_image_claim(active, staff_user, picture)
    guide = GuideEdition.objects.create(office=office, title="Guide 2023", status=GuideEdition.Status.DONE)
    guide.pdf.save("guides/saint-omer/1-guide-2023-fr.pdf", ContentFile(b"%PDF-1.7 le guide"), save=True)
    return types.SimpleNamespace(
        invoice=billed,
        credit=credit,
        quote=quote,
        billed_member=verified(billed.membership.applicant),
        banner=banner,
        picture=picture,
        delivery=delivery,
        claim_member=verified(active.applicant),
        guide=guide,
    )


def staff_urls(docs, office_slug: str = SLUG, *, forged: bool = False) -> dict[str, str]:
    def pk(obj) -> int:
        return FORGED if forged else obj.pk

    return {
        "invoice": bo("invoice_pdf", office_slug, pk=pk(docs.invoice)),
        "credit note": bo("invoice_pdf", office_slug, pk=pk(docs.credit)),
        "quote": bo("quote_pdf", office_slug, pk=pk(docs.quote)),
        "guide": bo("guide_pdf", office_slug, pk=pk(docs.guide)),
        "banner": bo("claim_banner_image", office_slug, pk=pk(docs.banner)),
        "bank image": bo("media_image_file", office_slug, pk=pk(docs.picture)),
    }


def billed_member_urls(docs, office_slug: str = SLUG) -> dict[str, str]:
    return {
        "portal invoice": portal("invoice_pdf", office_slug, invoice_id=docs.invoice.pk),
        "portal credit note": portal("invoice_pdf", office_slug, invoice_id=docs.credit.pk),
        "portal quote": portal("quote_pdf", office_slug, quote_id=docs.quote.pk),
    }


def claim_member_urls(docs, office_slug: str = SLUG) -> dict[str, str]:
    return {
        "portal banner": portal("claim_banner", office_slug, claim_id=docs.banner.pk),
        "portal bank image": portal(
            "claim_image", office_slug, claim_id=docs.delivery.pk, image_id=docs.picture.pk
        ),
    }


# --- Who gets the bytes -------------------------------------------------------------------------


def test_the_office_staff_get_every_document_with_its_bytes(client, docs, staff_user):
    client.force_login(staff_user)
    answers = {what: client.get(url) for what, url in staff_urls(docs).items()}
    assert {what: r.status_code for what, r in answers.items()} == dict.fromkeys(answers, 200)
    for what, invoice in (("invoice", docs.invoice), ("credit note", docs.credit)):
        document = InvoiceDocument.objects.get(invoice=invoice)
        assert body(answers[what]) == stored(document.file)
        assert answers[what]["Content-Disposition"] == f'attachment; filename="{document.invoice.number}.pdf"'
    assert body(answers["quote"]).startswith(b"%PDF")
    assert body(answers["guide"]) == b"%PDF-1.7 le guide"
    assert body(answers["banner"]) == stored(Claim.objects.get(pk=docs.banner.pk).image)
    assert body(answers["bank image"]) == stored(MediaBankImage.objects.get(pk=docs.picture.pk).image)
    assert all(r["Cache-Control"] == "private" for r in answers.values())


def test_the_organisation_s_own_members_get_their_documents(client, docs):
    client.force_login(docs.billed_member)
    for what, url in billed_member_urls(docs).items():
        response = client.get(url)
        assert response.status_code == 200, what
        assert body(response).startswith(b"%PDF"), what
    invoice_pdf = InvoiceDocument.objects.get(invoice=docs.invoice).file
    assert body(client.get(billed_member_urls(docs)["portal invoice"])) == stored(invoice_pdf)
    client.force_login(docs.claim_member)
    for what, url in claim_member_urls(docs).items():
        response = client.get(url)
        assert response.status_code == 200, what
        assert body(response)[:2] == b"\xff\xd8", what  # a JPEG


def test_anonymous_visitors_are_sent_to_the_login_page_without_a_byte(client, docs):
    urls = {**staff_urls(docs), **billed_member_urls(docs), **claim_member_urls(docs)}
    assert len(urls) == 11
    for what, url in urls.items():
        response = client.get(url)
        assert response.status_code == 302, what
        assert response["Location"].startswith(reverse("account_login")), what
        assert not response.streaming and response.content == b"", what


def test_members_of_another_organisation_get_404(client, docs):
    client.force_login(docs.claim_member)  # a partner, but not of the invoiced organisation
    for what, url in {**billed_member_urls(docs), **staff_urls(docs)}.items():
        assert client.get(url).status_code == 404, what
    client.force_login(docs.billed_member)
    for what, url in claim_member_urls(docs).items():
        assert client.get(url).status_code == 404, what


def test_another_office_s_staff_get_404(client, docs, other_staff_user):
    client.force_login(other_staff_user)
    for what, url in {**staff_urls(docs), **staff_urls(docs, "aire-sur-la-lys")}.items():
        assert client.get(url).status_code == 404, what


def test_forged_ids_answer_404(client, docs, staff_user):
    client.force_login(staff_user)
    for what, url in staff_urls(docs, forged=True).items():
        assert client.get(url).status_code == 404, what
    client.force_login(docs.billed_member)
    assert client.get(portal("invoice_pdf", invoice_id=FORGED)).status_code == 404
    assert client.get(portal("quote_pdf", quote_id=FORGED)).status_code == 404
    client.force_login(docs.claim_member)
    assert client.get(portal("claim_banner", claim_id=FORGED)).status_code == 404
    bank_url = portal("claim_image", claim_id=docs.delivery.pk, image_id=FORGED)
    assert client.get(bank_url).status_code == 404


def test_a_lost_file_answers_404_not_500(client, docs, staff_user):
    docs.guide.pdf.storage.delete(docs.guide.pdf.name)
    client.force_login(staff_user)
    assert client.get(bo("guide_pdf", pk=docs.guide.pk)).status_code == 404


def test_download_views_declare_their_permission():
    assert invoice_views.InvoicePdfView.permission == Permission.VIEW
    assert quote_views.QuotePdfView.permission == Permission.VIEW
    assert guide_views.GuidePdfView.permission == Permission.VIEW
    assert claim_views.ClaimBannerImageView.permission == Permission.VIEW
    assert claim_views.MediaImageFileView.permission == Permission.VIEW
    assert guide_views.GuideCsvView.permission == Permission.EXPORT
    assert guide_views.GuideXlsxView.permission == Permission.EXPORT


# --- No public URL ------------------------------------------------------------------------------


def test_private_storages_have_no_url(tmp_path, docs):
    with pytest.raises(PrivateFileURLError):
        _ = docs.guide.pdf.url
    with pytest.raises(PrivateFileURLError):
        _ = Claim.objects.get(pk=docs.banner.pk).image.url
    with pytest.raises(PrivateFileURLError):
        PrivateFileSystemStorage(location=tmp_path, base_url="/media/").url("invoices/x.pdf")


def test_only_published_photos_use_the_public_media_storage():
    """Every file field of every model is private, except the listing photos: so MEDIA_ROOT, which
    the DEBUG server and the web server publish, only ever holds photos meant for the public."""
    public = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and not isinstance(field.storage, NoPublicURLMixin)
    }
    assert public == {"listings.Photo.image"}


# --- X-Accel-Redirect and presigned URLs ---------------------------------------------------------


def test_behind_nginx_the_answer_is_an_internal_redirect_without_body_or_path(client, docs, staff_user):
    client.force_login(staff_user)
    with override_settings(PRIVATE_FILES_ACCEL_REDIRECT_PREFIX="/_private/"):
        response = client.get(bo("invoice_pdf", pk=docs.invoice.pk))
        image = client.get(bo("media_image_file", pk=docs.picture.pk))
        forged = client.get(bo("invoice_pdf", pk=FORGED))
    number = docs.invoice.number
    assert response.status_code == 200 and not response.streaming and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_private/invoices/saint-omer/{number}.pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{number}.pdf"'
    assert image["X-Accel-Redirect"] == f"/_private/{docs.picture.image.name}"
    assert image["Content-Disposition"].startswith("inline;") and image.content == b""
    roots = {str(settings.BASE_DIR), str(settings.PRIVATE_ROOT), str(settings.MEDIA_ROOT)}
    for answer in (response, image):
        assert not [value for _key, value in answer.items() if any(root in value for root in roots)]
    assert forged.status_code == 404 and "X-Accel-Redirect" not in forged


@override_settings(PRIVATE_FILES_ACCEL_REDIRECT_PREFIX="/_private")
def test_accel_names_are_percent_encoded_and_missing_files_are_404():
    storage = InMemoryStorage()
    name = storage.save("guides/saint-omer/1-été 2023.pdf", ContentFile(b"%PDF"))
    response = serve_private_file(name, storage=storage, filename="guide.pdf", content_type="application/pdf")
    assert response["X-Accel-Redirect"] == "/_private/guides/saint-omer/1-%C3%A9t%C3%A9%202023.pdf"
    from django.http import Http404

    for bad in ("guides/absent.pdf", "../etc/passwd", "/etc/passwd", ""):
        with pytest.raises(Http404):
            serve_private_file(bad, storage=storage, filename="x.pdf", content_type="application/pdf")


class SigningStorage(InMemoryStorage):
    """Stands for django-storages' S3Storage with querystring_auth (not installed here)."""

    querystring_auth = True

    def url(self, name, parameters=None, expire=None, http_method=None):
        self.asked = (name, parameters, expire)
        return f"https://bucket.example/{name}?X-Amz-Signature=abc&X-Amz-Expires={expire}"


@override_settings(PRIVATE_FILES_ACCEL_REDIRECT_PREFIX="/_private/", PRIVATE_FILES_URL_SECONDS=60)
def test_a_signing_bucket_redirects_to_a_short_lived_url():
    storage = SigningStorage()
    storage.save("invoices/saint-omer/F-1.pdf", ContentFile(b"%PDF"))
    response = serve_private_file(
        "invoices/saint-omer/F-1.pdf", storage=storage, filename="F-1.pdf", content_type="application/pdf"
    )
    assert response.status_code == 302 and "X-Accel-Redirect" not in response
    assert response["Location"].startswith("https://bucket.example/invoices/saint-omer/F-1.pdf?")
    name, parameters, expire = storage.asked
    assert expire == 60
    assert parameters == {
        "ResponseContentDisposition": 'attachment; filename="F-1.pdf"',
        "ResponseContentType": "application/pdf",
    }


# --- Moving the files written before ------------------------------------------------------------


@pytest.fixture
def places(tmp_path):
    public = FileSystemStorage(location=tmp_path / "media", base_url="/media/")
    private = PrivateFileSystemStorage(location=tmp_path / "private")
    return public, private


def test_the_move_keeps_names_leaves_photos_and_can_run_again(places):
    public, private = places
    public.save("invoices/saint-omer/F2022-0001.pdf", ContentFile(b"%PDF facture"))
    public.save("claims/banners/2022/b.jpg", ContentFile(b"banner"))
    public.save("listings/photos/2022/p.jpg", ContentFile(b"photo"))
    report = move_to_private(["invoices/", "claims/", "guides/"], source=public, target=private)
    assert (report.moved, report.already_private) == (2, 0)
    assert stored_in(private, "invoices/saint-omer/F2022-0001.pdf") == b"%PDF facture"
    assert stored_in(private, "claims/banners/2022/b.jpg") == b"banner"
    assert not public.exists("invoices/saint-omer/F2022-0001.pdf")
    assert public.exists("listings/photos/2022/p.jpg") and not private.exists("listings/photos/2022/p.jpg")
    again = move_to_private(["invoices/", "claims/", "guides/"], source=public, target=private)
    assert (again.moved, again.already_private) == (0, 0)
    assert stored_in(private, "invoices/saint-omer/F2022-0001.pdf") == b"%PDF facture"


def test_a_move_cut_short_is_finished_and_a_done_one_cleaned(places):
    public, private = places
    public.save("invoices/a.pdf", ContentFile(b"%PDF complet"))
    private.save("invoices/a.pdf", ContentFile(b"%PD"))  # the copy an interrupted run left
    public.save("invoices/b.pdf", ContentFile(b"%PDF b"))
    private.save("invoices/b.pdf", ContentFile(b"%PDF b"))  # copied, not yet deleted
    report = move_to_private(["invoices/"], source=public, target=private)
    assert (report.moved, report.already_private) == (1, 1)
    assert stored_in(private, "invoices/a.pdf") == b"%PDF complet"
    assert not public.exists("invoices/a.pdf") and not public.exists("invoices/b.pdf")


def test_one_folder_for_both_storages_deletes_nothing(tmp_path):
    same = FileSystemStorage(location=tmp_path)
    same.save("invoices/a.pdf", ContentFile(b"%PDF"))
    report = move_to_private(["invoices/"], source=same, target=PrivateFileSystemStorage(location=tmp_path))
    assert report.moved == 0 and same.exists("invoices/a.pdf")


def stored_in(storage, name: str) -> bytes:
    with storage.open(name, "rb") as handle:
        return handle.read()


def test_after_the_migration_the_old_public_url_answers_404(
    client, docs, staff_user, places, monkeypatch, tmp_path
):
    """An invoice written before issue 10 sits in MEDIA_ROOT, published in DEBUG at its old URL;
    the billing migration's function moves it; then that URL is a 404 and the view serves it."""
    public, private = places
    invoice = Invoice.objects.get(pk=docs.invoice.pk)
    name = f"invoices/saint-omer/{invoice.number}.pdf"
    old = b"%PDF-1.7 written in 2022"
    public.save(name, ContentFile(old))
    InvoiceDocument.objects.filter(invoice=invoice).delete()
    InvoiceDocument.objects.create(
        invoice=invoice, file=name, sha256=hashlib.sha256(old).hexdigest(), generated_at=timezone.now()
    )
    monkeypatch.setattr(private_files, "storages", {"default": public, "private": private})
    monkeypatch.setattr(InvoiceDocument._meta.get_field("file"), "storage", private)
    with override_settings(DEBUG=True, MEDIA_ROOT=str(tmp_path / "media")):
        urlconf = types.ModuleType("debug_urls")
        urlconf.urlpatterns = [
            *ensemble.urls.urlpatterns,
            *static(settings.MEDIA_URL, document_root=public.location),
        ]
        with override_settings(ROOT_URLCONF=urlconf):
            old_url = f"/media/{name}"
            before = client.get(old_url)
            assert before.status_code == 200 and body(before) == old  # the leak the issue reports
            migration = importlib.import_module("ensemble.billing.migrations.0007_private_documents")
            migration.move_documents(apps, None)
            migration.move_documents(apps, None)  # migrating twice changes nothing
            assert client.get(old_url).status_code == 404
            client.force_login(staff_user)
            response = client.get(bo("invoice_pdf", pk=invoice.pk))
    assert response.status_code == 200 and body(response) == old
    assert not public.exists(name) and stored_in(private, name) == old


@pytest.mark.parametrize(
    ("module", "prefixes"),
    [
        ("ensemble.billing.migrations.0007_private_documents", ["invoices/"]),
        ("ensemble.guide.migrations.0002_private_documents", ["guides/"]),
        ("ensemble.claims.migrations.0002_private_documents", ["claims/", "media-bank/"]),
    ],
)
def test_each_app_s_migration_moves_its_own_folders(places, monkeypatch, module, prefixes):
    public, private = places
    monkeypatch.setattr(private_files, "storages", {"default": public, "private": private})
    for prefix in ["invoices/", "guides/", "claims/", "media-bank/", "listings/"]:
        public.save(f"{prefix}x/f.bin", ContentFile(prefix.encode()))
    importlib.import_module(module).move_documents(apps, None)
    for prefix in ["invoices/", "guides/", "claims/", "media-bank/", "listings/"]:
        assert private.exists(f"{prefix}x/f.bin") == (prefix in prefixes), prefix
        assert public.exists(f"{prefix}x/f.bin") == (prefix not in prefixes), prefix
