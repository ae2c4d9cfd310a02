import pytest
from tests.test_english import text_of, JOIN_URL
pytestmark = pytest.mark.django_db
def test_probe(client, season):
    html = text_of(client.get(JOIN_URL, HTTP_ACCEPT_LANGUAGE="fr"))
    i = html.find("Pack partenaire")
    j = html.find("pack-partenaire"); k = html.find("choice_label"); print(repr(html[html.find("<legend>Pack partenaire"):html.find("<legend>Pack partenaire")+600]))
    i = html.find("start-notice")
    print(repr(html[i-10:i+200]))
