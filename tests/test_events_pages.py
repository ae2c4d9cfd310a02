"""The agenda in the espace pro (« Mes événements ») and in the back office (queue, decisions,
list with filters, office events, cancellation): each person sees only their own events, and
another partner's or another office's id answers 404."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ensemble.core.models import OutboundEmail
from ensemble.events import services
from ensemble.events.models import Event

from .test_events import at, fields

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SLUG = "saint-omer"
S = Event.Status


def portal(name: str, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"office_slug": SLUG, **kwargs})


def backoffice(name: str, office_slug: str = SLUG, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office_slug, **kwargs})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def form_data(establishment_id: int | None = None, **overrides) -> dict:
    data = {
        "title_fr": "Balade contée",
        "title_en": "Storytelling walk",
        "title_nl": "",
        "summary_fr": "Contes du marais.",
        "summary_en": "",
        "summary_nl": "",
        "description_fr": "Départ devant la maison.",
        "description_en": "",
        "description_nl": "",
        "category": "visit",
        "starts_at": "2023-01-21T15:00",
        "ends_at": "2023-01-21T17:00",
        "place_name": "",
        "address": "",
        "postcode": "",
        "city": "",
        "price_text_fr": "5 €",
        "booking_url": "https://reservation.example/balade",
    }
    if establishment_id is not None:
        data["establishment"] = str(establishment_id)
    data.update(overrides)
    return data


@pytest.fixture
def partner_client(client, partner):
    client.force_login(partner.user)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def their_event(other_partner):
    return services.submit_event(
        other_partner.membership.organisation,
        actor=other_partner.user,
        establishment=other_partner.membership.establishment,
        **fields(title_fr="Soirée de la brasserie"),
    )


def submit(partner, **overrides) -> Event:
    return services.submit_event(
        partner.membership.organisation,
        actor=partner.user,
        establishment=partner.membership.establishment,
        **fields(**overrides),
    )


# ---- the espace pro ------------------------------------------------------------------------


def test_a_partner_proposes_an_event_in_paris_time(partner_client, partner, office):
    establishment = partner.membership.establishment
    page = partner_client.get(portal("event_create"))
    assert page.status_code == 200
    assert 'type="datetime-local"' in page.content.decode()
    response = partner_client.post(portal("event_create"), form_data(establishment.pk))
    assert response.status_code == 302 and response["Location"] == portal("events")
    event = Event.objects.get(title_fr="Balade contée")
    assert event.status == S.PROPOSED and event.organisation == partner.membership.organisation
    assert event.starts_at == datetime.datetime(2023, 1, 21, 15, tzinfo=PARIS)
    assert event.starts_at.astimezone(datetime.UTC).hour == 14  # stored UTC, typed in Paris time
    assert event.city == establishment.city  # the establishment's place
    listing = partner_client.get(portal("events"))
    assert "Balade contée" in listing.content.decode()
    assert "En attente de validation" in listing.content.decode()


def test_a_bad_proposal_shows_the_message_on_its_field_and_writes_nothing(partner_client, partner):
    establishment = partner.membership.establishment
    response = partner_client.post(
        portal("event_create"), form_data(establishment.pk, ends_at="2023-01-21T14:00")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"ends_at": ["La fin de l'événement précède son début."]}
    assert 'aria-describedby="id_ends_at_error"' in response.content.decode()
    response = partner_client.post(portal("event_create"), form_data(establishment.pk, title_fr=""))
    assert response.context["form"].errors == {"title_fr": ["Le titre en français est obligatoire."]}
    assert not Event.objects.exists()


def test_another_partners_establishment_is_not_a_choice(partner_client, other_partner):
    response = partner_client.post(
        portal("event_create"), form_data(other_partner.membership.establishment.pk)
    )
    assert response.status_code == 200
    assert "establishment" in response.context["form"].errors
    assert not Event.objects.exists()


def test_the_list_shows_only_my_events_with_states_and_reasons(
    partner_client, partner, their_event, staff_user
):
    rejected = submit(partner, title_fr="Marché de Noël")
    services.reject_event(rejected, actor=staff_user, reason="Le marché est déjà annoncé par la ville.")
    published = services.approve_event(submit(partner, title_fr="Concert du Nouvel An"), actor=staff_user)
    services.update_event(
        published, actor=partner.user, **fields(title_fr="Concert du Nouvel An", price_text="8 €")
    )
    html = partner_client.get(portal("events")).content.decode()
    assert "Soirée de la brasserie" not in html
    assert "Le marché est déjà annoncé par la ville." in html
    assert "Modification en attente" in html
    assert reverse("public:event", kwargs={"office_slug": SLUG, "event_id": published.pk}) in html


def test_the_list_query_count_does_not_grow_with_the_events(partner_client, partner):
    submit(partner)
    with CaptureQueriesContext(connection) as few:
        assert partner_client.get(portal("events")).status_code == 200
    for number in range(25):
        submit(partner, title_fr=f"Visite n° {number}")
    with CaptureQueriesContext(connection) as many:
        assert partner_client.get(portal("events")).status_code == 200
    assert len(many) == len(few)


def test_editing_a_published_event_sends_the_change_for_validation(partner_client, partner, staff_user):
    event = services.approve_event(submit(partner), actor=staff_user)
    page = partner_client.get(portal("event_edit", event_id=event.pk))
    assert page.status_code == 200
    assert page.context["form"]["starts_at"].value() == at(1, 14, 20).replace(tzinfo=None)  # Paris time
    data = form_data(
        partner.membership.establishment.pk, **{"title_fr": "Concert au marais", "price_text_fr": "15 €"}
    )
    response = partner_client.post(portal("event_edit", event_id=event.pk), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.price_text == "12 €" and event.pending_changes["price_text_fr"] == "15 €"
    assert any(
        "l'agenda garde la version publiée" in m for m in messages_of(partner_client.get(portal("events")))
    )
    page = partner_client.get(portal("event_edit", event_id=event.pk))
    assert page.context["form"]["price_text_fr"].value() == "15 €"  # the waiting value
    assert "En attente de validation" in page.content.decode()


def test_a_partner_cancels_a_published_event_and_withdraws_a_proposal(partner_client, partner, staff_user):
    event = services.approve_event(submit(partner), actor=staff_user)
    response = partner_client.post(portal("event_cancel", event_id=event.pk), {"reason": "Intempéries"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == S.CANCELLED and event.reason == "Intempéries"
    page = partner_client.get(portal("event_edit", event_id=event.pk))
    assert page.context.get("form") is None
    assert "Cet événement est annulé : il ne peut plus être modifié." in page.content.decode()
    response = partner_client.post(
        portal("event_edit", event_id=event.pk), form_data(partner.membership.establishment.pk)
    )
    assert response.status_code == 302
    assert "Cet événement est annulé : il ne peut plus être modifié." in messages_of(
        partner_client.get(portal("events"))
    )

    proposal = submit(partner, title_fr="Atelier vannerie")
    assert partner_client.get(portal("event_withdraw", event_id=proposal.pk)).status_code == 302
    assert Event.objects.filter(pk=proposal.pk).exists()  # a GET does nothing
    partner_client.post(portal("event_withdraw", event_id=proposal.pk))
    assert not Event.objects.filter(pk=proposal.pk).exists()


def test_another_partners_event_answers_404(partner_client, their_event):
    for name in ("event_edit", "event_cancel", "event_withdraw"):
        url = portal(name, event_id=their_event.pk)
        assert partner_client.get(url).status_code == 404, name
        assert partner_client.post(url, form_data()).status_code == 404, name
    assert Event.objects.get(pk=their_event.pk).status == S.PROPOSED


# ---- the back office -----------------------------------------------------------------------


def test_the_queue_shows_new_events_and_changes_oldest_first(
    staff_client, partner, other_partner, staff_user
):
    changed = services.approve_event(submit(partner, title_fr="Concert"), actor=staff_user)
    new = submit(other_partner, title_fr="Dégustation")
    services.update_event(changed, actor=partner.user, **fields(title_fr="Concert", price_text="15 €"))
    response = staff_client.get(backoffice("event_queue"))
    assert response.status_code == 200
    assert [event.pk for event in response.context["events"]] == [new.pk, changed.pk]
    html = response.content.decode()
    assert "Modification d'un événement publié" in html and "Nouvel événement" in html


def test_staff_approve_then_go_to_the_next_one(staff_client, partner, other_partner):
    first, second = submit(partner, title_fr="Concert"), submit(other_partner, title_fr="Dégustation")
    response = staff_client.post(backoffice("event_approve", pk=first.pk))
    assert response["Location"] == backoffice("event", pk=second.pk)
    assert Event.objects.get(pk=first.pk).status == S.PUBLISHED
    response = staff_client.post(backoffice("event_approve", pk=first.pk))  # a second decision
    assert response["Location"] == backoffice("event", pk=first.pk)
    shown = messages_of(staff_client.get(response["Location"]))
    assert any(message.startswith("Cet événement a déjà été traité (publié le") for message in shown)
    assert OutboundEmail.objects.filter(template="event_approved").count() == 1


def test_rejecting_without_a_reason_shows_the_message(staff_client, partner):
    event = submit(partner)
    response = staff_client.post(backoffice("event_reject", pk=event.pk), {"reject-reason": ""})
    assert response.status_code == 200
    assert response.context["reject_form"].errors == {"reason": ["Indiquez au partenaire le motif du refus."]}
    response = staff_client.post(backoffice("event_reject", pk=event.pk), {"reject-reason": "Doublon."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.reason) == (S.REJECTED, "Doublon.")


def test_the_detail_shows_a_waiting_change_field_by_field(staff_client, partner, staff_user):
    event = services.approve_event(submit(partner), actor=staff_user)
    services.update_event(event, actor=partner.user, **fields(starts_at=at(1, 14, 21), price_text="15 €"))
    response = staff_client.get(backoffice("event", pk=event.pk))
    rows = {row["label"]: (row["published"], row["proposed"]) for row in response.context["pending_rows"]}
    assert rows == {"Début": ("14/01/2023 20:00", "14/01/2023 21:00"), "Tarifs (français)": ("12 €", "15 €")}


def test_the_office_creates_edits_and_cancels_its_event(staff_client, office):
    data = form_data(city="Saint-Omer", place_name="Cathédrale", latitude="50,7478", longitude="2,2519")
    response = staff_client.post(backoffice("event_create"), data)
    event = Event.objects.get(title_fr="Balade contée")
    assert response["Location"] == backoffice("event", pk=event.pk)
    assert (event.status, event.organisation, str(event.latitude)) == (S.PUBLISHED, None, "50.747800")
    response = staff_client.post(backoffice("event_edit", pk=event.pk), {**data, "price_text_fr": "Gratuit"})
    event.refresh_from_db()
    assert (event.price_text, event.sequence) == ("Gratuit", 1)
    response = staff_client.post(backoffice("event_create"), form_data(city=""))
    assert response.context["form"].errors == {"city": ["La ville est obligatoire."]}
    staff_client.post(backoffice("event_cancel", pk=event.pk), {"cancel-reason": ""})
    event.refresh_from_db()
    assert (event.status, event.sequence) == (S.CANCELLED, 2)


def test_cancelling_a_partners_event_needs_a_reason(staff_client, partner, staff_user):
    event = services.approve_event(submit(partner), actor=staff_user)
    response = staff_client.post(backoffice("event_cancel", pk=event.pk), {"cancel-reason": ""})
    assert response.context["cancel_form"].errors == {
        "reason": ["Indiquez au partenaire le motif de l'annulation."]
    }
    assert Event.objects.get(pk=event.pk).status == S.PUBLISHED


def test_the_list_filters_by_state_and_dates_and_exports(staff_client, partner, office, staff_user):
    january = services.approve_event(submit(partner, title_fr="Concert de janvier"), actor=staff_user)
    march = services.create_office_event(
        office,
        actor=staff_user,
        **fields(title_fr="Salon de mars", starts_at=at(3, 4, 10), ends_at=at(3, 5, 18)),
    )
    waiting = submit(partner, title_fr="Atelier en attente")

    def titles(**params) -> list[str]:
        response = staff_client.get(backoffice("events"), params)
        assert response.status_code == 200
        return [event.title_fr for event in response.context["events"]]

    assert titles() == ["Concert de janvier", "Atelier en attente", "Salon de mars"]
    assert titles(statut="waiting") == [waiting.title_fr]
    assert titles(statut="published", du="2023-03-01") == [march.title_fr]
    assert titles(au="2023-01-31") == [january.title_fr, waiting.title_fr]
    response = staff_client.get(backoffice("events"), {"du": "2023-03-01", "au": "2023-01-01"})
    assert response.context["form"].errors == {"au": ["La date de fin précède la date de début."]}
    assert list(response.context["events"]) == []
    assert staff_client.get(backoffice("events"), {"du": "pas une date"}).status_code == 200
    export = staff_client.get(backoffice("event_export"), {"statut": "published"})
    content = b"".join(export.streaming_content).decode()
    assert "Concert de janvier" in content and "Salon de mars" in content and "Atelier" not in content


def test_the_list_and_queue_query_counts_do_not_grow(staff_client, partner, office, staff_user):
    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listing:
            assert staff_client.get(backoffice("events")).status_code == 200
        with CaptureQueriesContext(connection) as queue:
            assert staff_client.get(backoffice("event_queue")).status_code == 200
        return len(listing), len(queue)

    submit(partner)
    services.create_office_event(office, actor=staff_user, **fields())
    few = measure()
    for number in range(20):
        submit(partner, title_fr=f"Visite {number}")
        services.create_office_event(office, actor=staff_user, **fields(title_fr=f"Salon {number}"))
    assert measure() == few


def test_another_offices_event_answers_404(client, other_staff_user, partner, staff_user):
    event = submit(partner)
    client.force_login(other_staff_user)
    for name in ("event", "event_edit", "event_approve", "event_reject", "event_cancel"):
        assert client.get(backoffice(name, pk=event.pk)).status_code == 404, name
        assert client.post(backoffice(name, pk=event.pk)).status_code == 404, name
        # Under their own office's prefix, Saint-Omer's id is not found either.
        assert client.get(backoffice(name, "aire-sur-la-lys", pk=event.pk)).status_code == 404, name
    assert client.get(backoffice("events")).status_code == 404
    assert Event.objects.get(pk=event.pk).status == S.PROPOSED


def test_a_partner_cannot_enter_the_back_office_agenda(partner_client, partner):
    event = submit(partner)
    assert partner_client.get(backoffice("event_queue")).status_code == 404
    assert partner_client.post(backoffice("event_approve", pk=event.pk)).status_code == 404
    assert Event.objects.get(pk=event.pk).status == S.PROPOSED


def test_a_time_that_does_not_exist_in_paris_is_refused_on_its_field(partner_client, partner):
    """26 March 2023, 02:30: the clocks jump from 02:00 to 03:00 in Paris."""
    data = form_data(
        partner.membership.establishment.pk, starts_at="2023-03-26T02:30", ends_at="2023-03-26T05:00"
    )
    response = partner_client.post(portal("event_create"), data)
    assert response.status_code == 200
    assert "Europe/Paris" in response.context["form"].errors["starts_at"][0]
    assert not Event.objects.exists()
