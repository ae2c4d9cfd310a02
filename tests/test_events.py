"""The agenda's services: partners submit, staff moderate (once), the office publishes its own,
cancellation; every bad input refused with its French message and nothing written."""

import contextlib
import datetime
import threading
from unittest.mock import ANY
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from ensemble.core.models import AuditEntry, OutboundEmail
from ensemble.directory.models import Establishment
from ensemble.events import selectors, services
from ensemble.events.errors import EventError
from ensemble.events.models import Event
from ensemble.memberships import services as membership_services

from .concurrency import require_postgresql, run_in_threads
from .conftest import EVIDENCE, make_application, row_counts

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
S = Event.Status


def at(month: int, day: int, hour: int = 20, minute: int = 0, year: int = 2023) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def fields(**overrides) -> dict:
    values = dict(
        title_fr="Concert au marais",
        title_en="Concert in the marshes",
        summary_fr="Un quatuor sur l'eau.",
        description_fr="Embarquement au ponton à 19 h 45.",
        category="concert",
        starts_at=at(1, 14, 20),
        ends_at=at(1, 14, 23),
        place_name="Ponton du Haut-Pont",
        city="Saint-Omer",
        postcode="62500",
        price_text="12 €",
        booking_url="https://billets.example/concert",
    )
    values.update(overrides)
    return values


def counts() -> dict:
    return {
        **row_counts(),
        "events": Event.objects.count(),
        "audit": AuditEntry.objects.count(),
        "pending": list(_pending()),
    }


def _pending():
    return Event.objects.order_by("pk").values_list("status", "sequence", "pending_changes", "title_fr")


@contextlib.contextmanager
def refused(message: str, *, field=ANY):
    """The block raises EventError with this message (and field), and writes nothing."""
    before = counts()
    with pytest.raises(EventError) as info:
        yield info
    assert info.value.message == message
    assert info.value.field == field
    assert counts() == before


@pytest.fixture
def organisation(partner):
    return partner.membership.organisation


@pytest.fixture
def proposed(partner, organisation):
    return services.submit_event(
        organisation, actor=partner.user, establishment=partner.membership.establishment, **fields()
    )


@pytest.fixture
def published(proposed, staff_user):
    return services.approve_event(proposed, actor=staff_user)


def reload(event: Event) -> Event:
    return Event.objects.get(pk=event.pk)


# ---- submitting ----------------------------------------------------------------------------


def test_a_partner_submits_an_event_that_waits_for_the_office(partner, organisation, office):
    event = services.submit_event(
        organisation,
        actor=partner.user,
        establishment=partner.membership.establishment,
        **fields(description_fr="<p>Embarquement <b>au ponton</b>.</p><script>x()</script>"),
    )
    event = reload(event)
    assert event.status == S.PROPOSED
    assert event.office == office and event.organisation == organisation
    assert event.submitted_by == partner.user
    assert event.description_fr == "Embarquement au ponton."  # the script dropped (core/text.py)
    assert event.title == "Concert au marais"
    assert event.sequence == 0 and event.revised_at is None
    assert not selectors.announced_events(office).exists()
    entry = AuditEntry.objects.get(action="event.submitted")
    assert entry.organisation_id == organisation.pk and entry.actor == partner.user
    assert entry.target_id == str(event.pk) and entry.data == {"date": "2023-01-14"}
    assert selectors.pending_count(office) == 1


def test_without_a_town_the_event_takes_its_establishments_place(partner, organisation):
    place = partner.membership.establishment
    Establishment.objects.filter(pk=place.pk).update(latitude="50.750000", longitude="2.252000")
    event = services.submit_event(
        organisation,
        actor=partner.user,
        establishment=place,
        **fields(place_name="", city="", postcode="", address=""),
    )
    event = reload(event)
    assert (event.place_name, event.address, event.postcode, event.city) == (
        place.name,
        place.address,
        place.postcode,
        place.city,
    )
    assert str(event.latitude) == "50.750000"


def test_an_all_day_event_runs_from_midnight_to_the_end_of_its_last_day(partner, organisation):
    event = services.submit_event(
        organisation,
        actor=partner.user,
        **fields(all_day=True, starts_at=at(1, 14, 15), ends_at=at(1, 15, 9)),
    )
    event = reload(event)
    assert event.starts_at == at(1, 14, 0)
    assert event.ends_at == datetime.datetime(2023, 1, 15, 23, 59, 59, tzinfo=PARIS)


def test_limits_are_counted_on_the_plain_text(partner, organisation):
    event = services.submit_event(
        organisation, actor=partner.user, **fields(description_nl="<p>" + "a" * 2000 + "</p>")
    )
    assert len(reload(event).description_nl) == 2000


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"title_fr": ""}, "Le titre en français est obligatoire.", "title_fr"),
        ({"title_fr": "<b> </b>"}, "Le titre en français est obligatoire.", "title_fr"),
        (
            {"title_en": "x" * 201},
            "Le titre (anglais) dépasse 200 caractères (201) : raccourcissez ce texte.",
            "title_en",
        ),
        (
            {"summary_fr": "x" * 301},
            "Le résumé (français) dépasse 300 caractères (301) : raccourcissez ce texte.",
            "summary_fr",
        ),
        (
            {"description_nl": "<p>" + "a" * 2001 + "</p>"},
            "La description (néerlandais) dépasse 2000 caractères (2001) : raccourcissez ce texte.",
            "description_nl",
        ),
        ({"ends_at": at(1, 14, 19)}, "La fin de l'événement précède son début.", "ends_at"),
        (
            {"starts_at": at(12, 1, year=2022), "ends_at": at(12, 2, year=2022)},
            "Cet événement est déjà terminé : indiquez des dates à venir.",
            "ends_at",
        ),
        (
            {"starts_at": at(12, 28, 8, year=2022), "ends_at": at(12, 28, 9, year=2022)},
            "Cet événement est déjà terminé : indiquez des dates à venir.",
            "ends_at",
        ),
        (
            {"starts_at": at(3, 1, year=2026), "ends_at": at(3, 2, year=2026)},
            "La date de début est trop lointaine : trois ans au plus.",
            "starts_at",
        ),
        (
            {"ends_at": at(3, 1, year=2024)},
            "Un événement dure au plus un an : pour une activité permanente, complétez votre fiche.",
            "ends_at",
        ),
        ({"starts_at": None}, "Indiquez la date de début.", "starts_at"),
        ({"ends_at": ""}, "Indiquez la date de fin.", "ends_at"),
        ({"starts_at": "demain soir"}, "Date invalide : « demain soir ».", "starts_at"),
        ({"starts_at": "1850-01-01T20:00"}, "Date hors limites : 1850-01-01.", "starts_at"),
        ({"city": ""}, "La ville est obligatoire.", "city"),
        ({"city": "<i></i>"}, "La ville est obligatoire.", "city"),
        ({"postcode": "62500<"}, "Le code postal n'est pas valide : « 62500< ».", "postcode"),
        ({"place_name": "x" * 201}, "Le nom du lieu dépasse 200 caractères (201).", "place_name"),
        (
            {"booking_url": "javascript:alert(1)"},
            "Le lien de réservation n'est pas valide (il commence par https://).",
            "booking_url",
        ),
        (
            {"booking_url": "ftp://billets.example/"},
            "Le lien de réservation n'est pas valide (il commence par https://).",
            "booking_url",
        ),
        ({"category": "volcans"}, "Catégorie d'événement inconnue : « volcans ».", "category"),
        ({"latitude": "91"}, "La latitude doit être comprise entre -90 et 90.", "latitude"),
        ({"longitude": "est"}, "Coordonnées invalides : indiquez un nombre décimal.", "longitude"),
        ({"colour": "rouge"}, "Champ inconnu : colour.", None),
    ],
)
def test_bad_inputs_are_refused_with_their_message(partner, organisation, overrides, message, field):
    with refused(message, field=field):
        services.submit_event(organisation, actor=partner.user, **fields(**overrides))


def test_the_establishment_must_be_the_organisations(partner, organisation, other_partner):
    with refused("Cet établissement n'appartient pas à votre organisation.", field="establishment"):
        services.submit_event(
            organisation, actor=partner.user, establishment=other_partner.membership.establishment, **fields()
        )
    with refused("Cet établissement n'appartient pas à votre organisation.", field="establishment"):
        services.submit_event(organisation, actor=partner.user, establishment=999_999, **fields())


# ---- moderation ----------------------------------------------------------------------------


def test_approving_publishes_and_tells_the_partner(proposed, staff_user, office, partner):
    event = reload(services.approve_event(proposed, actor=staff_user))
    assert event.status == S.PUBLISHED
    assert event.decided_by == staff_user and event.decided_at is not None
    assert event.sequence == 0 and event.revised_at is not None
    assert list(selectors.announced_events(office)) == [event]
    email = OutboundEmail.objects.get(template="event_approved")
    assert email.to == partner.user.email
    assert email.subject == "Votre événement « Concert au marais » est publié"
    assert f"/saint-omer/agenda/{event.pk}/" in email.body_text
    assert selectors.pending_count(office) == 0


def test_rejecting_needs_a_reason_that_is_emailed(proposed, staff_user, office):
    for reason in ("", "  <p></p> "):
        with refused("Indiquez au partenaire le motif du refus.", field="reason"):
            services.reject_event(proposed, actor=staff_user, reason=reason)
    services.reject_event(proposed, actor=staff_user, reason="Les horaires manquent.")
    event = reload(proposed)
    assert event.status == S.REJECTED and event.reason == "Les horaires manquent."
    email = OutboundEmail.objects.get(template="event_rejected")
    assert "Les horaires manquent." in email.body_text
    assert email.subject == "Votre événement « Concert au marais » n'est pas publié"
    assert not selectors.announced_events(office).exists()


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_a_second_decision_is_refused(proposed, staff_user, first, second):
    decide = {
        "approve": lambda: services.approve_event(proposed, actor=staff_user),
        "reject": lambda: services.reject_event(proposed, actor=staff_user, reason="Hors territoire."),
    }
    decide[first]()
    state = "publié" if first == "approve" else "refusé"
    with refused(f"Cet événement a déjà été traité ({state} le 28/12/2022 à 10:00).", field=None) as info:
        with time_machine.travel(datetime.datetime(2022, 12, 28, 10, 0, 30, tzinfo=PARIS), tick=False):
            decide[second]()
    assert info.value.code == "already_decided"
    assert OutboundEmail.objects.filter(template__startswith="event_").count() == 1


def test_an_event_that_ended_while_waiting_cannot_be_published(proposed, staff_user):
    with time_machine.travel(datetime.datetime(2023, 1, 15, 9, tzinfo=PARIS)):
        with refused("Publication impossible : Cet événement est déjà terminé : indiquez des dates à venir."):
            services.approve_event(proposed, actor=staff_user)
        services.reject_event(proposed, actor=staff_user, reason="Passé.")
    assert reload(proposed).status == S.REJECTED


# ---- changes -------------------------------------------------------------------------------


def test_a_change_to_a_published_event_waits_and_the_public_keeps_the_published_one(
    published, partner, staff_user, office
):
    services.update_event(published, actor=partner.user, **fields(starts_at=at(1, 14, 21), price_text="15 €"))
    event = reload(published)
    assert event.status == S.PUBLISHED
    assert event.starts_at == at(1, 14, 20) and event.price_text == "12 €"  # still the published ones
    assert event.pending_changes == {"starts_at": at(1, 14, 21).isoformat(), "price_text_fr": "15 €"}
    assert event.sequence == 0
    assert list(selectors.moderation_queue(office)) == [event]
    assert selectors.pending_count(office) == 1

    services.approve_event(event, actor=staff_user)
    event = reload(event)
    assert event.starts_at == at(1, 14, 21) and event.price_text == "15 €"
    assert event.pending_changes == {} and event.change_submitted_at is None
    assert event.sequence == 1
    email = OutboundEmail.objects.filter(template="event_approved").latest("pk")
    assert email.subject == "Votre événement « Concert au marais » : modifications publiées"
    assert "Tarifs" in email.body_text and "Début" in email.body_text


def test_a_rejected_change_leaves_the_published_event(published, partner, staff_user):
    services.update_event(published, actor=partner.user, **fields(title_fr="Concert annulé ?"))
    services.reject_event(published, actor=staff_user, reason="Titre ambigu.")
    event = reload(published)
    assert (event.status, event.title_fr, event.sequence) == (S.PUBLISHED, "Concert au marais", 0)
    assert event.pending_changes == {} and event.reason == "Titre ambigu."
    assert OutboundEmail.objects.get(template="event_rejected").subject == (
        "Votre événement « Concert au marais » : modifications non retenues"
    )


def test_values_equal_to_the_published_ones_leave_nothing_waiting(published, partner):
    services.update_event(published, actor=partner.user, **fields(price_text="15 €"))
    services.update_event(published, actor=partner.user, **fields())  # back to the published values
    event = reload(published)
    assert event.pending_changes == {} and event.change_submitted_at is None


def test_a_bad_change_writes_nothing(published, partner):
    with refused("La fin de l'événement précède son début.", field="ends_at"):
        services.update_event(published, actor=partner.user, ends_at=at(1, 13))


def test_editing_a_rejected_event_proposes_it_again(proposed, partner, staff_user):
    services.reject_event(proposed, actor=staff_user, reason="Ajoutez le tarif enfant.")
    services.update_event(proposed, actor=partner.user, **fields(price_text="12 €, 6 € enfant"))
    event = reload(proposed)
    assert (event.status, event.reason, event.price_text) == (S.PROPOSED, "", "12 €, 6 € enfant")
    assert event.decided_at is None


def test_withdrawing_a_proposal_deletes_it_but_not_a_published_event(proposed, published, partner):
    with refused(
        "Seule une proposition pas encore publiée peut être retirée : annulez l'événement.", field=None
    ):
        services.withdraw_event(published, actor=partner.user)
    other = services.submit_event(partner.membership.organisation, actor=partner.user, **fields())
    services.withdraw_event(other, actor=partner.user)
    assert not Event.objects.filter(pk=other.pk).exists()


# ---- the office ----------------------------------------------------------------------------


def test_an_office_event_is_published_at_once(office, staff_user):
    event = reload(services.create_office_event(office, actor=staff_user, **fields()))
    assert (event.status, event.organisation, event.sequence) == (S.PUBLISHED, None, 0)
    assert event.revised_at is not None
    assert list(selectors.announced_events(office)) == [event]


@pytest.fixture
def foreign_establishment(other_season):
    """An establishment of the other office (Aire-sur-la-Lys)."""
    application = make_application(other_season, email="gite@aire.example", establishment_name="Gîte d'Aire")
    return membership_services.submit_join_request(
        other_season.office, application, evidence=EVIDENCE
    ).membership.establishment


def test_an_office_event_refuses_bad_input_and_another_offices_establishment(
    office, staff_user, foreign_establishment
):
    with refused("La ville est obligatoire.", field="city"):
        services.create_office_event(office, actor=staff_user, **fields(city=""))
    with refused("Cet établissement n'est pas connu de l'office.", field="establishment"):
        services.create_office_event(
            office, actor=staff_user, establishment=foreign_establishment, **fields()
        )


def test_a_staff_edit_of_a_published_event_is_a_new_sequence(published, staff_user):
    services.edit_event(published, actor=staff_user, **fields(place_name="Salle Vauban"))
    event = reload(published)
    assert (event.place_name, event.sequence) == ("Salle Vauban", 1)
    services.edit_event(event, actor=staff_user, **fields(place_name="Salle Vauban"))  # no change
    assert reload(event).sequence == 1


# ---- cancellation --------------------------------------------------------------------------


def test_cancelling_keeps_the_event_announced_with_a_higher_sequence(published, partner, office):
    services.update_event(published, actor=partner.user, **fields(price_text="15 €"))
    services.cancel_event(published, actor=partner.user, reason="Intempéries.")
    event = reload(published)
    assert (event.status, event.sequence, event.reason) == (S.CANCELLED, 1, "Intempéries.")
    assert event.pending_changes == {} and event.change_submitted_at is None
    assert list(selectors.announced_events(office)) == [event]
    assert not OutboundEmail.objects.filter(template="event_cancelled").exists()  # the partner did it
    with refused("Cet événement est déjà annulé.", field=None):
        services.cancel_event(event, actor=partner.user)
    with refused("Cet événement est annulé : il ne peut plus être modifié.", field=None):
        services.update_event(event, actor=partner.user, **fields())


def test_only_a_published_event_can_be_cancelled(proposed, partner):
    with refused(
        "Seul un événement publié peut être annulé : refusez ou retirez la proposition.", field=None
    ):
        services.cancel_event(proposed, actor=partner.user)


def test_the_office_cancels_a_partners_event_with_a_reason_emailed(published, staff_user):
    with refused("Indiquez au partenaire le motif de l'annulation.", field="reason"):
        services.cancel_event(published, actor=staff_user, by_office=True)
    services.cancel_event(published, actor=staff_user, reason="Arrêté préfectoral.", by_office=True)
    email = OutboundEmail.objects.get(template="event_cancelled")
    assert "Arrêté préfectoral." in email.body_text


def test_a_past_event_can_no_longer_be_changed_or_cancelled(published, partner):
    with time_machine.travel(datetime.datetime(2023, 1, 15, 9, tzinfo=PARIS)):
        with refused("Cet événement est terminé : il ne peut plus être modifié.", field=None):
            services.update_event(published, actor=partner.user, **fields())
        with refused("Cet événement est terminé : il ne peut plus être annulé.", field=None):
            services.cancel_event(published, actor=partner.user)


# ---- selectors -----------------------------------------------------------------------------


def test_the_queue_and_count_are_per_office(proposed, other_office, staff_user, office):
    foreign = services.create_office_event(other_office, actor=staff_user, **fields())
    Event.objects.filter(pk=foreign.pk).update(status=S.PROPOSED)
    assert list(selectors.moderation_queue(office)) == [proposed]
    assert selectors.pending_count(office) == 1
    assert selectors.pending_count(other_office) == 1


def test_the_office_list_filters_by_status_and_date_range(published, office, staff_user, partner):
    later = services.create_office_event(
        office, actor=staff_user, **fields(starts_at=at(3, 1, 10), ends_at=at(3, 3, 18))
    )
    waiting = services.submit_event(partner.membership.organisation, actor=partner.user, **fields())
    assert list(selectors.office_events(office)) == [published, waiting, later]
    assert list(selectors.office_events(office, status="waiting")) == [waiting]
    assert list(selectors.office_events(office, status=S.PUBLISHED)) == [published, later]
    # Overlapping the range: the March event runs on the 2nd.
    assert list(selectors.office_events(office, start=datetime.date(2023, 3, 2))) == [later]
    assert list(selectors.office_events(office, end=datetime.date(2023, 1, 14))) == [published, waiting]
    assert (
        list(
            selectors.office_events(office, start=datetime.date(2023, 1, 15), end=datetime.date(2023, 2, 28))
        )
        == []
    )


# ---- a decision taken twice at once --------------------------------------------------------


def _two_decisions(event_id: int, staff_id: int) -> list[str]:
    from ensemble.accounts.models import User

    def decide() -> str:
        try:
            services.approve_event(Event.objects.get(pk=event_id), actor=User.objects.get(pk=staff_id))
        except EventError as error:
            assert error.code == "already_decided"
            return "refused"
        return "approved"

    return run_in_threads(4, decide)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_staff_approving_at_once_publish_once(proposed, staff_user):
    require_postgresql()
    event_id, staff_id = proposed.pk, staff_user.pk
    connection.close()
    outcomes = _two_decisions(event_id, staff_id)
    assert sorted(outcomes) == ["approved", "refused", "refused", "refused"]
    assert OutboundEmail.objects.filter(template="event_approved").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_row_lock_every_approval_goes_through(proposed, staff_user, monkeypatch):
    """The control run: when the event is read without a lock, and everyone has read it before
    anyone writes, every approval passes — the test above would catch a missing lock."""
    require_postgresql()
    event_id, staff_id = proposed.pk, staff_user.pk
    connection.close()
    all_have_read = threading.Barrier(4)

    def unlocked(event, related=()):
        found = Event.objects.select_related(*related).get(pk=event.pk)
        all_have_read.wait(timeout=30)
        return found

    monkeypatch.setattr(services, "lock", unlocked)
    outcomes = _two_decisions(event_id, staff_id)
    assert outcomes == ["approved"] * 4
    assert OutboundEmail.objects.filter(template="event_approved").count() == 4


def test_texts_are_kept_per_language_whatever_the_active_language(partner, organisation, staff_user):
    from django.utils import translation

    with translation.override("en"):
        event = services.submit_event(
            organisation, actor=partner.user, **fields(title_nl="Concert in het moeras")
        )
        services.approve_event(event, actor=staff_user)
    event = reload(event)
    assert (event.title_fr, event.title_en, event.title_nl) == (
        "Concert au marais",
        "Concert in the marshes",
        "Concert in het moeras",
    )
