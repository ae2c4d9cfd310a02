"""The season's catalogue, preparing and opening a season, and the categories."""

import pytest
from django.urls import reverse

from ensemble.directory.models import Category
from ensemble.memberships import services
from ensemble.memberships.models import Offer, Season

SLUG = "saint-omer"


def url(name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": SLUG, **kwargs})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_catalogue_shows_offers_prices_and_terms(staff_client, season):
    response = staff_client.get(url("catalogue"))
    assert response.context["season"] == season
    html = response.content.decode()
    pack = Offer.objects.get(season=season, code="pack-partenaire")
    assert pack.name in html
    assert "90,00 €" in html  # TTC
    assert "75,00 €" in html  # HT
    assert "15,00 €" in html  # VAT
    assert "Forfait" in html and "Sur devis" in html and "Par personne" in html
    assert "Bandeau sur l&#x27;écran d&#x27;accueil" in html or "écran" in html
    assert "Charte du « Club Partenaire » — version 1" in html
    assert "Conditions générales de vente — version 1" in html
    assert "ARTICLE 1" in html  # the CGV are readable in full
    assert ">Préparer la saison suivante</button>" in html
    assert ">Ouvrir les adhésions</button>" not in html  # already open


def test_catalogue_of_a_chosen_season(staff_client, season, staff_user):
    next_season = services.prepare_next_season(season, actor=staff_user)
    response = staff_client.get(url("catalogue") + f"?season={next_season.pk}")
    assert response.context["season"] == next_season
    html = response.content.decode()
    assert ">Ouvrir les adhésions</button>" in html
    assert ">Préparer la saison suivante</button>" in html  # 2024 does not exist yet
    response = staff_client.get(url("catalogue") + f"?season={season.pk}")
    assert ">Préparer la saison suivante</button>" not in response.content.decode()


def test_catalogue_without_any_season(staff_client, office):
    response = staff_client.get(url("catalogue"))
    assert response.status_code == 200
    assert "Aucune saison n'est encore créée." in response.content.decode()


def test_prepare_the_next_season(staff_client, season):
    response = staff_client.post(url("season_prepare", season_pk=season.pk), follow=True)
    new = Season.objects.get(office=season.office, year=2023)
    assert response.redirect_chain[-1][0] == url("catalogue") + f"?season={new.pk}"
    assert not new.is_open_for_joining
    assert new.offers.count() == season.offers.count()
    assert messages_of(response)[0].startswith("La saison 2023 est préparée")


def test_prepare_twice_is_refused(staff_client, season):
    staff_client.post(url("season_prepare", season_pk=season.pk), follow=True)
    response = staff_client.post(url("season_prepare", season_pk=season.pk), follow=True)
    assert messages_of(response) == ["La saison 2023 existe déjà."]
    assert Season.objects.filter(office=season.office, year=2023).count() == 1


def test_open_a_season(staff_client, season, staff_user):
    new = services.prepare_next_season(season, actor=staff_user)
    response = staff_client.post(url("season_open", season_pk=new.pk), follow=True)
    assert messages_of(response) == ["Les adhésions 2023 sont ouvertes."]
    new.refresh_from_db()
    assert new.is_open_for_joining


def test_open_a_season_without_terms_is_refused(staff_client, office):
    bare = services.create_season(office, year=2024)
    response = staff_client.post(url("season_open", season_pk=bare.pk), follow=True)
    assert messages_of(response) == ["La charte et les CGV de la saison doivent être publiées d'abord."]
    bare.refresh_from_db()
    assert not bare.is_open_for_joining


# --- Categories --------------------------------------------------------------------------------------


def test_categories_list(staff_client, office, other_office):
    Category.objects.create(office=other_office, slug="musees", name="Musées d'Aire")
    response = staff_client.get(url("categories"))
    names = [c.name for c in response.context["categories"]]
    assert names[:2] == ["Hébergement", "Restauration"]
    assert "Musées d'Aire" not in names


def test_add_a_category(staff_client, office):
    data = {"name": "Musées", "name_en": "Museums", "name_nl": "Musea"}
    response = staff_client.post(url("categories"), data, follow=True)
    assert messages_of(response) == ["La catégorie « Musées » est ajoutée."]
    category = Category.objects.get(office=office, slug="musees")
    assert (category.name_en, category.name_nl) == ("Museums", "Musea")


def test_add_a_category_twice_is_refused(staff_client, office):
    response = staff_client.post(url("categories"), {"name": "Hébergement"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cette catégorie existe déjà." in html
    assert 'aria-describedby="id_name_error"' in html
    assert Category.objects.filter(office=office).count() == 5


def test_a_category_needs_a_name(staff_client, office):
    response = staff_client.post(url("categories"), {"name": ""})
    assert "Le nom de la catégorie est obligatoire." in response.content.decode()
    assert Category.objects.filter(office=office).count() == 5
