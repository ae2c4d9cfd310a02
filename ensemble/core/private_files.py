"""Private documents: invoices, credit notes, the print guide, claim banners, the image bank.

They live in the `private` storage (settings.STORAGES), never under MEDIA_URL, and reach a browser
only through a view that has checked who asks, by `serve_private_file()`:
- in development and tests, the view streams the bytes (FileResponse);
- behind nginx (`PRIVATE_FILES_ACCEL_REDIRECT_PREFIX`, e.g. "/_private/"), the view answers an
  empty response with `X-Accel-Redirect: <prefix><name>` and nginx sends the file from an
  `internal` location: no worker streams it, and no path is shown to the client;
- with an S3-compatible bucket (django-storages, `querystring_auth`), the view redirects to a
  presigned URL that expires after `PRIVATE_FILES_URL_SECONDS`.

The local private storages have no URL at all: `.url()` raises, so a template or a serializer that
still links a private file fails loudly in the tests instead of printing an address that would
either leak the file or answer 404 in silence. `default` stays the public media storage: it holds
published listing photos only (the migrations that added this module moved everything else out).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, InMemoryStorage, Storage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

PRIVATE = "private"


class PrivateFileURLError(Exception):
    """A private file was asked for its URL: link the view that checks who asks instead."""


class NoPublicURLMixin:
    def url(self, name, *args, **kwargs):
        raise PrivateFileURLError(
            f"{name!r} is a private document: it has no URL; link a view that serves it "
            "with ensemble.core.private_files.serve_private_file()."
        )


@deconstructible(path="ensemble.core.private_files.PrivateFileSystemStorage")
class PrivateFileSystemStorage(NoPublicURLMixin, FileSystemStorage):
    """A local folder outside MEDIA_ROOT (default: VAR_DIR/private), with no base URL."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location or settings.PRIVATE_ROOT, **kwargs)


@deconstructible(path="ensemble.core.private_files.PrivateInMemoryStorage")
class PrivateInMemoryStorage(NoPublicURLMixin, InMemoryStorage):
    """The tests' private storage: in memory, and no URL either."""


def private_storage() -> Storage:
    """The `storage=` of every private FileField: a callable, so that migrations record this
    function, not the backend of the machine that made them."""
    return storages[PRIVATE]


# --- Serving ------------------------------------------------------------------------------------


def serve_private_file(
    file: FieldFile | str | bytes,
    *,
    filename: str,
    content_type: str,
    as_attachment: bool = True,
    storage: Storage | None = None,
) -> HttpResponse:
    """The response that hands a private document to someone the view has already checked.

    `file` is a FieldFile, a name in `storage` (default: the private storage), or bytes rendered
    on demand (a quote). A missing or empty file answers 404.
    """
    disposition = content_disposition_header(as_attachment, filename)
    if isinstance(file, bytes):
        response = HttpResponse(file, content_type=content_type)
        response["Content-Disposition"] = disposition
    else:
        name, storage = _name_and_storage(file, storage)
        if _presigns(storage):
            response = _presigned_redirect(storage, name, disposition, content_type)
        elif prefix := getattr(settings, "PRIVATE_FILES_ACCEL_REDIRECT_PREFIX", ""):
            response = _accel_redirect(storage, name, prefix, disposition, content_type)
        else:
            response = _stream(storage, name, filename, as_attachment, content_type)
    # Never kept by a shared cache or a CDN; a view may still say how long a browser keeps it.
    response["Cache-Control"] = "private"
    return response


def _name_and_storage(file: FieldFile | str, storage: Storage | None) -> tuple[str, Storage]:
    if isinstance(file, FieldFile):
        name, storage = file.name, file.storage
    else:
        name, storage = file, storage or private_storage()
    if not name or name.startswith("/") or ".." in name.split("/") or "\\" in name:
        raise Http404
    return name, storage


def _presigns(storage: Storage) -> bool:
    """An S3-compatible storage that signs its URLs (django-storages' `querystring_auth`)."""
    return not isinstance(storage, NoPublicURLMixin) and bool(getattr(storage, "querystring_auth", False))


def _presigned_redirect(storage, name: str, disposition: str, content_type: str) -> HttpResponse:
    if not storage.exists(name):
        raise Http404
    url = storage.url(
        name,
        parameters={"ResponseContentDisposition": disposition, "ResponseContentType": content_type},
        expire=settings.PRIVATE_FILES_URL_SECONDS,
    )
    return HttpResponseRedirect(url)


def _accel_redirect(storage, name: str, prefix: str, disposition: str, content_type: str) -> HttpResponse:
    """nginx serves the bytes from its `internal` location; the URI is the storage name under
    the prefix (percent-encoded), never a filesystem path."""
    if not storage.exists(name):
        raise Http404
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name, safe="/")
    response["Content-Disposition"] = disposition
    return response


def _stream(storage, name: str, filename: str, as_attachment: bool, content_type: str) -> FileResponse:
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)


# --- Moving the documents written to the public media before issue 10 ---------------------------


@dataclass
class MoveReport:
    moved: int = 0
    already_private: int = 0


def move_to_private(
    prefixes: Sequence[str], *, source: Storage | None = None, target: Storage | None = None
) -> MoveReport:
    """Move every file under `prefixes` from the public media storage to the private one, keeping
    its name (the rows point at it). Safe to run again: a file already moved is skipped, a copy
    cut short by an earlier run is made again, and files that no longer exist are simply absent.
    Called by the data migrations of billing, guide and claims."""
    source = source or storages["default"]
    target = target or private_storage()
    report = MoveReport()
    if _same_place(source, target):
        return report
    for prefix in prefixes:
        for name in list(_walk(source, prefix)):
            _move(name, source, target, report)
    return report


def _move(name: str, source: Storage, target: Storage, report: MoveReport) -> None:
    if target.exists(name) and target.size(name) == source.size(name):
        source.delete(name)
        report.already_private += 1
        return
    if target.exists(name):
        target.delete(name)
    with source.open(name, "rb") as handle:
        saved = target.save(name, handle)
    if saved != name:
        target.delete(saved)
        raise RuntimeError(f"The private storage renamed {name!r} to {saved!r}: nothing was moved.")
    source.delete(name)
    report.moved += 1


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    folder = folder.strip("/")
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for file in files:
        yield f"{folder}/{file}"
    for directory in directories:
        yield from _walk(storage, f"{folder}/{directory}")


def _same_place(source: Storage, target: Storage) -> bool:
    """A configuration that points both aliases at one folder must not delete what it 'moves'."""
    if source is target:
        return True
    both_folders = isinstance(source, FileSystemStorage) and isinstance(target, FileSystemStorage)
    return both_folders and source.location == target.location
