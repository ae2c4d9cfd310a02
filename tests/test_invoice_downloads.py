"""Only the invoice's own organisation (and its office's staff) can ever fetch its PDF."""

import pytest

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role
from ensemble.billing import services
from ensemble.core.models import AuditEntry

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
    entry = AuditEntry.objects.get(action="document.downloaded")
    assert (entry.actor, entry.office, entry.data["path"]) == (
        staff_user,
        office,
        f"/{office.slug}/gestion/factures/{invoice.pk}/pdf/",
    )


def test_staff_exports_are_logged_and_refused_ones_are_not_exports(client, staff_user, invoice, office):
    client.force_login(staff_user)
    assert client.get(f"/{office.slug}/gestion/comptabilite/").status_code == 200  # a page, not a file
    response = client.get(f"/{office.slug}/gestion/adhesions/export.csv?statut=requested")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="data.exported")
    assert (entry.actor, entry.data["path"], entry.data["query"]) == (
        staff_user,
        f"/{office.slug}/gestion/adhesions/export.csv",
        "statut=requested",
    )
    StaffMembership.objects.filter(user=staff_user).update(role=Role.RECEPTION)
    assert client.get(f"/{office.slug}/gestion/organisations/export.csv").status_code == 403
    assert AuditEntry.objects.filter(action="data.exported").count() == 1
    assert AuditEntry.objects.filter(action="access.denied").count() == 1


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
