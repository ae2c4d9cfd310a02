"""Only the invoice's own organisation (and its office's staff) can ever fetch its PDF."""

import pytest

from ensemble.billing import services

from .factories import UserFactory


@pytest.fixture
def invoice(submit, staff_user):
    return services.accept_and_invoice(submit().membership, actor=staff_user)[1]


def test_partner_lists_and_downloads_its_invoice(client, invoice, office):
    client.force_login(invoice.membership.applicant)
    listing = client.get(f"/{office.slug}/espace-pro/factures/").content.decode()
    assert invoice.number in listing
    response = client.get(f"/{office.slug}/espace-pro/factures/{invoice.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # streamed from the private storage


def test_staff_download_the_pdf(client, staff_user, invoice, office):
    client.force_login(staff_user)
    response = client.get(f"/{office.slug}/gestion/factures/{invoice.pk}/pdf/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_nobody_else_gets_the_pdf(client, other_staff_user, invoice, office, submit):
    stranger = UserFactory(email="voisin@example.org")
    other_partner = submit(email="autre@example.org", establishment_name="Autre").membership.applicant
    for user in (stranger, other_partner):
        client.force_login(user)
        assert client.get(f"/{office.slug}/espace-pro/factures/{invoice.pk}/pdf/").status_code == 404
        assert client.get(f"/{office.slug}/gestion/factures/{invoice.pk}/pdf/").status_code == 404
        assert invoice.number not in client.get(f"/{office.slug}/espace-pro/factures/").content.decode()
    client.force_login(other_staff_user)
    assert client.get(f"/aire-sur-la-lys/gestion/factures/{invoice.pk}/pdf/").status_code == 404
    client.force_login(invoice.membership.applicant)
    assert client.get(f"/aire-sur-la-lys/espace-pro/factures/{invoice.pk}/pdf/").status_code == 404
    client.logout()
    assert client.get(f"/{office.slug}/espace-pro/factures/{invoice.pk}/pdf/").status_code == 302
