"""The print guide: asking for an edition (rules, bad input), the background render (PDF content,
grouping by category then town, language fallback, progress, idempotence, failures, a query count
independent of the number of listings) and the data the exports read."""

import datetime
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from ensemble.directory.models import Category
from ensemble.guide import pdf as guide_pdf
from ensemble.guide import selectors, services
from ensemble.guide.errors import GuideError
from ensemble.guide.models import GuideEdition
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing, Photo

from .factories import EstablishmentFactory, OrganisationFactory
from .images import jpeg_upload
from .test_billing_pdf import pdf_text

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def category(office, slug: str) -> Category:
    return Category.objects.get(office=office, slug=slug)


# Each town with its own postcode: addresses are checked against La Poste's list.
POSTCODES = {
    "Arques": "62510",
    "Clairmarais": "62500",
    "Houlle": "62910",
    "Tilques": "62500",
    "Éperlecques": "62910",
}


def make_place(office, name: str, *, slug: str = "loisirs", city: str = "Saint-Omer", **changes) -> Listing:
    """A place the office publishes itself (published whatever the memberships)."""
    establishment = EstablishmentFactory(
        organisation=OrganisationFactory(office=office),
        name=name,
        category=category(office, slug),
        city=city,
        postcode=POSTCODES.get(city, "62500"),
        latitude=changes.pop("latitude", None),
        longitude=changes.pop("longitude", None),
    )
    listing = listing_services.ensure_listing(establishment)
    if changes:
        listing_services.edit_listing(listing, changes=changes, actor=None)
    listing_services.mark_office_place(listing, is_office_place=True, actor=None)
    return Listing.objects.get(pk=listing.pk)


def add_photo(listing: Listing, *, credit: str, actor) -> Photo:
    """A photo proposed by upload and published by approving the proposal, as in real life."""
    from ensemble.listings import selectors as listing_selectors

    photo = listing_services.upload_photo(
        listing,
        image=jpeg_upload(1600, 1000),
        credit=credit,
        alt_texts={"fr": "La façade"},
        rights_declared=True,
        actor=actor,
    )
    pending = listing_selectors.pending_proposal(
        Listing.objects.prefetch_related("proposals").get(pk=listing.pk)
    )
    listing_services.approve_proposal(pending, actor=actor)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.PUBLISHED
    return photo


@pytest.fixture
def active(make_membership, staff_user):
    """An active partner's listing (paid in March 2022), with staff edits."""

    def _make(name: str, login: str, *, category_id=None, **changes) -> Listing:
        extra = {"category_id": category_id} if category_id else {}
        membership = make_membership("active", email=login, establishment_name=name, **extra)
        listing = listing_services.ensure_listing(membership.establishment)
        if changes:
            listing_services.edit_listing(listing, changes=changes, actor=staff_user)
        return Listing.objects.get(pk=listing.pk)

    return _make


@pytest.fixture
def guide_listings(office, active, staff_user):
    """A hotel in Saint-Omer (active partner, photo), a restaurant in Arques (active partner),
    a museum the office publishes in Éperlecques, and a withdrawn partner's listing."""
    hotel = active(
        "Hôtel des Remparts",
        "sophie@remparts.example",
        short_description_fr="Hôtel de charme au pied de la cathédrale.",
        short_description_en="Charming hotel at the foot of the cathedral.",
        phone="03 21 98 76 54",
        email="accueil@remparts.example",
        website="https://remparts.example",
    )
    add_photo(hotel, credit="Studio Audomarois", actor=staff_user)
    restaurant = active(
        "Estaminet du Marais",
        "luc@estaminet.example",
        category_id=category(office, "restauration").pk,
        city="Arques",
        postcode="62510",
        short_description_fr="Cuisine flamande et bières locales.",
    )
    museum = make_place(
        office, "Musée de la Coupole", city="Éperlecques", short_description_fr="Centre d'histoire."
    )
    withdrawn = active("Le Vieux Moulin", "jean@moulin.example")
    listing_services.unpublish_listing(withdrawn, reason="Données anciennes.", actor=staff_user)
    return {"hotel": hotel, "restaurant": restaurant, "museum": museum, "withdrawn": withdrawn}


def request(office, actor, **overrides) -> GuideEdition:
    values = {"language": "fr", "title": "Guide touristique 2023", "categories": [], "actor": actor}
    values.update(overrides)
    return services.request_guide(office, **values)


def rendered(office, actor, capture, **overrides) -> GuideEdition:
    """Ask for an edition; the task runs after commit (immediate backend in tests)."""
    with capture(execute=True):
        edition = request(office, actor, **overrides)
    edition.refresh_from_db()
    return edition


# The print guides are private documents (issue 10): not in the public media storage.
GUIDES = GuideEdition._meta.get_field("pdf").storage


def stored(edition: GuideEdition) -> bytes:
    with edition.pdf.open("rb") as f:
        return f.read()


@pytest.fixture(autouse=True)
def _no_stored_guides():
    """The test storage lives as long as the process: start each test without guide files."""
    for name in guide_files():
        GUIDES.delete(f"guides/saint-omer/{name}")


def guide_files() -> list[str]:
    try:
        _dirs, files = GUIDES.listdir("guides/saint-omer")
    except FileNotFoundError:
        return []
    return files


# ---- the render ------------------------------------------------------------------------------


def test_the_task_renders_the_guide_after_commit(
    office, guide_listings, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        edition = request(office, staff_user)
    assert edition.status == GuideEdition.Status.QUEUED and not edition.pdf
    assert len(callbacks) == 1
    callbacks[0]()
    edition.refresh_from_db()
    assert edition.status == GuideEdition.Status.DONE
    assert edition.progress == 100
    assert edition.total == 3
    assert edition.started_at and edition.finished_at and edition.error == ""
    assert edition.pdf.name.startswith(f"guides/saint-omer/{edition.pk}-guide-touristique-2023-fr")
    assert stored(edition).startswith(b"%PDF-")


def test_the_pdf_prints_cover_contents_headings_entries_and_links(
    office, guide_listings, staff_user, django_capture_on_commit_callbacks
):
    edition = rendered(office, staff_user, django_capture_on_commit_callbacks)
    content = stored(edition)
    text = pdf_text(content)
    hotel, museum = guide_listings["hotel"], guide_listings["museum"]
    for expected in (
        "Guide touristique 2023",
        "Office de Tourisme du Pays de Saint-Omer",
        "3 adresses",
        "Sommaire",
        "Hébergement",
        "Restauration",
        "Activités de loisirs",
        "Saint-Omer",
        "Arques",
        "Éperlecques",
        "Hôtel des Remparts",
        "Estaminet du Marais",
        "Musée de la Coupole",
        "Hôtel de charme au pied de la cathédrale.",
        "© Studio Audomarois",
        "03 21 98 76 54",
        "accueil@remparts.example",
        "https://remparts.example",
        f"{SITE}/saint-omer/fiches/{hotel.pk}/",
        f"{SITE}/saint-omer/fiches/{museum.pk}/",
    ):
        assert expected in text, expected
    assert "Le Vieux Moulin" not in text  # withdrawn: not published
    reader = PdfReader(io.BytesIO(content))
    # cover, contents, then a page per category (each starts a page).
    assert len(reader.pages) >= 5
    assert reader.metadata.title == "Guide touristique 2023"
    # The outline (bookmarks) has the categories, in the guide's order.
    assert [item.title for item in reader.outline if not isinstance(item, list)][-3:] == [
        "Hébergement",
        "Restauration",
        "Activités de loisirs",
    ]
    # The photo is embedded (a JPEG reduced for print) and so are the QR codes (vector).
    images = {image.data: image for page in reader.pages for image in page.images}
    assert len(images) == 1
    (image,) = images.values()
    assert image.image.format == "JPEG" and max(image.image.size) <= guide_pdf.PRINT_PIXELS


def test_the_contents_give_each_category_s_page_and_pages_are_numbered(
    office, guide_listings, staff_user, django_capture_on_commit_callbacks
):
    edition = rendered(office, staff_user, django_capture_on_commit_callbacks)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(stored(edition))).pages]
    contents = pages[1]
    for name, entry in (
        ("Hébergement", "Hôtel des Remparts"),
        ("Restauration", "Estaminet du Marais"),
        ("Activités de loisirs", "Musée de la Coupole"),
    ):
        number = int(re.search(rf"{re.escape(name)} \(1\) \.+ (\d+)", contents)[1])
        page = pages[number - 1]
        assert entry in page and name in page.splitlines()
        assert name.upper() in page  # the running header
        assert page.split()[-1] == str(number)  # the page number at the bottom
    assert contents.split()[-1] == "2"
    assert not pages[0].split()[-1].isdigit()  # the cover has none


def test_the_guide_is_grouped_by_category_then_town_then_name(office, staff_user):
    make_place(office, "Zoo des Marais", slug="loisirs", city="Saint-Omer")
    make_place(office, "Balade en barque", slug="loisirs", city="Clairmarais")
    make_place(office, "Atelier du verre", slug="loisirs", city="Arques")
    make_place(office, "Château d'Éperlecques", slug="loisirs", city="Éperlecques")
    make_place(office, "Ferme Lefebvre", slug="terroir", city="Arques")
    make_place(office, "Auberge de la Lys", slug="hebergement", city="saint-omer")
    make_place(office, "Camping du Lac", slug="hebergement", city="Saint-Omer")
    make_place(office, "Gîte Le Houlle", slug="hebergement", city="Houlle")
    plan = selectors.plan_guide(office)
    order = [(e.category, e.town, e.name) for e in selectors.guide_entries(plan, size=3)]
    assert order == [
        ("Hébergement", "Houlle", "Gîte Le Houlle"),
        ("Hébergement", "saint-omer", "Auberge de la Lys"),  # same town, whatever the case
        ("Hébergement", "Saint-Omer", "Camping du Lac"),
        ("Activités de loisirs", "Arques", "Atelier du verre"),
        ("Activités de loisirs", "Clairmarais", "Balade en barque"),
        ("Activités de loisirs", "Éperlecques", "Château d'Éperlecques"),  # É sorts as E
        ("Activités de loisirs", "Saint-Omer", "Zoo des Marais"),
        ("Producteurs du terroir", "Arques", "Ferme Lefebvre"),
    ]
    assert [(s.name, s.count) for s in plan.sections] == [
        ("Hébergement", 3),
        ("Activités de loisirs", 4),
        ("Producteurs du terroir", 1),
    ]
    # Cut in parts of 2: a full part takes the rest of its town, a new town starts a new part,
    # and a category never shares a part.
    parts = [
        (part.section.name, part.opens_section, [e.name for e in part.entries])
        for part in guide_pdf.parts_of(plan, 2)
    ]
    assert parts == [
        ("Hébergement", True, ["Gîte Le Houlle", "Auberge de la Lys", "Camping du Lac"]),
        ("Activités de loisirs", True, ["Atelier du verre", "Balade en barque"]),
        ("Activités de loisirs", False, ["Château d'Éperlecques", "Zoo des Marais"]),
        ("Producteurs du terroir", True, ["Ferme Lefebvre"]),
    ]


def test_a_guide_in_parts_reads_as_one(office, staff_user, monkeypatch, django_capture_on_commit_callbacks):
    """Parts are separate WeasyPrint documents: the pages still run on, the contents point at the
    right pages, a continued category keeps its running header, the outline nests the towns."""
    for n, town in enumerate(("Arques", "Clairmarais", "Houlle", "Saint-Omer", "Tilques")):
        make_place(office, f"Balade n° {n}", slug="loisirs", city=town)
    make_place(office, "Ferme Lefebvre", slug="terroir", city="Arques")
    monkeypatch.setattr(guide_pdf, "PART_SIZE", 2)
    edition = rendered(office, staff_user, django_capture_on_commit_callbacks, paper="A4")
    reader = PdfReader(io.BytesIO(stored(edition)))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 2 + 3 + 1  # cover, contents; loisirs in 3 parts; terroir
    for number, page in enumerate(pages[1:], start=2):
        assert page.split()[-1] == str(number)
    for number in (4, 5):
        assert "ACTIVITÉS DE LOISIRS" in pages[number - 1] and "Activités de loisirs" not in pages[number - 1]
    assert re.search(r"Activités de loisirs \(5\) \.+ 3", pages[1])
    assert re.search(r"Producteurs du terroir \(1\) \.+ 6", pages[1])
    assert "Balade n° 4" in pages[4] and "Ferme Lefebvre" in pages[5]
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["Guide touristique 2023", "Sommaire", "Activités de loisirs", "Producteurs du terroir"]
    towns = outline[3]
    assert [item.title for item in towns] == ["Arques", "Clairmarais", "Houlle", "Saint-Omer", "Tilques"]
    assert [reader.get_destination_page_number(item) for item in towns] == [2, 2, 3, 3, 4]
    assert float(reader.pages[0].mediabox.width) == pytest.approx(595.28, abs=1)  # A4


def test_only_the_chosen_categories_are_printed(office, staff_user, django_capture_on_commit_callbacks):
    make_place(office, "Musée Sandelin", slug="loisirs")
    make_place(office, "Ferme Lefebvre", slug="terroir")
    edition = rendered(
        office, staff_user, django_capture_on_commit_callbacks, categories=[category(office, "terroir")]
    )
    text = pdf_text(stored(edition))
    assert edition.total == 1
    assert "Ferme Lefebvre" in text and "Musée Sandelin" not in text


def test_the_chosen_language_with_french_fallback(office, staff_user, django_capture_on_commit_callbacks):
    make_place(
        office,
        "Musée Sandelin",
        short_description_fr="Musée des beaux-arts.",
        short_description_nl="Museum voor schone kunsten.",
    )
    make_place(office, "Ferme Lefebvre", slug="terroir", short_description_fr="Fromages de la ferme.")
    plan = selectors.plan_guide(office, language="nl")
    entries = {e.name: e for e in selectors.guide_entries(plan)}
    assert entries["Musée Sandelin"].description == "Museum voor schone kunsten."
    assert entries["Ferme Lefebvre"].description == "Fromages de la ferme."  # no Dutch text
    assert entries["Ferme Lefebvre"].category == "Streekproducenten"
    edition = rendered(office, staff_user, django_capture_on_commit_callbacks, language="nl")
    text = pdf_text(stored(edition))
    assert "Museum voor schone kunsten." in text and "Musée des beaux-arts." not in text
    assert "Fromages de la ferme." in text
    assert "Vrijetijdsactiviteiten" in text and "Streekproducenten" in text
    assert PdfReader(io.BytesIO(stored(edition))).pdf_header  # a PDF
    assert edition.language == "nl"


def test_progress_is_recorded_while_rendering(
    office, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    for n in range(5):
        make_place(office, f"Gîte n° {n}", slug="hebergement", city=f"Village {n}")
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 2)
    monkeypatch.setattr(guide_pdf, "PART_SIZE", 2)
    seen = []
    original = services._record_progress

    def spy(edition, percent, **fields):
        original(edition, percent, **fields)
        seen.append(GuideEdition.objects.values_list("status", "progress").get(pk=edition.pk))

    monkeypatch.setattr(services, "_record_progress", spy)
    edition = rendered(office, staff_user, django_capture_on_commit_callbacks)
    assert all(status == "running" for status, _ in seen)
    percents = [progress for _, progress in seen]
    # planned, each of the three parts rendered, joined; then done.
    assert percents == [5, 39, 73, 90, 95]
    assert (edition.status, edition.progress, edition.total) == ("done", 100, 5)


def test_a_second_run_does_nothing(
    office, guide_listings, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    edition = rendered(office, staff_user, django_capture_on_commit_callbacks)
    name, finished = edition.pdf.name, edition.finished_at

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered twice")

    monkeypatch.setattr(guide_pdf, "render_guide_pdf", must_not_render)
    with CaptureQueriesContext(connection) as queries:
        assert services.render_guide(edition.pk) == "skipped"
    assert len(queries) <= 3
    edition.refresh_from_db()
    assert (edition.status, edition.pdf.name, edition.finished_at) == ("done", name, finished)
    assert guide_files() == [name.rsplit("/", 1)[1]]
    # A running edition (another worker has it) is left alone too.
    GuideEdition.objects.filter(pk=edition.pk).update(status="running", progress=40)
    assert services.render_guide(edition.pk) == "skipped"
    assert services.render_guide(987654) == "skipped"  # gone


def test_a_failure_is_recorded_and_leaves_no_file(
    office, guide_listings, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(edition, plan, *, progress):
        progress(30)
        raise RuntimeError("plus de papier")

    monkeypatch.setattr(guide_pdf, "render_guide_pdf", broken)
    edition = rendered(office, staff_user, django_capture_on_commit_callbacks)
    assert edition.status == GuideEdition.Status.FAILED
    assert edition.error == "Le rendu du guide a échoué : RuntimeError: plus de papier"
    assert not edition.pdf and edition.finished_at
    assert edition.progress == 30
    assert guide_files() == []
    # A failed edition is not rendered by a late second run, and another can be asked for.
    assert services.render_guide(edition.pk) == "skipped"
    assert request(office, staff_user).status == GuideEdition.Status.QUEUED


def test_a_failure_while_storing_leaves_no_file(
    office, guide_listings, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    original_save = GuideEdition.save

    def failing_save(self, *args, **kwargs):
        if self.status == GuideEdition.Status.DONE:
            raise RuntimeError("disque plein")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(GuideEdition, "save", failing_save)
    edition = rendered(office, staff_user, django_capture_on_commit_callbacks)
    assert edition.status == GuideEdition.Status.FAILED and "disque plein" in edition.error
    assert not edition.pdf
    assert guide_files() == []


def test_the_render_s_query_count_does_not_grow_with_the_listings(
    office, staff_user, django_capture_on_commit_callbacks
):
    def count_for(n: int) -> int:
        GuideEdition.objects.all().delete()
        existing = Listing.objects.filter(office=office).count()
        for i in range(existing, n):
            listing = make_place(
                office,
                f"Lieu n° {i}",
                slug=("hebergement", "loisirs", "terroir")[i % 3],
                city=("Arques", "Saint-Omer", "Houlle")[i % 3],
                short_description_fr=f"Description {i}.",
            )
            if i < 2:
                add_photo(listing, credit=f"Photographe {i}", actor=staff_user)
        edition = request(office, staff_user)
        with CaptureQueriesContext(connection) as queries:
            assert services.render_guide(edition.pk) == "done"
        return len(queries)

    few, many = count_for(5), count_for(30)
    assert few == many
    # lock and start, categories ×2, the order, 3 a chunk, 5 progress steps, lock and finish, the
    # audit entry, status
    assert many <= 21


# ---- asking for an edition: rules and bad input ------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        (
            {"language": "de"},
            "Langue inconnue : choisissez le français, l'anglais ou le néerlandais.",
            "language",
        ),
        ({"title": "   "}, "Le titre est obligatoire.", "title"),
        ({"title": "x" * 201}, "Le titre ne peut dépasser 200 caractères.", "title"),
        ({"paper": "A3"}, "Format inconnu : A5 ou A4.", "paper"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(office, staff_user, overrides, message, field):
    make_place(office, "Musée Sandelin")
    with pytest.raises(GuideError) as info:
        request(office, staff_user, **overrides)
    assert (info.value.message, info.value.field) == (message, field)
    assert not GuideEdition.objects.exists()


def test_another_office_s_category_or_an_empty_guide_is_refused(office, other_office, staff_user):
    make_place(office, "Musée Sandelin", slug="loisirs")
    with pytest.raises(GuideError) as info:
        request(office, staff_user, categories=[category(other_office, "loisirs")])
    assert (info.value.message, info.value.field) == ("Catégorie inconnue.", "categories")
    with pytest.raises(GuideError) as info:
        request(office, staff_user, categories=[category(office, "bars")])
    assert info.value.message == "Aucune fiche publiée dans ces catégories : le guide serait vide."
    assert not GuideEdition.objects.exists()


def test_one_edition_at_a_time_per_office_and_a_dead_one_is_released(
    office, other_office, staff_user, other_staff_user
):
    make_place(office, "Musée Sandelin")
    make_place(other_office, "Musée de l'Aa")
    first = request(office, staff_user)  # on_commit not run: stays queued
    with pytest.raises(GuideError, match="Un guide est déjà en préparation"):
        request(office, staff_user, title="Roadbook")
    assert request(other_office, other_staff_user).office == other_office  # each office its own
    # A render whose worker died (no progress for hours) no longer blocks the office.
    GuideEdition.objects.filter(pk=first.pk).update(
        status="running", updated_at=timezone.now() - datetime.timedelta(hours=3)
    )
    second = request(office, staff_user, title="Roadbook")
    first.refresh_from_db()
    assert first.status == "failed" and first.error == "Préparation interrompue (le traitement s'est arrêté)."
    assert second.title == "Roadbook" and second.created_by == staff_user


def test_the_title_is_cleaned_and_categories_kept(office, staff_user):
    make_place(office, "Musée Sandelin", slug="loisirs")
    edition = request(
        office, staff_user, title="  Roadbook   2023 ", categories=[category(office, "loisirs")]
    )
    assert edition.title == "Roadbook 2023"
    assert list(edition.categories.values_list("slug", flat=True)) == ["loisirs"]


def test_two_requests_at_once_the_constraint_decides(office, staff_user, monkeypatch):
    make_place(office, "Musée Sandelin")
    request(office, staff_user)
    # The check misses the queued edition, as a concurrent request's would: the constraint holds.
    monkeypatch.setattr(GuideEdition, "IN_PROGRESS", ())
    with pytest.raises(GuideError, match="Un guide est déjà en préparation"):
        request(office, staff_user, title="Roadbook")
    assert GuideEdition.objects.count() == 1


def test_a_category_name_cannot_escape_the_running_header():
    value = guide_pdf.css_string('Bars "</style><script>x')
    assert value.startswith('"') and value.endswith('"')
    assert "<" not in value and '"' not in value[1:-1]
    assert guide_pdf.css_string("Activités de loisirs") == '"Activités de loisirs"'


def test_a_missing_photo_file_loses_its_picture_only(
    office, guide_listings, staff_user, django_capture_on_commit_callbacks
):
    photo = guide_listings["hotel"].photos.get()
    default_storage.delete(photo.image.name)
    edition = rendered(office, staff_user, django_capture_on_commit_callbacks)
    assert edition.status == GuideEdition.Status.DONE
    reader = PdfReader(io.BytesIO(stored(edition)))
    assert not [image for page in reader.pages for image in page.images]
    assert "Hôtel des Remparts" in pdf_text(stored(edition))
