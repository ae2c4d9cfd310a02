"""The espace pro shows a person only their organisations of the office in the URL."""

from ensemble.directory.models import OrganisationMember
from ensemble.memberships import services

from .conftest import EVIDENCE, make_application


def join(season, email, name):
    app = make_application(season, email=email, establishment_name=name)
    return services.submit_join_request(season.office, app, evidence=EVIDENCE).membership


def test_one_login_partner_of_two_offices_sees_each_office_apart(client, season, other_season):
    here = join(season, "gerant@estaminet.example", "L'Estaminet audomarois")
    there = join(other_season, "gerant@estaminet.example", "L'Estaminet d'Aire")
    assert here.applicant_id == there.applicant_id  # one login
    assert OrganisationMember.objects.filter(user=here.applicant).count() == 2
    client.force_login(here.applicant)

    saint_omer = client.get("/saint-omer/espace-pro/").content.decode()
    aire = client.get("/aire-sur-la-lys/espace-pro/").content.decode()
    assert "L&#x27;Estaminet audomarois" in saint_omer
    assert "L&#x27;Estaminet d&#x27;Aire" not in saint_omer
    assert "L&#x27;Estaminet d&#x27;Aire" in aire
    assert "L&#x27;Estaminet audomarois" not in aire


def test_anonymous_is_sent_to_login(client, season):
    response = client.get("/saint-omer/espace-pro/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


def test_home_lists_where_a_person_can_go(client, season, staff_user):
    client.force_login(staff_user)
    html = client.get("/").content.decode()
    assert "/saint-omer/gestion/" in html
