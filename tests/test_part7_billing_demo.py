"""Issue 12, B1: every demo invoice names its seller's legal identity, in the Factur-X XML too."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from lxml import etree
from stdnum.eu import vat as eu_vat
from stdnum.fr import siret as fr_siret

from ensemble.billing.facturx_xml import invoice_xml
from ensemble.billing.models import Invoice
from ensemble.core.models import Office

NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


@pytest.fixture(autouse=True)
def _during_the_2022_season():
    """The demo is set in the real current season: no time travel here (as tests/test_demo.py)."""
    yield


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_the_demo_offices_have_a_valid_legal_identity(demo_loaded, db):
    for office in Office.objects.filter(slug__in=["saint-omer", "aire-sur-la-lys"]):
        assert fr_siret.is_valid(office.siret), office
        assert eu_vat.is_valid(office.vat_number) and office.vat_number[4:] == office.siret[:9]


def test_every_demo_invoice_carries_the_seller_siren_and_vat_number(demo_loaded, db):
    invoices = Invoice.objects.filter(state="issued").select_related("office", "credited_invoice")
    assert invoices.count() > 10
    for invoice in invoices:
        party = etree.fromstring(invoice_xml(invoice)).find(".//ram:SellerTradeParty", NS)
        legal = party.find("ram:SpecifiedLegalOrganization/ram:ID", NS)
        vat = party.find("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", NS)
        assert (legal.text, legal.get("schemeID")) == (invoice.office.siret[:9], "0002"), invoice
        assert vat.text == invoice.office.vat_number, invoice
        assert invoice.seller["siret"] == invoice.office.siret
