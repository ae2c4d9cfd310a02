"""Organisations: the searchable list and its export, an organisation's page, notes on its timeline."""

import pytest
from django.urls import reverse

from ensemble.core.models import AuditEntry

from .factories import ContactFactory, EstablishmentFactory, OrganisationFactory

SLUG = "saint-omer"


def url(name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": SLUG, **kwargs})


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def organisation(office):
    organisation = OrganisationFactory(office=office, name="SARL La Grange de Clairmarais")
    EstablishmentFactory(organisation=organisation, name="Gîte de la Grange")
    EstablishmentFactory(organisation=organisation, name="Table de la Grange")
    ContactFactory(organisation=organisation, first_name="Léa", last_name="Vandamme")
    return organisation


def test_list_and_search(staff_client, organisation, other_office):
    OrganisationFactory(office=office_of(organisation), name="EURL Brasserie de l'Aa")
    OrganisationFactory(office=other_office, name="SARL La Grange d'Aire")
    response = staff_client.get(url("organisations"))
    names = [o.name for o in response.context["organisations"]]
    assert names == ["EURL Brasserie de l'Aa", "SARL La Grange de Clairmarais"]
    assert response.context["organisations"][1].establishment_count == 2

    response = staff_client.get(url("organisations") + "?q=grange")
    assert [o.name for o in response.context["organisations"]] == ["SARL La Grange de Clairmarais"]
    response = staff_client.get(url("organisations") + "?q=Table de la")
    assert [o.name for o in response.context["organisations"]] == ["SARL La Grange de Clairmarais"]
    assert response.context["organisations"][0].establishment_count == 2  # not only the matching one
    response = staff_client.get(url("organisations") + f"?q={organisation.siren}")
    assert [o.pk for o in response.context["organisations"]] == [organisation.pk]


def office_of(organisation):
    return organisation.office


def test_export(staff_client, organisation):
    response = staff_client.get(url("organisation_export") + "?q=grange")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffN°;Raison sociale;SIREN")
    lines = text.splitlines()
    assert len(lines) == 2
    assert "SARL La Grange de Clairmarais" in lines[1]
    assert lines[1].endswith(";2")
    english = staff_client.get(url("organisation_export"), HTTP_ACCEPT_LANGUAGE="en")
    assert b"".join(english.streaming_content).decode().startswith("\ufeffNo.;Company name;SIREN")


def test_page_shows_establishments_contacts_memberships_and_timeline(staff_client, submit, staff_user):
    membership = submit().membership
    organisation = membership.organisation
    from ensemble.directory.services import add_timeline_note

    add_timeline_note(organisation, kind="call", summary="Premier appel", actor=staff_user)
    add_timeline_note(organisation, kind="visit", summary="Visite annuelle faite", actor=staff_user)
    response = staff_client.get(url("organisation", pk=organisation.pk))
    html = response.content.decode()
    assert "Le Moulin des Marais" in html
    assert "Camille Delannoy" in html
    assert html.count("03 21 12 34 56") == 3  # organisation, establishment, contact
    assert url("membership", pk=membership.pk) in html
    entries = [row["text"] for row in response.context["timeline_rows"]]
    assert entries[:2] == ["Visite annuelle faite", "Premier appel"]  # newest first
    assert html.index("Visite annuelle faite") < html.index("Premier appel")


def test_add_a_note_after_a_call(staff_client, organisation, staff_user):
    data = {"note-kind": "call", "note-summary": "Appel : souhaite l'option vidéo", "note-body": "À rappeler"}
    response = staff_client.post(url("organisation_note", pk=organisation.pk), data, follow=True)
    assert response.redirect_chain[-1][0] == url("organisation", pk=organisation.pk)
    assert [str(m) for m in response.context["messages"]] == ["La note est ajoutée au fil de l'organisation."]
    entry = AuditEntry.objects.get(organisation_id=organisation.pk, action="organisation.note_added")
    assert entry.data["kind"] == "call"
    assert entry.actor == staff_user
    assert entry.data["body"] == "À rappeler"
    page = staff_client.get(url("organisation", pk=organisation.pk)).content.decode()
    assert "Appel téléphonique" in page and "À rappeler" in page


def test_a_note_needs_a_summary(staff_client, organisation):
    data = {"note-kind": "visit", "note-summary": " ", "note-body": "Rien"}
    response = staff_client.post(url("organisation_note", pk=organisation.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le résumé de la note est obligatoire." in html
    assert 'aria-describedby="id_note-summary_error"' in html
    assert not AuditEntry.objects.filter(organisation_id=organisation.pk).exists()


def test_a_note_of_an_unknown_kind_is_refused(staff_client, organisation):
    data = {"note-kind": "status", "note-summary": "Statut changé à la main"}
    response = staff_client.post(url("organisation_note", pk=organisation.pk), data)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide." in response.content.decode()
    assert not AuditEntry.objects.filter(organisation_id=organisation.pk).exists()
