"""The office's identity outside invoices (issue 12, B4 and B5 found again elsewhere): its phone as
people read it on the public statements, and its sender on the login and password e-mails."""

import pytest

from ensemble.core.models import Office


@pytest.mark.parametrize("page", ["mentions-legales", "accessibilite"])
def test_the_office_phone_is_formatted_on_public_statements(client, office, page):
    Office.objects.filter(pk=office.pk).update(phone="+33321980851")

    html = client.get(f"/{office.slug}/{page}/").content.decode()

    assert "03 21 98 08 51" in html
    assert "+33321980851" not in html


# ---- allauth's e-mails (login codes, password resets) come from the office too (issue 12, B5) ----


def test_account_emails_asked_on_an_office_page_come_from_the_office(rf, office, settings):
    from allauth.core.context import request_context

    from ensemble.accounts.adapter import AccountAdapter
    from ensemble.core.models import Office as OfficeModel

    OfficeModel.objects.filter(pk=office.pk).update(
        email_from_address="bonjour@saint-omer.example", email_reply_to="relationspro@saint-omer.example"
    )
    office.refresh_from_db()
    request = rf.get("/saint-omer/")
    request.office = office
    with request_context(request):
        adapter = AccountAdapter(request)
        sender = adapter.get_from_email()
        message = adapter.render_mail(
            "account/email/password_reset_key", "luc@example.org", {"password_reset_url": "x"}
        )
    assert sender == "Office de Tourisme du Pays de Saint-Omer <bonjour@saint-omer.example>"
    assert message.from_email == sender
    assert message.reply_to == ["relationspro@saint-omer.example"]

    request.office = None
    with request_context(request):
        assert AccountAdapter(request).get_from_email() == settings.DEFAULT_FROM_EMAIL
