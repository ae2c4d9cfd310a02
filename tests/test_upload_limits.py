"""Uploads that resist abuse (issue 10, item 5).

An image bomb is refused from its header, with its size and the limit, before a pixel is decoded
(through the listings service and the espace pro upload page); a request body above the cap gets a
413 page without being read; a re-encoded photo keeps no metadata (EXIF, GPS, comment, ICC, XMP,
PNG text); a listing takes at most LISTING_MAX_PHOTOS photos.
"""

import html
import io
import struct

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from ensemble.core.images import ImageError, ImageRules, reencode_image
from ensemble.listings import services as listing_services
from ensemble.listings.models import Photo

from .conftest import assert_refused, row_counts
from .images import jpeg_upload

pytestmark = pytest.mark.django_db

NBSP = "\xa0"  # French thousands separator
BOMB_MESSAGE = (
    "L'image est trop grande (13 000 × 13 000 px, 169 mégapixels) : la limite est de 40 mégapixels."
)
MIDDLEWARE_PATH = "ensemble.core.upload_limits.RequestBodyLimitMiddleware"


def french(text: str) -> str:
    return html.unescape(text).replace(NBSP, " ")


@pytest.fixture(scope="module")
def bomb_png() -> bytes:
    """About 20 kB declaring 13,000 × 13,000 pixels (169 megapixels, gigabytes once decoded)."""
    buffer = io.BytesIO()
    Image.new("1", (13_000, 13_000)).save(buffer, "PNG")
    return buffer.getvalue()


def upload_of(data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def upload_photo(partner, image):
    return listing_services.upload_photo(
        partner.listing,
        image=image,
        credit="Camille Delannoy",
        alt_texts={},
        rights_declared=True,
        actor=partner.user,
    )


@pytest.fixture
def no_decoding(monkeypatch):
    """Decoding pixels fails the test: a refusal must come from the header alone."""

    def load(self):
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# ---- image bombs ---------------------------------------------------------------------------------


def test_an_image_bomb_is_refused_by_the_service_from_its_header(partner, bomb_png, no_decoding):
    assert len(bomb_png) < 50_000
    with assert_refused(BOMB_MESSAGE.replace("13 000", f"13{NBSP}000"), field="image") as refusal:
        upload_photo(partner, upload_of(bomb_png))
    assert refusal.value.code == "too_many_pixels"
    assert not Photo.objects.exists()


def test_an_image_bomb_is_refused_on_the_portal_upload_page(client, partner, bomb_png):
    client.force_login(partner.user)
    address = reverse(
        "portal:listing_photo_upload", kwargs={"office_slug": "saint-omer", "listing_id": partner.listing.pk}
    )
    before = row_counts()
    response = client.post(
        address,
        {"image": upload_of(bomb_png), "credit": "Camille Delannoy", "rights_declared": "on"},
    )
    assert response.status_code == 200
    page = french(response.content.decode())
    assert f'<ul class="errorlist" id="id_image_error"><li>{BOMB_MESSAGE}</li></ul>' in page
    assert row_counts() == before


@override_settings(IMAGE_MAX_PIXELS=1_920_000)
def test_the_pixel_limit_is_a_setting_and_its_edge_is_accepted():
    content, width, height = reencode_image(jpeg_upload(1600, 1200))  # exactly 1,920,000 pixels
    assert (width, height) == (1600, 1200) and content.size > 0
    with pytest.raises(ImageError) as refusal:
        reencode_image(jpeg_upload(1601, 1200))
    assert french(refusal.value.message) == (
        "L'image est trop grande (1 601 × 1 200 px, 2 mégapixels) : la limite est de 1,9 mégapixels."
    )


@override_settings(IMAGE_MAX_PIXELS=1_000_000)
def test_a_webp_above_the_limit_is_refused_with_its_size():
    webp = encoded(Image.new("RGB", (1600, 1200), "white"), "WEBP")
    with pytest.raises(ImageError) as refusal:
        reencode_image(upload_of(webp, "a.webp", "image/webp"))
    assert french(refusal.value.message) == (
        "L'image est trop grande (1 600 × 1 200 px, 2 mégapixels) : la limite est de 1 mégapixels."
    )


@override_settings(IMAGE_MAX_PIXELS=100_000)
def test_when_pillow_refuses_a_webp_canvas_first_the_message_is_still_ours(monkeypatch):
    # The WebP plugin runs Pillow's own check (at twice Image.MAX_IMAGE_PIXELS) while reading the
    # header: its cryptic error becomes our message, without the size it did not give us.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    webp = encoded(Image.new("RGB", (1600, 1200), "white"), "WEBP")
    with pytest.raises(ImageError) as refusal:
        reencode_image(upload_of(webp, "a.webp", "image/webp"))
    assert refusal.value.message == "L'image est trop grande : la limite est de 0,1 mégapixels."
    assert refusal.value.field == "image"


def test_an_animated_image_is_refused_from_its_header(no_decoding):
    frames = [Image.new("RGB", (1600, 1200), colour) for colour in ("red", "blue")]
    apng = encoded(frames[0], "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(ImageError) as refusal:
        reencode_image(upload_of(apng))
    assert refusal.value.message == "Les images animées ne sont pas acceptées : envoyez une image fixe."


def test_pillow_itself_has_our_limit_elsewhere_in_the_process(bomb_png):
    # Set at start-up (CoreConfig.ready): any other Image.open in the project warns above our limit
    # and refuses above twice it; with Pillow's default (179 megapixels) the bomb would open.
    assert Image.MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS == 40_000_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(bomb_png))


# ---- the request body ----------------------------------------------------------------------------


class UnreadableInput(io.RawIOBase):
    """A wsgi.input that fails the test if anything reads it."""

    def readable(self):
        return True

    def read(self, *args):
        raise AssertionError("the request body was read")

    readinto = readline = read


def photo_upload_url(partner) -> str:
    return reverse(
        "portal:listing_photo_upload", kwargs={"office_slug": "saint-omer", "listing_id": partner.listing.pk}
    )


def test_the_body_limit_middleware_comes_first():
    # Only the observability middlewares come before it: they read headers, never the body.
    assert settings.MIDDLEWARE[: settings.MIDDLEWARE.index(MIDDLEWARE_PATH)] == [
        "ensemble.core.request_id.RequestIdMiddleware",
        "ensemble.core.metrics.MetricsMiddleware",
    ]
    assert settings.MAX_REQUEST_BODY_BYTES == 25 * 1024 * 1024


def test_an_oversized_body_is_refused_with_413_before_it_is_read(client, partner):
    client.force_login(partner.user)
    before = row_counts()
    response = client.generic(
        "POST",
        photo_upload_url(partner),
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
        **{"wsgi.input": UnreadableInput()},
    )
    assert response.status_code == 413
    page = french(response.content.decode())
    assert '<html lang="fr">' in page
    assert "Ce que vous avez envoyé dépasse 25 Mo, la limite de ce site : rien n'a été reçu." in page
    assert response.headers["Content-Language"] == "fr"
    assert row_counts() == before


@override_settings(MAX_REQUEST_BODY_BYTES=1024 * 1024)
def test_the_413_page_speaks_the_visitors_language_and_the_limit_is_a_setting(client):
    response = client.generic(
        "POST",
        "/saint-omer/adherer/",
        b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(1024 * 1024 + 1),
        headers={"accept-language": "en"},
        **{"wsgi.input": UnreadableInput()},
    )
    assert response.status_code == 413
    assert response.headers["Content-Language"] == "en"
    page = html.unescape(response.content.decode())
    assert "<h1>Upload too large</h1>" in page
    assert "What you sent is larger than 1 MB, this site's limit: nothing was received." in page


@override_settings(MAX_REQUEST_BODY_BYTES=1024 * 1024)
def test_a_body_at_the_limit_goes_through(client, partner):
    client.force_login(partner.user)
    response = client.post(photo_upload_url(partner), "x" * 1024 * 1024, content_type="text/plain")
    assert response.status_code == 200  # the view answered: its form says the photo is missing
    assert "Choisissez la photo à envoyer." in french(response.content.decode())


def test_a_body_without_a_length_is_refused_with_411_before_it_is_read(client, partner):
    client.force_login(partner.user)
    environ = {"wsgi.input": UnreadableInput(), "HTTP_TRANSFER_ENCODING": "chunked"}
    response = client.generic("POST", photo_upload_url(partner), b"", **environ)
    assert response.status_code == 411
    assert "sans en indiquer la taille" in french(response.content.decode())


# ---- metadata ------------------------------------------------------------------------------------


def jpeg_markers(data: bytes) -> list[int]:
    """The JPEG segment markers up to the image data (SOS), in order."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return markers


APP1, APP2, APP13, COM = 0xE1, 0xE2, 0xED, 0xFE


def phone_photo() -> bytes:
    """A JPEG as a phone writes it, and more: EXIF with GPS, a comment, an ICC profile, XMP."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (50.0, 45.0, 0.0), 3: "E", 4: (2.0, 15.0, 0.0)}  # GPSInfo
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.new("RGB", (1600, 1200), (40, 120, 90))
    return encoded(
        image, "JPEG", exif=exif, comment=b"secret", icc_profile=icc, xmp=b"<x:xmpmeta>Camille</x:xmpmeta>"
    )


def assert_no_metadata(data: bytes) -> None:
    markers = jpeg_markers(data)
    assert not {APP1, APP2, APP13, COM} & set(markers), [hex(m) for m in markers]
    assert not [m for m in markers if 0xE1 <= m <= 0xEF]  # no APPn but the JFIF APP0
    for needle in (b"Exif", b"secret", b"PhoneMaker", b"xmpmeta", b"Camille", b"ICC_PROFILE"):
        assert needle not in data
    info = Image.open(io.BytesIO(data)).info
    assert not {"comment", "exif", "icc_profile", "xmp", "dpi"} & set(info), info


def test_the_phone_photo_does_carry_what_must_go():
    # The control: the markers walked below do find the metadata in the original.
    original = phone_photo()
    assert {APP1, APP2, COM} <= set(jpeg_markers(original))
    info = Image.open(io.BytesIO(original)).info
    assert info["comment"] == b"secret" and "exif" in info and "icc_profile" in info


def test_a_jpeg_with_a_comment_and_gps_comes_out_with_neither(partner):
    photo = upload_photo(partner, upload_of(phone_photo(), "phone.jpg", "image/jpeg"))
    with photo.image.open("rb") as stored:
        data = stored.read()
    assert_no_metadata(data)
    assert Image.open(io.BytesIO(data)).size == (1600, 1200)


def test_a_png_loses_its_text_chunks():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Camille")
    text.add_text("Comment", "secret", zip=True)
    png = encoded(Image.new("RGBA", (800, 600), (40, 120, 90, 128)), "PNG", pnginfo=text)
    assert Image.open(io.BytesIO(png)).info["Author"] == "Camille"
    content, _width, _height = reencode_image(upload_of(png), ImageRules())
    assert_no_metadata(content.read())


def test_a_large_jpeg_is_decoded_reduced_and_keeps_its_orientation():
    # 4800 × 2400 with EXIF orientation 6 (rotated 90°): kept at 2400 on the long side, upright.
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encoded(Image.new("RGB", (4800, 2400), "white"), "JPEG", exif=exif)
    content, width, height = reencode_image(upload_of(data, "big.jpg", "image/jpeg"))
    assert (width, height) == (1200, 2400)
    assert_no_metadata(content.read())


# ---- photos per listing --------------------------------------------------------------------------


@override_settings(LISTING_MAX_PHOTOS=2)
def test_a_listing_takes_at_most_the_photo_limit(partner):
    first = upload_photo(partner, jpeg_upload())
    upload_photo(partner, jpeg_upload())
    message = "Cette fiche a déjà 2 photos, le maximum : retirez-en une avant d'en ajouter une autre."
    with assert_refused(message, field="image"):
        upload_photo(partner, jpeg_upload())
    assert Photo.objects.filter(listing=partner.listing).count() == 2
    # Removing one (even while the office has not validated it yet) frees a place.
    photos = listing_services.pending_values(partner.listing)["photos"]
    listing_services.propose_changes(
        partner.listing,
        changes={"photos": [item for item in photos if item["id"] != first.pk]},
        actor=partner.user,
    )
    upload_photo(partner, jpeg_upload())
    assert len(listing_services.pending_values(partner.listing)["photos"]) == 2
