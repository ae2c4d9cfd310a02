"""Images made with Pillow for upload tests (no binary fixtures in the repository)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_upload(width=1600, height=1000, *, name="photo.jpg", gps=False, fmt="JPEG") -> SimpleUploadedFile:
    image = Image.new("RGB", (width, height), (40, 120, 90))
    buffer = io.BytesIO()
    extra = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (50.0, 45.0, 0.0), 3: "E", 4: (2.0, 15.0, 0.0)}  # GPSInfo
        extra["exif"] = exif
    image.save(buffer, fmt, **extra)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def not_an_image(name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7 not an image at all", content_type="image/jpeg")
