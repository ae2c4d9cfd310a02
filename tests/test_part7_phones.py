"""The office's phone is printed as people read it on the public legal and accessibility pages,
as on invoices (issue 12, B4: found again outside the invoice)."""

import pytest

from ensemble.core.models import Office


@pytest.mark.parametrize("page", ["mentions-legales", "accessibilite"])
def test_the_office_phone_is_formatted_on_public_statements(client, office, page):
    Office.objects.filter(pk=office.pk).update(phone="+33321980851")

    html = client.get(f"/{office.slug}/{page}/").content.decode()

    assert "03 21 98 08 51" in html
    assert "+33321980851" not in html
