"""Issue 12, A9: each right is its own row, with its own name and count — the pack's training seat
and two Dutch-training seats bought as an option are two rows, in the espace pro and in the back
office, never « … + Inscription à la formation néerlandais — 3 »."""

import re

import pytest

from ensemble.claims import services as claim_services
from ensemble.claims.errors import ClaimError
from ensemble.memberships import services
from ensemble.memberships.models import Entitlement, Membership

from .conftest import offer, verified

pytestmark = pytest.mark.django_db

S = Membership.Status
PACK_SEAT = "1 inscription par an à une formation réseaux sociaux (CGV art. 8)"
DUTCH_SEAT = "Inscription à la formation néerlandais"
DUTCH_TRANSLATION = "Traduction de 600 mots du français au néerlandais"
ENGLISH_TRANSLATION = "Traduction de 600 mots du français à l'anglais"


@pytest.fixture
def membership(make_membership, season):
    return make_membership(
        S.ACTIVE,
        options={offer(season, "formation-neerlandais").pk: 2, offer(season, "formation-anglais").pk: 1},
    )


def rows(membership, kind):
    return list(
        Entitlement.objects.filter(membership=membership, kind=kind)
        .order_by("pk")
        .values_list("label", "quantity")
    )


def test_each_right_is_its_own_row_with_its_own_name_and_count(membership):
    assert rows(membership, "training") == [
        (PACK_SEAT, 1),
        (DUTCH_SEAT, 2),
        ("Inscription à la formation anglais", 1),
    ]
    assert rows(membership, "translation") == [(DUTCH_TRANSLATION, 1), (ENGLISH_TRANSLATION, 1)]
    assert not Entitlement.objects.filter(label__contains=" + ").exists()
    # granting again adds nothing (one row per catalogue rule)
    assert services.grant_entitlements(membership) == []


def _table_row(html: str, label: str) -> str:
    label = label.replace("'", "&#x27;")
    match = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", html, re.S)
    assert match is not None, label
    return match.group(1)


def test_the_espace_pro_shows_one_row_per_right(client, membership):
    client.force_login(verified(membership.applicant))
    html = client.get("/saint-omer/espace-pro/").content.decode()
    assert re.findall(r'class="num">(\d+)</td>', _table_row(html, DUTCH_SEAT)) == ["0", "2"]
    assert re.findall(r'class="num">(\d+)</td>', _table_row(html, PACK_SEAT)) == ["0", "1"]
    assert " + " not in html


def test_the_back_office_shows_one_row_per_right(client, staff_user, membership):
    client.force_login(staff_user)
    html = client.get(f"/saint-omer/gestion/adhesions/{membership.pk}/").content.decode()
    dutch = re.search(rf'<th scope="row">{re.escape(DUTCH_SEAT)}</th>\s*<td class="num">(\d+)</td>', html)
    assert dutch is not None and dutch.group(1) == "2"
    assert f'<th scope="row">{PACK_SEAT}</th>' in html


def test_a_request_takes_the_first_right_of_its_kind_with_something_left(membership):
    """Two translation rights (Dutch, English): the first request is on the first, the second on
    the other while the first is being answered, a third waits."""
    partner = membership.applicant
    first = claim_services.request_claim(membership, kind="translation", actor=partner, message="Notre page")
    second = claim_services.request_claim(membership, kind="translation", actor=partner, message="Le menu")
    assert (first.entitlement.label, second.entitlement.label) == (DUTCH_TRANSLATION, ENGLISH_TRANSLATION)
    with pytest.raises(ClaimError, match="Une demande est déjà en cours pour ce droit"):
        claim_services.request_claim(membership, kind="translation", actor=partner, message="Encore")


def test_the_request_page_has_one_form_per_kind(client, membership):
    client.force_login(verified(membership.applicant))
    html = client.get("/saint-omer/espace-pro/prestations/").content.decode()
    assert html.count(f'name="m{membership.pk}-translation-message"') == 1
    assert DUTCH_TRANSLATION in html and ENGLISH_TRANSLATION.replace("'", "&#x27;") in html
