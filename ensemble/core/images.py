"""Uploaded images: checked, re-encoded and stripped of their metadata before they are stored.

Re-encoding (never storing the bytes as uploaded) drops EXIF, and with it the GPS position a phone
writes into a photo; it also defeats files that only pretend to be images.
"""

import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import EnsembleError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class ImageRules:
    max_bytes: int = 10 * MEGABYTE
    min_long_side: int = 0
    min_short_side: int = 0
    max_side: int = 2400
    purpose: str = "l'impression"


class ImageError(EnsembleError):
    pass


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f}".replace(".", ",") + " Mo"


def _open(upload) -> Image.Image:
    try:
        upload.seek(0)
        probe = Image.open(upload)
        probe.verify()  # structure check; the image must be reopened after it
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageError(
            "Ce fichier n'est pas une image lisible (formats acceptés : JPEG, PNG, WebP).",
            field="image",
            code="not_an_image",
        ) from None
    if image.format not in ACCEPTED_FORMATS:
        raise ImageError(
            "Ce format d'image n'est pas accepté (formats acceptés : JPEG, PNG, WebP).",
            field="image",
            code="format",
        )
    return image


def reencode_image(upload, rules: ImageRules = ImageRules()) -> tuple[ContentFile, int, int]:
    """Check an uploaded file against `rules` and return it re-encoded as JPEG (orientation
    applied, resized to `max_side`, no metadata), with its width and height."""
    size = getattr(upload, "size", None)
    if size is not None and size > rules.max_bytes:
        raise ImageError(
            f"L'image est trop lourde ({_megabytes(size)}) : la limite est de {_megabytes(rules.max_bytes)}.",
            field="image",
            code="too_large",
        )
    image = _open(upload)
    image = ImageOps.exif_transpose(image)
    long_side, short_side = max(image.size), min(image.size)
    if long_side < rules.min_long_side or short_side < rules.min_short_side:
        raise ImageError(
            f"L'image est trop petite pour {rules.purpose} ({image.width} × {image.height} px) : "
            f"il faut au moins {rules.min_long_side} px sur le grand côté et "
            f"{rules.min_short_side} px sur le petit.",
            field="image",
            code="too_small",
        )
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((rules.max_side, rules.max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), image.width, image.height
