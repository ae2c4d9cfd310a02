"""The 2022 catalogue of the partner guide, its texts, and preparing or opening a season."""

import datetime
import hashlib
from decimal import Decimal

import pytest

from ensemble.memberships import selectors, services
from ensemble.memberships.models import Offer, OfferEntitlement, Season, TermsDocument

from .conftest import assert_refused, offer, row_counts

# code -> (kind, pricing mode, price TTC, commission %), as "Nos offres à la carte" lists them.
GUIDE_2022_OFFERS = {
    "pack-partenaire": ("pack", "flat", Decimal("90.00"), None),
    "photos-10": ("option", "flat", Decimal("100.00"), None),
    "photos-25": ("option", "flat", Decimal("200.00"), None),
    "video-clip": ("option", "flat", Decimal("300.00"), None),
    "video-bars-restos": ("option", "flat", Decimal("800.00"), None),
    "gamification": ("option", "on_quote", None, None),
    "evenementiel": ("option", "on_quote", None, Decimal("10.00")),
    "formation-reseaux-sociaux": ("option", "per_person", Decimal("50.00"), None),
    "formation-neerlandais": ("option", "per_person", Decimal("50.00"), None),
    "formation-anglais": ("option", "per_person", Decimal("50.00"), None),
}

# kind -> (quantity per season, duration of one use in days), "Notre partenariat" + CGV art. 4.
PACK_ENTITLEMENTS = {
    "training": (1, None),
    "salon_day": (1, None),
    "screen_banner": (1, 60),
    "promo_spot": (1, None),
    "welcome_gift": (None, None),
    "pro_meetings": (None, None),
    "working_groups": (None, None),
    "image_bank": (None, None),
    "annual_visit": (1, None),
}


def catalogue_counts(office) -> tuple[int, int, int, int]:
    return (
        Season.objects.filter(office=office).count(),
        Offer.objects.filter(office=office).count(),
        OfferEntitlement.objects.filter(offer__office=office).count(),
        TermsDocument.objects.filter(office=office).count(),
    )


def test_seed_catalogue_has_exactly_the_2022_offers_of_the_guide(season):
    offers = Offer.objects.filter(season=season)
    found = {o.code: (o.kind, o.pricing_mode, o.price_ttc, o.commission_rate) for o in offers}
    assert found == GUIDE_2022_OFFERS
    assert all(o.is_active and o.vat_rate == Decimal("20.00") for o in offers)


def test_seed_season_is_the_2022_calendar_year_open_for_joining(season):
    assert season.year == 2022
    assert season.starts_on == datetime.date(2022, 1, 1)
    assert season.ends_on == datetime.date(2022, 12, 31)
    assert season.is_open_for_joining is True


def test_pack_partenaire_90_ttc_splits_into_75_ht_and_15_vat(pack):
    assert pack.price_ttc == Decimal("90.00")
    assert pack.price_ht == Decimal("75.00")
    assert pack.vat_amount == Decimal("15.00")


def test_prices_are_decimal_never_float(season):
    pack = Offer.objects.get(season=season, code="pack-partenaire")  # fresh from the database
    for value in (pack.price_ttc, pack.price_ht, pack.vat_amount, pack.vat_rate):
        assert type(value) is Decimal
    evenementiel = offer(season, "evenementiel")
    assert type(evenementiel.commission_rate) is Decimal
    assert evenementiel.price_ht is None and evenementiel.vat_amount is None


def test_on_quote_offers_are_not_priced(season):
    for code in ("gamification", "evenementiel"):
        assert offer(season, code).is_priced is False
    assert offer(season, "formation-anglais").is_priced is True


def test_pack_entitlements_follow_the_guide(pack):
    found = {e.kind: (e.quantity, e.duration_days) for e in pack.entitlements.all()}
    assert found == PACK_ENTITLEMENTS
    assert not any(e.per_unit for e in pack.entitlements.all())


def test_option_entitlements_follow_the_guide(season):
    def rules(code):
        return {e.kind: (e.quantity, e.per_unit) for e in offer(season, code).entitlements.all()}

    assert rules("photos-10") == {"photos": (10, False)}
    assert rules("photos-25") == {"photos": (25, False)}
    assert rules("video-clip") == {"video": (1, False)}
    assert rules("video-bars-restos") == {"video": (1, False)}
    assert rules("gamification") == {}
    assert rules("evenementiel") == {}
    assert rules("formation-reseaux-sociaux") == {"training": (1, True)}
    # "Traduction de 600 mots": once per option, whatever the number of people trained.
    assert rules("formation-neerlandais") == {"training": (1, True), "translation": (1, False)}
    assert rules("formation-anglais") == {"training": (1, True), "translation": (1, False)}
    translation = offer(season, "formation-neerlandais").entitlements.get(kind="translation")
    assert "600 mots" in translation.label and "néerlandais" in translation.label


def test_charter_is_stored_verbatim_with_its_sha256(season):
    charter = TermsDocument.objects.get(season=season, kind="charter", is_current=True)
    assert charter.version == 1
    assert "Faire partie activement d'un réseau de professionnels du tourisme." in charter.body
    assert "Communiquer régulièrement vos disponibilités et mise à jour" in charter.body
    expected = hashlib.sha256(f"{charter.title}\n\n{charter.body}".encode()).hexdigest()
    assert charter.content_hash == expected


def test_cgv_are_stored_verbatim_with_their_sha256(season):
    cgv = TermsDocument.objects.get(season=season, kind="cgv", is_current=True)
    assert "Elles sont applicables du 1 er janvier au 31 décembre 2022" in cgv.body
    assert "par courrier en respectant un délai de 30 jours" in cgv.body
    assert "(diffusion pendant 60 jours)" in cgv.body
    expected = hashlib.sha256(f"{cgv.title}\n\n{cgv.body}".encode()).hexdigest()
    assert cgv.content_hash == expected
    assert len(cgv.content_hash) == 64


def test_install_seed_catalogue_twice_changes_nothing(office, season):
    before = catalogue_counts(office)
    assert before == (1, 10, 18, 2)
    again = services.install_seed_catalogue(office, year=2022)
    assert again.pk == season.pk
    assert catalogue_counts(office) == before
    assert not TermsDocument.objects.filter(season=season, version__gt=1).exists()


def test_each_office_gets_its_own_catalogue(season, other_season):
    assert other_season.office_id != season.office_id
    assert Offer.objects.filter(season=other_season).count() == 10
    assert not Offer.objects.filter(season=other_season, office_id=season.office_id).exists()
    assert list(selectors.catalogue(season)) == list(Offer.objects.filter(season=season))


def test_prepare_next_season_copies_offers_closed_for_joining(season):
    new = services.prepare_next_season(season)
    assert (new.year, new.starts_on, new.ends_on) == (
        2023,
        datetime.date(2023, 1, 1),
        datetime.date(2023, 12, 31),
    )
    assert new.is_open_for_joining is False
    copied = {
        o.code: (o.kind, o.pricing_mode, o.price_ttc, o.commission_rate)
        for o in Offer.objects.filter(season=new)
    }
    assert copied == GUIDE_2022_OFFERS
    new_pack = Offer.objects.get(season=new, code="pack-partenaire")
    assert new_pack.pk != offer(season, "pack-partenaire").pk
    assert {e.kind: (e.quantity, e.duration_days) for e in new_pack.entitlements.all()} == (PACK_ENTITLEMENTS)
    assert OfferEntitlement.objects.filter(offer__season=new).count() == 18


def test_prepare_next_season_moves_the_year_in_the_cgv(season):
    new = services.prepare_next_season(season)
    cgv = TermsDocument.objects.get(season=new, kind="cgv", is_current=True)
    assert "31 décembre 2023, soit sur la durée du Guide du Partenariat 2023" in cgv.body
    assert "2022" not in cgv.body
    assert cgv.content_hash == TermsDocument.hash_text(cgv.title, cgv.body)
    charter = TermsDocument.objects.get(season=new, kind="charter", is_current=True)
    assert "Faire partie activement d'un réseau de professionnels du tourisme." in charter.body
    old_cgv = TermsDocument.objects.get(season=season, kind="cgv", is_current=True)
    assert "31 décembre 2022" in old_cgv.body


def test_prepare_next_season_twice_is_refused(season):
    services.prepare_next_season(season)
    with assert_refused("La saison 2023 existe déjà.", field=None):
        services.prepare_next_season(season)


def test_publish_terms_makes_the_new_version_the_only_current_one(season):
    first = TermsDocument.objects.get(season=season, kind="charter", is_current=True)
    second = services.publish_terms(
        season, kind="charter", title=first.title, body=first.body + "\n- Un engagement ajouté."
    )
    first.refresh_from_db()
    assert (second.version, second.is_current) == (2, True)
    assert first.is_current is False
    assert selectors.current_terms(season)["charter"] == second
    assert second.content_hash == TermsDocument.hash_text(second.title, second.body)
    assert second.content_hash != first.content_hash
    # The CGV are untouched.
    assert selectors.current_terms(season)["cgv"].version == 1


def test_publish_terms_requires_a_text(season):
    with assert_refused("Le texte du document est obligatoire.", field="body"):
        services.publish_terms(season, kind="cgv", title="CGV", body="   \n ")


def test_open_season_refuses_without_terms(office, season):
    bare = services.create_season(office, year=2024)
    with assert_refused("La charte et les CGV de la saison doivent être publiées d'abord.", field=None):
        services.open_season(bare)
    services.publish_terms(bare, kind="charter", title="Charte", body="Texte de la charte")
    with assert_refused("La charte et les CGV de la saison doivent être publiées d'abord.", field=None):
        services.open_season(bare)
    bare.refresh_from_db()
    assert bare.is_open_for_joining is False


def test_open_season_refuses_without_a_pack(office, season):
    bare = services.create_season(office, year=2024)
    services.publish_terms(bare, kind="charter", title="Charte", body="Texte de la charte")
    services.publish_terms(bare, kind="cgv", title="CGV", body="Texte des CGV")
    with assert_refused("La saison doit proposer au moins un pack partenaire.", field=None):
        services.open_season(bare)


def test_open_season_opens_a_prepared_season(season):
    new = services.prepare_next_season(season)
    services.open_season(new)
    new.refresh_from_db()
    assert new.is_open_for_joining is True
    assert selectors.open_season(season.office) == new


@pytest.mark.parametrize("year", [2022, 2023])
def test_row_counts_helper_sees_catalogue_rows(office, year):
    # Guards the "nothing written" helper: a real write must show in its counts.
    before = row_counts()
    services.install_seed_catalogue(office, year=year)
    after = row_counts()
    assert after["memberships.Offer"] == before["memberships.Offer"] + 10
    assert after["memberships.TermsDocument"] == before["memberships.TermsDocument"] + 2
