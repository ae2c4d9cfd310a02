"""Uploaded images: checked, re-encoded and stripped of their metadata before they are stored.

Re-encoding (never storing the bytes as uploaded) drops EXIF, and with it the GPS position a phone
writes into a photo; it also defeats files that only pretend to be images.

Image bombs: a 20 kB PNG can declare 13,000 × 13,000 pixels and take gigabytes once decoded. The
dimensions are read from the header alone and checked against `IMAGE_MAX_PIXELS` before any pixel
is decoded. JPEG and PNG headers are parsed by their Pillow plugin classes directly, which run no
bomb check of their own, so our message (with the size found) always comes first; Pillow's own
limit is set to the same value (`configure_pillow`) and stays a safety net for every other use.
"""

import io
import math
import struct
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import (
    ExifTags,
    Image,
    ImageCms,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
)

from .errors import EnsembleError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MEGABYTE = 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
ROTATED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height
# What Pillow raises on a damaged or forged file, depending on the format and where it breaks.
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error)


@dataclass(frozen=True)
class ImageRules:
    max_bytes: int = 10 * MEGABYTE
    min_long_side: int = 0
    min_short_side: int = 0
    max_side: int = 2400
    purpose: str = "l'impression"


class ImageError(EnsembleError):
    pass


def max_pixels() -> int:
    return getattr(settings, "IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def configure_pillow() -> None:
    """Align Pillow's own bomb check with ours (called once, from CoreConfig.ready): any other
    Image.open in the process warns above our limit and refuses above twice it (Pillow's default
    is about 89 megapixels, refused above 179)."""
    Image.MAX_IMAGE_PIXELS = max_pixels()


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f}".replace(".", ",") + " Mo"


def _megapixels(pixels: int, *, rounding) -> str:
    tenths = rounding(pixels / 100_000)  # up for the size found, down for the limit: never "40 > 40"
    return number_format(tenths // 10 if tenths % 10 == 0 else tenths / 10, force_grouping=True)


def _not_an_image() -> ImageError:
    return ImageError(
        "Ce fichier n'est pas une image lisible (formats acceptés : JPEG, PNG, WebP).",
        field="image",
        code="not_an_image",
    )


def _too_many_pixels(size: tuple[int, int] | None) -> ImageError:
    limit = _megapixels(max_pixels(), rounding=math.floor)
    if size is None:  # Pillow refused first (a WebP canvas far above the limit): size unknown
        message = _("L'image est trop grande : la limite est de %(limit)s mégapixels.") % {"limit": limit}
    else:
        width, height = size
        message = _(
            "L'image est trop grande (%(width)s × %(height)s px, %(found)s mégapixels) : "
            "la limite est de %(limit)s mégapixels."
        ) % {
            "width": number_format(width, force_grouping=True),
            "height": number_format(height, force_grouping=True),
            "found": _megapixels(width * height, rounding=math.ceil),
            "limit": limit,
        }
    return ImageError(message, field="image", code="too_many_pixels")


def _plugin_for(head: bytes):
    """The Pillow class that parses this header, for the accepted formats only."""
    if head.startswith(b"\xff\xd8\xff"):
        return JpegImagePlugin.JpegImageFile
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PngImagePlugin.PngImageFile
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        from PIL import WebPImagePlugin  # imported here: it needs Pillow's WebP support

        return WebPImagePlugin.WebPImageFile
    return None


def _other_format_error(upload) -> ImageError:
    """Not one of ours: say so if it is another image format, else that it is not an image."""
    try:
        upload.seek(0)
        with Image.open(upload):
            pass
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        pass  # an image, too big, and of a format refused anyway
    except _UNREADABLE:
        return _not_an_image()
    return ImageError(
        "Ce format d'image n'est pas accepté (formats acceptés : JPEG, PNG, WebP).",
        field="image",
        code="format",
    )


def _header(upload) -> Image.Image:
    """The image with its header parsed and no pixel decoded (Pillow opens lazily)."""
    upload.seek(0)
    plugin = _plugin_for(upload.read(16))
    if plugin is None:
        raise _other_format_error(upload)
    upload.seek(0)
    try:
        return plugin(upload)
    except Image.DecompressionBombError:
        raise _too_many_pixels(None) from None
    except _UNREADABLE:
        raise _not_an_image() from None


def _open(upload) -> Image.Image:
    """The image, checked from its header (format, pixels, frames) before it is decoded."""
    image = _header(upload)
    if image.width * image.height > max_pixels():
        raise _too_many_pixels(image.size)
    if getattr(image, "n_frames", 1) > 1:  # read from the header (APNG acTL, WebP ANIM)
        raise ImageError(
            _("Les images animées ne sont pas acceptées : envoyez une image fixe."),
            field="image",
            code="animated",
        )
    try:
        image.verify()  # structure check (PNG checksums); the image must be reopened after it
        return _header(upload)
    except _UNREADABLE:
        raise _not_an_image() from None


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation)
    except _UNREADABLE:
        orientation = None  # a damaged EXIF block: decoding will tell whether the image is usable
    return (height, width) if orientation in ROTATED_ORIENTATIONS else (width, height)


def _check_min_size(image: Image.Image, rules: ImageRules) -> None:
    width, height = _oriented_size(image)
    if max(width, height) < rules.min_long_side or min(width, height) < rules.min_short_side:
        raise ImageError(
            f"L'image est trop petite pour {rules.purpose} ({width} × {height} px) : "
            f"il faut au moins {rules.min_long_side} px sur le grand côté et "
            f"{rules.min_short_side} px sur le petit.",
            field="image",
            code="too_small",
        )


def _decode(image: Image.Image, max_side: int) -> Image.Image:
    """Decode the pixels, letting a JPEG decode at 1/2, 1/4 or 1/8 of its size when that is still
    larger than what we keep (libjpeg's draft mode: less memory and time for big photos)."""
    if image.format == "JPEG":
        scale = max_side / max(image.size)
        if scale < 1:
            image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
    except _UNREADABLE:
        raise _not_an_image() from None
    return image


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGB pixels in sRGB: transparency flattened onto white, the embedded colour profile (a phone's
    Display P3, Adobe RGB) applied so colours stay right once the profile is dropped."""
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = image.convert("RGB")
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: keep the pixels as they are, as a browser would
    return image


def _clean_jpeg(image: Image.Image) -> bytes:
    """JPEG bytes with no metadata at all: a fresh image carries no `info` (Pillow writes
    `info["comment"]` into a JPEG unless told otherwise), and every chunk is set empty explicitly."""
    fresh = Image.new("RGB", image.size)
    fresh.paste(image)
    buffer = io.BytesIO()
    fresh.save(
        buffer, "JPEG", quality=85, optimize=True, progressive=True, exif=b"", comment=b"", icc_profile=None
    )
    return buffer.getvalue()


def reencode_image(upload, rules: ImageRules = ImageRules()) -> tuple[ContentFile, int, int]:
    """Check an uploaded file against `rules` and return it re-encoded as JPEG (orientation
    applied, resized to `max_side`, sRGB, no metadata), with its width and height."""
    size = getattr(upload, "size", None)
    if size is not None and size > rules.max_bytes:
        raise ImageError(
            f"L'image est trop lourde ({_megabytes(size)}) : la limite est de {_megabytes(rules.max_bytes)}.",
            field="image",
            code="too_large",
        )
    image = _open(upload)
    _check_min_size(image, rules)
    icc_profile = image.info.get("icc_profile")
    image = _to_srgb(_decode(image, rules.max_side), icc_profile)
    image.thumbnail((rules.max_side, rules.max_side), Image.Resampling.LANCZOS)
    return ContentFile(_clean_jpeg(image), name=f"{uuid.uuid4().hex}.jpg"), image.width, image.height
