"""Reception screens: the secret URL (valid, revoked, unknown, another office's), what a screen
shows (active banners, today's and the week's events, current messages) as a page and as JSON,
the banner images, last_seen_at, and the staff pages for screens and messages."""

import datetime
import hashlib
import io
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from ensemble.claims import services as claim_services
from ensemble.events.models import Event
from ensemble.memberships.models import Membership
from ensemble.screens import services
from ensemble.screens.errors import ScreenError
from ensemble.screens.models import Screen, ScreenMessage

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = datetime.date(2022, 12, 28)
NAME = "Accueil Saint-Omer, place Victor Hugo"


def at(day: datetime.date, hour: int = 20, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def banner_image() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 400), (200, 80, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("bandeau.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def screen(office, staff_user):
    screen, token = services.create_screen(office, name=NAME, actor=staff_user)
    screen.token = token  # for the tests only: the model keeps its hash
    return screen


def url(screen, path="", *, token=None, office=None) -> str:
    return f"/{(office or screen.office).slug}/ecran/{token or screen.token}/{path}"


@pytest.fixture
def banner(make_membership, staff_user):
    """A partner's banner, approved (on the screens from today for 60 days), or not."""

    def _make(name: str, *, text: str = "", image=True, approve=True, starts_on=None):
        membership = make_membership(Membership.Status.ACTIVE, establishment_name=name)
        claim = claim_services.request_claim(
            membership,
            kind="screen_banner",
            actor=membership.applicant,
            image=banner_image() if image else None,
            text=text,
        )
        if approve:
            claim = claim_services.approve_banner(claim, actor=staff_user, starts_on=starts_on)
        return claim

    return _make


def event(office, title, start, end=None, *, status=Event.Status.PUBLISHED, **fields) -> Event:
    return Event.objects.create(
        office=office,
        title=title,
        starts_at=start,
        ends_at=end or start + datetime.timedelta(hours=2),
        city=fields.pop("city", "Saint-Omer"),
        status=status,
        **fields,
    )


# --- Screens: the secret URL ---------------------------------------------------------------------


def test_a_screen_keeps_only_the_hash_of_its_token(screen):
    assert len(screen.token) >= 43  # secrets.token_urlsafe(32): 256 bits
    stored = Screen.objects.values().get(pk=screen.pk)
    assert stored["token_hash"] == hashlib.sha256(screen.token.encode()).hexdigest()
    assert screen.token not in str(stored)


def test_a_valid_token_shows_the_screen(client, screen):
    response = client.get(url(screen))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Office de Tourisme du Pays de Saint-Omer" in html
    assert 'src="/static/js/screen.js"' in html and "<script>" not in html  # no inline script
    assert 'id="screen-data" type="application/json"' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["X-Frame-Options"] == "DENY"  # the screen is not frameable


def test_unknown_revoked_or_other_offices_tokens_answer_404(client, screen, other_office, staff_user):
    assert client.get(url(screen, token="x" * 43)).status_code == 404
    assert client.get(url(screen, token="a" * 500)).status_code == 404
    assert client.get(url(screen, office=other_office)).status_code == 404
    assert client.get(url(screen, "contenu.json", office=other_office)).status_code == 404
    services.revoke_screen(screen, actor=staff_user)
    for path in ("", "contenu.json"):
        assert client.get(url(screen, path)).status_code == 404


def test_a_new_address_replaces_the_old_one_at_once(client, screen, staff_user):
    services.revoke_screen(screen, actor=staff_user)
    screen_again, token = services.regenerate_screen_token(screen, actor=staff_user)
    assert screen_again.is_active
    assert client.get(url(screen)).status_code == 404
    assert client.get(url(screen, token=token)).status_code == 200


def test_screen_rules_have_french_messages(office, screen, staff_user):
    for name, message in (
        ("   ", "Le nom de l'écran est obligatoire."),
        ("x" * 121, "Le nom dépasse 120 caractères : raccourcissez-le."),
    ):
        with pytest.raises(ScreenError) as info:
            services.create_screen(office, name=name, actor=staff_user)
        assert (info.value.message, info.value.field) == (message, "name")
    assert Screen.objects.count() == 1
    services.revoke_screen(screen, actor=staff_user)
    with pytest.raises(ScreenError, match="Cet écran est déjà désactivé."):
        services.revoke_screen(screen, actor=staff_user)


def test_last_seen_is_written_at_most_once_a_minute(client, screen):
    assert screen.last_seen_at is None
    client.get(url(screen))
    first = Screen.objects.get(pk=screen.pk).last_seen_at
    assert first is not None

    with CaptureQueriesContext(connection) as context:
        client.get(url(screen, "contenu.json"))
    assert not [q for q in context.captured_queries if q["sql"].startswith("UPDATE")]
    assert Screen.objects.get(pk=screen.pk).last_seen_at == first

    with time_machine.travel(first + datetime.timedelta(seconds=61), tick=False):
        with CaptureQueriesContext(connection) as context:
            client.get(url(screen, "contenu.json"))
    updates = [q for q in context.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert Screen.objects.get(pk=screen.pk).last_seen_at == first + datetime.timedelta(seconds=61)


def test_the_conditional_update_writes_once_for_two_stale_copies(screen):
    now = datetime.datetime(2022, 12, 28, 12, 0, tzinfo=PARIS)
    copy_a, copy_b = Screen.objects.get(pk=screen.pk), Screen.objects.get(pk=screen.pk)
    assert services.record_screen_seen(copy_a, now=now) is True
    assert services.record_screen_seen(copy_b, now=now + datetime.timedelta(seconds=5)) is False


# --- What a screen shows -------------------------------------------------------------------------


@pytest.fixture
def programme(office, other_office, screen, staff_user, banner):
    """A bit of everything, shown or not."""
    other_screen, _ = services.create_screen(office, name="Accueil Arques", actor=staff_user)
    shown_banner = banner("Hôtel des Remparts", text="Menu du terroir tous les midis")
    text_banner = banner("Estaminet du Marais", text="Ouvert le dimanche", image=False)
    banner("Gîte du Watergang", approve=False)  # waiting for approval
    banner("Camping des Étangs", starts_on=TODAY + datetime.timedelta(days=10))  # not yet
    event(office, "Concert d'orgue", at(TODAY))
    event(
        office,
        "Exposition Vauban",
        at(TODAY - datetime.timedelta(days=20), 10),
        at(TODAY + datetime.timedelta(days=9), 18),
    )
    event(
        office,
        "Marché de Noël",
        at(TODAY + datetime.timedelta(days=3), 9),
        all_day=True,
        place_name="Place Foch",
    )
    event(office, "Trop tard", at(TODAY + datetime.timedelta(days=7)))  # beyond the week
    event(office, "Proposé", at(TODAY), status=Event.Status.PROPOSED)
    event(other_office, "À Aire", at(TODAY))
    for text, start, end, screens in (
        ("Fermeture exceptionnelle le 1er janvier", TODAY, TODAY + datetime.timedelta(days=4), []),
        ("Billets du carnaval en vente ici", TODAY - datetime.timedelta(days=1), TODAY, [screen]),
        ("Seulement à Arques", TODAY, TODAY, [other_screen]),
        ("Plus tard", TODAY + datetime.timedelta(days=1), TODAY + datetime.timedelta(days=2), []),
    ):
        services.create_screen_message(
            office, text=text, starts_on=start, ends_on=end, screens=screens, actor=staff_user
        )
    return {"banner": shown_banner, "text_banner": text_banner}


def test_the_json_lists_active_banners_events_and_messages_only(client, screen, programme):
    response = client.get(url(screen, "contenu.json"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["interval"] == 12 and data["day"] == "2022-12-28"
    slides = data["slides"]
    assert [s["kind"] for s in slides] == ["banner", "banner", "events", "events", "message", "message"]
    image_banner, text_banner = slides[0], slides[1]
    assert image_banner["title"] == "Hôtel des Remparts"
    assert image_banner["text"] == "Menu du terroir tous les midis"
    assert image_banner["image"] == url(screen, f"bandeaux/{programme['banner'].pk}/")
    assert text_banner == {
        "kind": "banner",
        "id": f"banner-{programme['text_banner'].pk}",
        "title": "Estaminet du Marais",
        "text": "Ouvert le dimanche",
        "image": "",
        "width": 0,
        "height": 0,
        "alt": "Bandeau d'Estaminet du Marais",  # « de » elided before a vowel
    }
    today, week = slides[2], slides[3]
    assert today["title"] == "Aujourd'hui"
    assert [(e["title"], e["when"]) for e in today["events"]] == [
        ("Exposition Vauban", "jusqu'au 6 janvier"),
        ("Concert d'orgue", "20:00"),
    ]
    assert week["title"] == "Cette semaine"
    assert week["events"] == [
        {"title": "Marché de Noël", "when": "samedi 31 décembre", "place": "Place Foch, Saint-Omer"}
    ]
    assert [s["text"] for s in slides[4:]] == [
        "Billets du carnaval en vente ici",
        "Fermeture exceptionnelle le 1er janvier",
    ]


def test_the_page_renders_the_same_slides(client, screen, programme):
    html = client.get(url(screen)).content.decode()
    assert "Menu du terroir tous les midis" in html
    assert "Concert d&#x27;orgue" in html or "Concert d'orgue" in html
    assert "Fermeture exceptionnelle le 1er janvier" in html
    for absent in (
        "Gîte du Watergang",
        "Camping des Étangs",
        "Trop tard",
        "Proposé",
        "À Aire",
        "Seulement à Arques",
    ):
        assert absent not in html, absent


def test_a_screen_with_nothing_to_show_welcomes(client, screen):
    slides = client.get(url(screen, "contenu.json")).json()["slides"]
    assert slides == [
        {
            "kind": "message",
            "id": "welcome",
            "title": "Office de Tourisme du Pays de Saint-Omer",
            "text": "Bienvenue ! Nos conseillers sont à votre écoute.",
        }
    ]


def test_text_is_never_markup(client, screen, staff_user, office):
    services.create_screen_message(
        office,
        text="<b>Soldes</b> <script>alert(1)</script>",
        starts_on=TODAY,
        ends_on=TODAY,
        actor=staff_user,
    )
    event(office, "<img src=x onerror=alert(1)>", at(TODAY))
    html = client.get(url(screen)).content.decode()
    assert "<img src=x" not in html and "<script>alert" not in html
    assert ScreenMessage.objects.get().text == "Soldes"  # a script's content dropped (core/text.py)


def test_the_screen_needs_the_same_queries_for_little_or_much_content(
    client, screen, office, banner, staff_user
):
    def queries(path):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url(screen, path)).status_code == 200
        return len(context)

    client.get(url(screen))  # last_seen written once
    few = queries(""), queries("contenu.json")
    banner("Hôtel des Remparts", text="Bandeau")
    banner("Estaminet du Marais", text="Bandeau")
    for n in range(15):
        event(office, f"Événement {n}", at(TODAY + datetime.timedelta(days=n % 7)))
        services.create_screen_message(
            office, text=f"Message {n}", starts_on=TODAY, ends_on=TODAY, screens=[screen], actor=staff_user
        )
    assert (queries(""), queries("contenu.json")) == few


# --- Banner images -------------------------------------------------------------------------------


def test_a_banner_image_is_served_to_a_valid_screen_while_active(
    client, screen, banner, other_office, staff_user
):
    active = banner("Hôtel des Remparts")
    response = client.get(url(screen, f"bandeaux/{active.pk}/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"

    waiting = banner("Gîte du Watergang", approve=False)
    later = banner("Camping des Étangs", starts_on=TODAY + datetime.timedelta(days=2))
    text_only = banner("Estaminet du Marais", text="Ouvert le dimanche", image=False)
    for claim in (waiting, later, text_only):
        assert client.get(url(screen, f"bandeaux/{claim.pk}/")).status_code == 404
    assert client.get(url(screen, f"bandeaux/{active.pk}/", token="x" * 43)).status_code == 404
    assert client.get(url(screen, f"bandeaux/{active.pk}/", office=other_office)).status_code == 404

    with time_machine.travel(at(active.ends_on + datetime.timedelta(days=1), 9), tick=False):
        assert client.get(url(screen, f"bandeaux/{active.pk}/")).status_code == 404

    services.revoke_screen(screen, actor=staff_user)
    assert client.get(url(screen, f"bandeaux/{active.pk}/")).status_code == 404


def test_another_offices_screen_cannot_show_our_banners(client, banner, other_office, staff_user):
    ours = banner("Hôtel des Remparts")
    theirs, token = services.create_screen(other_office, name="Accueil Aire", actor=staff_user)
    assert client.get(f"/{other_office.slug}/ecran/{token}/bandeaux/{ours.pk}/").status_code == 404


# --- Messages: the rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message", "field"),
    [
        ({"text": "  "}, "Le message est obligatoire.", "text"),
        ({"text": "x" * 281}, "Le message dépasse 280 caractères (281) : raccourcissez-le.", "text"),
        ({"starts_on": None}, "La date de début est obligatoire.", "starts_on"),
        ({"ends_on": None}, "La date de fin est obligatoire.", "ends_on"),
        ({"ends_on": TODAY - datetime.timedelta(days=1), "starts_on": TODAY - datetime.timedelta(days=2)},
         "Cette date de fin est passée : le message ne serait jamais affiché.", "ends_on"),
        ({"ends_on": TODAY, "starts_on": TODAY + datetime.timedelta(days=1)},
         "La date de fin précède la date de début.", "ends_on"),
        ({"ends_on": TODAY + datetime.timedelta(days=400)},
         "Un message s'affiche au plus un an : raccourcissez la période.", "ends_on"),
    ],
)  # fmt: skip
def test_message_rules_write_nothing(office, staff_user, values, message, field):
    data = {"text": "Fermé le 1er janvier", "starts_on": TODAY, "ends_on": TODAY, **values}
    with pytest.raises(ScreenError) as info:
        services.create_screen_message(office, actor=staff_user, **data)
    assert (info.value.message, info.value.field) == (message, field)
    assert not ScreenMessage.objects.exists()


def test_a_message_cannot_target_another_offices_screen(office, other_office, staff_user):
    theirs, _ = services.create_screen(other_office, name="Accueil Aire", actor=staff_user)
    with pytest.raises(ScreenError, match="Écran inconnu."):
        services.create_screen_message(
            office, text="Fermé", starts_on=TODAY, ends_on=TODAY, screens=[theirs], actor=staff_user
        )
    assert not ScreenMessage.objects.exists()


# --- Staff pages ---------------------------------------------------------------------------------


def bo(office, path=""):
    return f"/{office.slug}/gestion/ecrans/{path}"


def test_staff_create_a_screen_and_see_its_url_once(client, office, staff_user):
    client.force_login(staff_user)
    response = client.post(bo(office), {"screen-name": NAME})
    screen = Screen.objects.get()
    assert response["Location"] == bo(office, f"{screen.pk}/")
    page = client.get(response["Location"]).content.decode()
    secret = page.split('id="secret-url" value="', 1)[1].split('"', 1)[0]
    assert secret.startswith(f"http://testserver/{office.slug}/ecran/")
    assert client.get(secret.removeprefix("http://testserver")).status_code == 200
    assert 'id="secret-url"' not in client.get(bo(office, f"{screen.pk}/")).content.decode()  # once
    assert screen.created_by == staff_user and screen.name == NAME


def test_staff_form_errors_are_shown_on_the_field(client, office, staff_user):
    client.force_login(staff_user)
    response = client.post(bo(office), {"screen-name": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le nom de l&#x27;écran est obligatoire." in html
    assert 'aria-describedby="id_screen-name_error id_screen-name_helptext"' in html
    assert not Screen.objects.exists()


def test_staff_revoke_and_regenerate(client, office, staff_user, screen):
    client.force_login(staff_user)
    assert client.get(bo(office, f"{screen.pk}/desactiver/")).status_code == 302  # GET does nothing
    assert Screen.objects.get().is_active
    client.post(bo(office, f"{screen.pk}/desactiver/"))
    assert client.get(url(screen)).status_code == 404
    client.post(bo(office, f"{screen.pk}/nouvelle-adresse/"))
    page = client.get(bo(office, f"{screen.pk}/")).content.decode()
    secret = page.split('id="secret-url" value="', 1)[1].split('"', 1)[0]
    assert client.get(secret.removeprefix("http://testserver")).status_code == 200
    assert client.get(url(screen)).status_code == 404


def test_staff_manage_messages(client, office, staff_user, screen):
    client.force_login(staff_user)
    data = {
        "message-text": "Fermeture exceptionnelle le 1er janvier",
        "message-starts_on": "2022-12-28",
        "message-ends_on": "2023-01-01",
        "message-screens": [screen.pk],
    }
    assert client.post(bo(office, "messages/nouveau/"), data)["Location"] == bo(office)
    message = ScreenMessage.objects.get()
    assert list(message.screens.all()) == [screen] and message.created_by == staff_user
    assert "Fermeture exceptionnelle" in client.get(bo(office)).content.decode()

    data.update({"message-text": "Fermé le 1er janvier", "message-screens": []})
    client.post(bo(office, f"messages/{message.pk}/"), data)
    message.refresh_from_db()
    assert message.text == "Fermé le 1er janvier" and not message.screens.exists()

    bad = client.post(bo(office, f"messages/{message.pk}/"), {**data, "message-ends_on": "2022-12-01"})
    assert "La date de fin précède la date de début." in bad.content.decode()
    message.refresh_from_db()
    assert message.ends_on == datetime.date(2023, 1, 1)

    client.post(bo(office, f"messages/{message.pk}/supprimer/"))
    assert not ScreenMessage.objects.exists()


def test_staff_pages_are_office_scoped(
    client, office, other_office, other_staff_user, staff_user, screen, partner
):
    message = services.create_screen_message(
        office, text="Fermé", starts_on=TODAY, ends_on=TODAY, actor=staff_user
    )
    client.force_login(other_staff_user)
    for path in ("", f"{screen.pk}/", "messages/nouveau/", f"messages/{message.pk}/"):
        assert client.get(bo(office, path)).status_code == 404, path
    for path in (f"{screen.pk}/", f"messages/{message.pk}/"):
        assert client.get(bo(other_office, path)).status_code == 404, path
    for path in (
        f"{screen.pk}/desactiver/",
        f"{screen.pk}/nouvelle-adresse/",
        f"messages/{message.pk}/supprimer/",
    ):
        assert client.post(bo(other_office, path)).status_code == 404, path
    assert (
        client.post(
            bo(other_office, "messages/nouveau/"),
            {
                "message-text": "x",
                "message-starts_on": "2022-12-28",
                "message-ends_on": "2022-12-28",
                "message-screens": [screen.pk],
            },
        ).status_code
        == 200
    )  # fmt: skip — Saint-Omer's screen is not a choice in Aire
    assert ScreenMessage.objects.count() == 1
    assert Screen.objects.get().is_active
    client.force_login(partner.user)
    assert client.get(bo(office)).status_code == 404
