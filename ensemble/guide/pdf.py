"""The print guide's PDF, rendered by WeasyPrint (CSS paged media): a cover, a table of contents
with page numbers, the listings by category then town, a running header with the category and
numbered pages; A5 (a booklet) or A4, portrait, black on white.

A region's guide holds thousands of listings, so it is not one WeasyPrint document: the body is
rendered in parts of at most PART_SIZE listings (a category, or a slice of a large category cut
where a town starts), each its own WeasyPrint document numbered from where the previous one
ended (`@page :first { counter-reset: page N }`). Each category starts a page anyway, so parts cut
there cost no paper. Only one part's layout and photos are in memory at a time, and the progress
bar moves as the parts are rendered. The front matter (cover, contents) is rendered once with
placeholder numbers to know its length, then with the real page of each category; pypdf joins
the pieces and writes the outline (categories, then towns).

Photos are not inlined in the HTML: each is referenced as `photo:<id>` and served to WeasyPrint
by `PhotoFetcher`, which reads the file from the media storage and reduces it for print (700 px
on the long side: about 6 cm at 300 dpi); a missing file loses its picture only (WeasyPrint logs
it). Nothing else is fetched: `data:` URIs only (the QR codes, vector SVG made by segno).
"""

import dataclasses
import io
import logging
from collections.abc import Callable, Iterator

import segno
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from PIL import Image
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .models import GuideEdition
from .selectors import GuideEntry, GuidePlan, Section, guide_entries

logger = logging.getLogger(__name__)

PART_SIZE = 250
PRINT_PIXELS = 700
PHOTO_SCHEME = "photo:"
# The progress bar: planned, then the body's parts up to BODY_DONE, joined at JOINED; stored: 100.
PLANNED, BODY_DONE, JOINED = 5, 90, 95

Progress = Callable[[int], None]


# ---- resources -----------------------------------------------------------------------------


class PhotoFetcher(URLFetcher):
    """Serves the `photo:<id>` URLs registered with `add()` from the media storage, reduced for
    print; `data:` URIs as WeasyPrint does; refuses anything else (no network, no files)."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"})
        self.names: dict[str, str] = {}

    def add(self, photo) -> str:
        key = str(photo.pk)
        self.names[key] = photo.image.name
        return f"{PHOTO_SCHEME}{key}"

    def fetch(self, url, headers=None):
        if url.startswith(PHOTO_SCHEME):
            name = self.names.get(url.removeprefix(PHOTO_SCHEME))
            if name is None:
                raise ValueError(f"Unknown photo: {url}")
            return URLFetcherResponse(url, body=print_image(name), headers={"Content-Type": "image/jpeg"})
        return super().fetch(url, headers)


def print_image(name: str) -> bytes:
    """The stored photo as a JPEG of at most PRINT_PIXELS on its long side."""
    with default_storage.open(name, "rb") as stored, Image.open(stored) as image:
        image.draft("RGB", (PRINT_PIXELS, PRINT_PIXELS))  # JPEG: decode at a reduced scale, fast
        picture = image.convert("RGB")
        picture.thumbnail((PRINT_PIXELS, PRINT_PIXELS))
        output = io.BytesIO()
        picture.save(output, "JPEG", quality=82, optimize=True)
    return output.getvalue()


def qr_data_uri(url: str) -> str:
    """A QR code of `url` as an SVG data URI (vector: sharp at any print size)."""
    return segno.make(url, error="m").svg_data_uri(scale=1, border=2)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, safe inside a <style> element (all but plain characters
    escaped, so neither a quote nor `</style>` can get out)."""
    escaped = "".join(c if c.isalnum() or c in " -'.,&()" else f"\\{ord(c):x} " for c in text)
    return mark_safe(f'"{escaped}"')  # noqa: S308 — every character is checked above


# ---- the parts of the body -----------------------------------------------------------------


@dataclasses.dataclass
class PrintItem:
    entry: GuideEntry
    new_town: bool
    photo_src: str
    qr: str


@dataclasses.dataclass
class Part:
    """A run of listings of one category, rendered as one WeasyPrint document."""

    section: Section
    opens_section: bool
    entries: list[GuideEntry] = dataclasses.field(default_factory=list)

    def takes(self, entry: GuideEntry, size: int) -> bool:
        """Whether `entry` goes on in this part: same category, and the part is not full (a full
        part still takes the rest of its town, up to twice its size)."""
        if entry.category_id != self.section.category_id:
            return False
        if len(self.entries) < size:
            return True
        return entry.town_key == self.entries[-1].town_key and len(self.entries) < 2 * size


@dataclasses.dataclass
class RenderedPart:
    pdf: bytes
    pages: int
    first_page: int
    section: Section
    opens_section: bool
    towns: list[tuple[str, int]]  # (town, page index within the part)


def parts_of(plan: GuidePlan, size: int) -> Iterator[Part]:
    """The plan's entries (read chunk by chunk) cut into parts."""
    sections = {section.category_id: section for section in plan.sections}
    part: Part | None = None
    for entry in guide_entries(plan):
        if part is not None and part.takes(entry, size):
            part.entries.append(entry)
            continue
        if part is not None:
            yield part
        opens = part is None or part.section.category_id != entry.category_id
        part = Part(section=sections[entry.category_id], opens_section=opens, entries=[entry])
    if part is not None:
        yield part


class GuideRenderer:
    """Renders an edition's guide from its plan, part by part."""

    def __init__(self, edition: GuideEdition, plan: GuidePlan, *, part_size: int | None = None):
        self.edition, self.plan = edition, plan
        self.part_size = part_size or PART_SIZE

    def common(self) -> dict:
        return {
            "edition": self.edition,
            "office": self.edition.office,
            "paper": self.edition.paper,
            "total": self.plan.total,
        }

    def part_html(self, part: Part, first_page: int, fetcher: PhotoFetcher) -> str:
        items, town = [], None
        for entry in part.entries:
            items.append(
                PrintItem(
                    entry=entry,
                    new_town=entry.town_key != town,
                    photo_src=fetcher.add(entry.photo) if entry.photo else "",
                    qr=qr_data_uri(entry.public_url),
                )
            )
            town = entry.town_key
        context = {
            **self.common(),
            "part": part,
            "items": items,
            "first_page": first_page,
            "running_header": css_string(part.section.name),
        }
        return render_to_string("guide/part.html", context)

    def render_part(self, part: Part, first_page: int) -> RenderedPart:
        fetcher = PhotoFetcher()  # one per part: its photos are freed with it
        document = HTML(string=self.part_html(part, first_page, fetcher), url_fetcher=fetcher).render()
        towns = [(label, target[0]) for label, target, _children, _state in document.make_bookmark_tree()]
        return RenderedPart(
            pdf=document.write_pdf(),
            pages=len(document.pages),
            first_page=first_page,
            section=part.section,
            opens_section=part.opens_section,
            towns=towns,
        )

    def front(self, starts: dict[int, int]) -> tuple[bytes, int]:
        """The cover and the contents, each category with the page it starts on."""
        contents = [(section, starts.get(section.category_id, 0)) for section in self.plan.sections]
        context = {**self.common(), "contents": contents, "printed_on": timezone.localdate()}
        document = HTML(string=render_to_string("guide/front.html", context)).render()
        return document.write_pdf(), len(document.pages)

    def body(self, first_page: int, progress: Progress) -> list[RenderedPart]:
        rendered, page, done = [], first_page, 0
        for part in parts_of(self.plan, self.part_size):
            rendered.append(self.render_part(part, page))
            page += rendered[-1].pages
            done += len(part.entries)
            progress(PLANNED + (BODY_DONE - PLANNED) * done // max(1, self.plan.total))
        return rendered

    def pdf(self, progress: Progress) -> tuple[bytes, int]:
        with translation.override(self.edition.language):
            placeholder = {section.category_id: 9999 for section in self.plan.sections}
            _front, front_pages = self.front(placeholder)
            parts = self.body(front_pages + 1, progress)
            starts = {}
            for part in parts:
                starts.setdefault(part.section.category_id, part.first_page)
            front, pages = self.front(starts)
            if pages != front_pages:  # one line per category in the contents: not expected
                logger.warning(
                    "Guide %s: front matter of %d pages, not %d", self.edition.pk, pages, front_pages
                )
            return self.join(front, pages, parts), pages + sum(part.pages for part in parts)

    def join(self, front: bytes, front_pages: int, parts: list[RenderedPart]) -> bytes:
        writer = PdfWriter()
        writer.append(PdfReader(io.BytesIO(front)), import_outline=False)
        writer.add_outline_item(title=self.edition.title, page_number=0)
        if front_pages > 1:
            writer.add_outline_item(title=translation.gettext("Sommaire"), page_number=1)
        category = None
        for part in parts:
            index = len(writer.pages)
            writer.append(PdfReader(io.BytesIO(part.pdf)), import_outline=False)
            if part.opens_section or category is None:
                category = writer.add_outline_item(title=part.section.name, page_number=index)
            for town, page in part.towns:
                writer.add_outline_item(title=town, page_number=index + page, parent=category, is_open=False)
        writer.add_metadata(
            {"/Title": self.edition.title, "/Author": self.edition.office.name, "/Creator": "Ensemble"}
        )
        writer.page_mode = "/UseOutlines"
        output = io.BytesIO()
        writer.write(output)
        return output.getvalue()


def render_guide_pdf(edition: GuideEdition, plan: GuidePlan, *, progress: Progress) -> bytes:
    """The edition's PDF, as bytes; `progress` is told the percentage reached as it goes."""
    content, pages = GuideRenderer(edition, plan).pdf(progress)
    progress(JOINED)
    logger.info(
        "Guide %s (%s): %d listings, %d pages, %d bytes",
        edition.pk, edition.office.slug, plan.total, pages, len(content),
    )  # fmt: skip
    return content
