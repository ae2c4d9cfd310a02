"""The back office's « Guide imprimé » page: asking for an edition, its progress (htmx polling),
downloading the PDF, the CSV and XLSX exports for the layout agency; staff of the office only."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ensemble.guide.models import GuideEdition
from ensemble.listings.models import Listing

from .factories import UserFactory
from .test_guide import add_photo, category, make_place

pytestmark = pytest.mark.django_db

SLUG = "saint-omer"
SITE = "http://127.0.0.1:8000"
HEADER = [
    "Catégorie", "Ville", "Nom", "Description courte (FR)", "Description courte (EN)",
    "Description courte (NL)", "Adresse", "Code postal", "Téléphone", "E-mail", "Site web",
    "Page publique", "Photo", "Crédit photo", "Latitude", "Longitude", "Équipements et labels",
]  # fmt: skip


def url(name: str, office_slug: str = SLUG, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office_slug, **kwargs})


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def places(office, staff_user):
    from ensemble.listings.models import Amenity

    bike = Amenity.objects.create(office=office, group="label", slug="accueil-velo", name_fr="Accueil Vélo")
    museum = make_place(
        office,
        "Musée Sandelin",
        slug="loisirs",
        city="Saint-Omer",
        short_description_fr="Musée des beaux-arts.",
        short_description_en="Fine arts museum.",
        short_description_nl="Museum voor schone kunsten.",
        phone="03 21 38 00 94",
        email="musee@sandelin.example",
        website="https://sandelin.example",
        amenities=[bike.pk],
        latitude="50.750000",
        longitude="2.252000",
    )
    add_photo(museum, credit="Studio Audomarois", actor=staff_user)
    farm = make_place(
        office, "=Ferme Lefebvre", slug="terroir", city="Arques", short_description_fr="+Fromages"
    )
    return {"museum": museum, "farm": farm}


def post_request(client, **overrides):
    data = {"title": "Guide touristique 2023", "language": "fr", "paper": "A5"}
    data.update(overrides)
    return client.post(url("guide"), data)


# ---- the page and the request ------------------------------------------------------------------


def test_the_page_shows_the_form_and_asks_for_an_edition(
    staff_client, places, office, staff_user, django_capture_on_commit_callbacks
):
    page = staff_client.get(url("guide"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Guide imprimé</h1>" in html and "Aucune édition pour le moment." in html
    assert 'value="Guide touristique 2023"' in html  # the next season's, in December
    assert url("guide_export_csv") in html and url("guide_export_xlsx") in html
    with django_capture_on_commit_callbacks(execute=True):
        response = post_request(
            staff_client, title="Roadbook 2023", language="en", categories=[category(office, "loisirs").pk]
        )
    assert response.status_code == 302 and response["Location"] == url("guide")
    edition = GuideEdition.objects.get()
    assert (edition.title, edition.language, edition.status, edition.total) == (
        "Roadbook 2023",
        "en",
        "done",
        1,
    )
    assert edition.created_by == staff_user
    html = staff_client.get(url("guide")).content.decode()
    assert "Guide demandé : il se prépare, suivez son avancement ci-dessous." in html
    assert url("guide_pdf", pk=edition.pk) in html and "Activités de loisirs" in html
    assert "hx-trigger" not in html  # nothing in progress: no polling


def test_bad_input_is_shown_on_the_form_and_writes_nothing(staff_client, places, office, other_office):
    response = post_request(staff_client, title="  ")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-describedby="id_title_error' in html and "Ce champ est obligatoire." in html
    # The service's rule lands on its field.
    response = post_request(staff_client, categories=[category(office, "bars").pk])
    assert "Aucune fiche publiée dans ces catégories : le guide serait vide." in response.content.decode()
    # Another office's category is not a choice.
    response = post_request(staff_client, categories=[category(other_office, "loisirs").pk])
    assert response.status_code == 200 and "id_categories_error" in response.content.decode()
    assert "Catégorie inconnue." in response.content.decode()
    response = post_request(staff_client, language="de")
    assert response.status_code == 200 and "id_language_error" in response.content.decode()
    assert not GuideEdition.objects.exists()


def test_while_an_edition_is_prepared_the_list_polls_and_shows_progress(staff_client, places, office):
    edition = GuideEdition.objects.create(office=office, title="Guide 2023", status="running", progress=42)
    html = staff_client.get(url("guide")).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert f'<progress id="guide-progress-{edition.pk}" max="100" value="42"' in html
    assert "42 %" in html and "htmx-2.min.js" in html
    # htmx asks for the fragment only.
    fragment = staff_client.get(url("guide"), headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="guide-editions"') and "<h1>" not in fragment
    assert 'hx-trigger="every 2s"' in fragment
    GuideEdition.objects.filter(pk=edition.pk).update(status="failed", error="Le rendu du guide a échoué : X")
    fragment = staff_client.get(url("guide"), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "Le rendu du guide a échoué : X" in fragment


def test_asking_again_while_one_is_prepared_is_refused(staff_client, places, office):
    GuideEdition.objects.create(office=office, title="Guide 2023", status="queued")
    response = post_request(staff_client, title="Autre")
    assert "Un guide est déjà en préparation" in response.content.decode()
    assert GuideEdition.objects.count() == 1


def test_the_page_s_queries_do_not_grow_with_the_editions(staff_client, places, office):
    def count_for(n: int) -> int:
        for i in range(GuideEdition.objects.count(), n):
            edition = GuideEdition.objects.create(office=office, title=f"Guide {i}", status="done")
            edition.categories.set([category(office, "loisirs")])
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url("guide")).status_code == 200
        return len(queries)

    assert count_for(2) == count_for(15)


# ---- the PDF -------------------------------------------------------------------------------


def test_the_pdf_is_downloaded_when_ready(staff_client, places, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_request(staff_client)
    edition = GuideEdition.objects.get()
    response = staff_client.get(url("guide_pdf", pk=edition.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="guide-touristique-2023-fr.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    waiting = GuideEdition.objects.create(office=office, title="Pas prêt", status="queued")
    assert staff_client.get(url("guide_pdf", pk=waiting.pk)).status_code == 404


def test_another_office_s_edition_is_404(staff_client, other_office, office):
    theirs = GuideEdition.objects.create(
        office=other_office, title="Guide d'Aire", status="done", pdf="x.pdf"
    )
    assert staff_client.get(url("guide_pdf", pk=theirs.pk)).status_code == 404
    assert staff_client.get(url("guide_pdf", pk=theirs.pk, office_slug=other_office.slug)).status_code == 404


# ---- who may enter -------------------------------------------------------------------------


def guide_urls(edition) -> list[str]:
    return [url("guide"), url("guide_pdf", pk=edition.pk), url("guide_export_csv"), url("guide_export_xlsx")]


def test_only_the_office_s_staff(client, office, other_staff_user, make_partner):
    edition = GuideEdition.objects.create(office=office, title="Guide", status="done", pdf="x.pdf")
    login = reverse("account_login")
    for target in guide_urls(edition):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(f"{login}?next="), target
    assert client.post(url("guide"), {"title": "X", "language": "fr", "paper": "A5"}).status_code == 302
    partner = make_partner("camille@moulin.example")
    for user in (partner.user, other_staff_user, UserFactory(email="visiteur@example.org")):
        client.force_login(user)
        for target in guide_urls(edition):
            assert client.get(target).status_code == 404, (user, target)
        assert client.post(url("guide"), {"title": "X", "language": "fr", "paper": "A5"}).status_code == 404
    assert GuideEdition.objects.count() == 1
    # Staff of another office on their own office's URL see their own page, not this one's editions.
    client.force_login(other_staff_user)
    html = client.get(url("guide", office_slug="aire-sur-la-lys")).content.decode()
    assert "Aucune édition pour le moment." in html


# ---- exports ----------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))


def test_the_csv_export_has_one_row_per_listing_in_the_guide_s_order(staff_client, places):
    museum = places["museum"]
    response = staff_client.get(url("guide_export_csv"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="guide-saint-omer.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == HEADER
    assert [row[:3] for row in rows] == [
        ["Activités de loisirs", "Saint-Omer", "Musée Sandelin"],
        ["Producteurs du terroir", "Arques", "'=Ferme Lefebvre"],  # no formula for spreadsheets
    ]
    row = dict(zip(header, rows[0], strict=True))
    photo = museum.photos.get()
    assert row == {
        **row,
        "Description courte (FR)": "Musée des beaux-arts.",
        "Description courte (EN)": "Fine arts museum.",
        "Description courte (NL)": "Museum voor schone kunsten.",
        "Adresse": "12 rue de Dunkerque",
        "Code postal": "62500",
        "Téléphone": "03 21 38 00 94",
        "E-mail": "musee@sandelin.example",
        "Site web": "https://sandelin.example",
        "Page publique": f"{SITE}/saint-omer/fiches/{museum.pk}/",
        "Photo": f"{SITE}{photo.image.url}",
        "Crédit photo": "Studio Audomarois",
        "Latitude": "50,750000",
        "Longitude": "2,252000",
        "Équipements et labels": "Accueil Vélo",
    }
    assert rows[1][3] == "'+Fromages"


def test_the_csv_export_takes_categories_and_refuses_others(staff_client, places, office, other_office):
    terroir = category(office, "terroir")
    response = staff_client.get(url("guide_export_csv"), {"export-categories": [terroir.pk]})
    assert [row[2] for row in csv_rows(response)[1:]] == ["'=Ferme Lefebvre"]
    for bad in (category(other_office, "terroir").pk, "abc"):
        response = staff_client.get(url("guide_export_csv"), {"export-categories": [bad]})
        assert response.status_code == 400
        assert response.content.decode() == "Catégorie inconnue."


def test_the_xlsx_export_reads_back(staff_client, places):
    museum = places["museum"]
    response = staff_client.get(url("guide_export_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="guide-saint-omer.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert len(rows) == 3
    first = dict(zip(HEADER, rows[1], strict=True))
    assert (
        first["Nom"] == "Musée Sandelin" and first["Description courte (NL)"] == "Museum voor schone kunsten."
    )
    assert first["Page publique"] == f"{SITE}/saint-omer/fiches/{museum.pk}/"
    assert first["Latitude"] == pytest.approx(50.75) and first["Crédit photo"] == "Studio Audomarois"
    # Text that looks like a formula stays text.
    farm = sheet.cell(row=3, column=3)
    assert farm.value == "=Ferme Lefebvre" and farm.data_type == "s"


def test_the_exports_queries_do_not_grow_with_the_listings(staff_client, office):
    def count_for(n: int, name: str) -> int:
        for i in range(Listing.objects.filter(office=office).count(), n):
            make_place(office, f"Lieu n° {i}", slug=("hebergement", "loisirs")[i % 2])
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url(name))
            content = b"".join(response.streaming_content)
        assert content
        return len(queries)

    assert count_for(5, "guide_export_csv") == count_for(30, "guide_export_csv")
    assert count_for(31, "guide_export_xlsx") == count_for(40, "guide_export_xlsx")
