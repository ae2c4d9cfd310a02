"""The back office's DATAtourisme import: staff upload a zip archive or JSON files and read the
report; bad uploads are refused with a French message and nothing written; only the office's
staff get in, and another office's report is a 404."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ensemble.datatourisme.models import ImportRun
from ensemble.listings.models import Listing

from .test_datatourisme import FLUX, flux_files, zip_of

pytestmark = pytest.mark.django_db


def url(name: str = "datatourisme_import", office_slug: str = "saint-omer", **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office_slug, **kwargs})


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_staff_import_a_zip_and_read_the_report(client, office, staff_user):
    client.force_login(staff_user)
    page = client.get(url())
    assert page.status_code == 200
    assert "Aucun import pour l'instant." in page.content.decode()
    archive = zip_of(dict(flux_files()))
    response = client.post(url(), {"files": upload("flux.zip", archive, "application/zip")})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == url("datatourisme_run", run_id=run.pk)
    assert (run.source, run.started_by, run.created, run.skipped) == ("upload", staff_user, 5, 6)
    assert Listing.objects.filter(office=office, source="datatourisme").count() == 5

    report = client.get(response["Location"])
    text = html.unescape(report.content.decode())
    assert "Import terminé : 5 créée(s), 0 mise(s) à jour, 6 ignoré(s)." in text
    assert "objects/10-pas-du-json.json" in text and "fichier illisible : pas du JSON" in text
    assert "aucune catégorie pour la classe : schema:TouristTrip, Tour, WalkingTour" in text
    assert "téléphone ignoré : « 12 34 »" in text
    assert text.count("<h1") == 1
    listed = client.get(url()).content.decode()
    assert url("datatourisme_run", run_id=run.pk) in listed


def test_staff_import_json_files_and_again(client, office, staff_user):
    client.force_login(staff_user)
    files = [
        upload(path.name, path.read_bytes(), "application/json")
        for path in sorted((FLUX / "objects").glob("10-*.json"))
    ]
    client.post(url(), {"files": files})
    first = ImportRun.objects.get()
    assert (first.files, first.created, first.skipped) == (7, 3, 4)
    files = [
        upload(path.name, path.read_bytes(), "application/json")
        for path in sorted((FLUX / "objects").glob("10-*.json"))
    ]
    client.post(url(), {"files": files})
    second = ImportRun.objects.latest("pk")
    assert (second.created, second.unchanged) == (0, 3)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("flux.zip", b"PK\x03\x04 truncated")], "Ce fichier n'est pas une archive zip lisible."),
        (
            [("a.zip", b"PK\x03\x04"), ("b.json", b"{}")],
            "Envoyez une seule archive zip, ou des fichiers JSON.",
        ),
        ([], "Ce champ est obligatoire."),
    ],
)
def test_bad_uploads_are_refused(client, office, staff_user, files, message):
    client.force_login(staff_user)
    response = client.post(url(), {"files": [upload(name, content) for name, content in files]})
    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    assert message in content
    assert (
        'aria-describedby="id_files_helptext id_files_error"' in content
        or 'aria-describedby="id_files_error' in content
    )
    assert not ImportRun.objects.exists() and not Listing.objects.exists()


def test_too_many_objects_in_an_archive(client, office, staff_user, monkeypatch):
    from ensemble.backoffice.views import datatourisme

    monkeypatch.setattr(datatourisme, "MAX_OBJECTS", 3)
    client.force_login(staff_user)
    response = client.post(url(), {"files": upload("flux.zip", zip_of(dict(flux_files())))})
    assert response.status_code == 400
    assert "L'archive contient 11 fichiers : 3 au plus par envoi." in html.unescape(response.content.decode())
    assert not Listing.objects.exists()


def test_only_the_offices_staff(client, office, other_office, staff_user, other_staff_user, partner):
    assert client.get(url()).status_code == 302  # to the login page
    client.force_login(partner.user)
    assert client.get(url()).status_code == 404
    client.force_login(other_staff_user)
    assert client.get(url()).status_code == 404
    assert client.post(url(), {"files": upload("flux.zip", zip_of(dict(flux_files())))}).status_code == 404
    assert not Listing.objects.filter(source="datatourisme").exists()
    assert not ImportRun.objects.exists()


def test_another_offices_report_is_404(client, office, other_office, staff_user):
    run = ImportRun.objects.create(office=other_office, source="command")
    client.force_login(staff_user)
    assert client.get(url("datatourisme_run", run_id=run.pk)).status_code == 404
    assert (
        client.get(url("datatourisme_run", office_slug="aire-sur-la-lys", run_id=run.pk)).status_code == 404
    )


def test_the_runs_list_has_a_fixed_number_of_queries(
    client, office, staff_user, django_assert_max_num_queries
):
    for _ in range(30):
        ImportRun.objects.create(office=office, source="upload", started_by=staff_user, files=3, created=1)
    client.force_login(staff_user)
    with django_assert_max_num_queries(15):
        assert client.get(url()).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_import_pages_are_accessible(browser, live_server, office, staff_user, tmp_path):
    from .browser import assert_accessible, log_in, screenshot

    archive = tmp_path / "flux.zip"
    archive.write_bytes(zip_of(dict(flux_files())))
    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, staff_user)
    page.goto(f"{live_server.url}{url()}")
    assert_accessible(page)
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("Ce champ est obligatoire.").wait_for()
    assert_accessible(page)
    page.get_by_label("Objets DATAtourisme").set_input_files(str(archive))
    page.get_by_role("button", name="Importer").click()
    page.get_by_role("heading", name="Rapport d'import DATAtourisme").wait_for()
    page.get_by_text("fichier illisible : pas du JSON").first.wait_for()  # in the report and the skips
    assert_accessible(page)
    screenshot(page, "bo-datatourisme-report")
    assert Listing.objects.filter(office=office, source="datatourisme").count() == 5
