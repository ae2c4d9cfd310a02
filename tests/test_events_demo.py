"""The demo's agenda: the office's events and partners' proposals in every state, dated around
the demo day, loaded through the services once (a second run adds nothing), with valid feeds."""

import io

import icalendar
import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ensemble.core.models import Office
from ensemble.demo.offices import DEMO_DAY
from ensemble.events.models import Event

S = Event.Status


@pytest.fixture(autouse=True)
def _during_the_2022_season():
    """The demo is set in the real current season: no time travel here (see conftest)."""
    yield


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return Office.objects.get(slug="saint-omer")


def test_the_demo_agenda_has_every_state_around_the_demo_day(demo):
    events = Event.objects.filter(office=demo)
    assert 10 <= events.count() <= 20
    assert {S.PUBLISHED, S.PROPOSED, S.REJECTED, S.CANCELLED} <= set(events.values_list("status", flat=True))
    assert events.filter(organisation__isnull=True, status=S.PUBLISHED).count() >= 3  # the office's
    assert events.filter(change_submitted_at__isnull=False).count() == 1  # a change waiting
    assert events.filter(status=S.CANCELLED, sequence=1).count() == 1
    assert events.filter(ends_at__date__lt=DEMO_DAY, status=S.PUBLISHED).exists()  # one already past
    starts = [timezone.localdate(moment) for moment in events.values_list("starts_at", flat=True)]
    assert all(abs((day - DEMO_DAY).days) <= 40 for day in starts)
    assert Event.objects.filter(office__slug="aire-sur-la-lys").exists()


def test_a_second_run_adds_no_event(demo):
    before = Event.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Event.objects.count() == before


def test_the_demo_agenda_and_its_feed_answer(demo, client):
    page = client.get(reverse("public:agenda", kwargs={"office_slug": demo.slug}))
    assert page.status_code == 200 and page.context["rows"]
    feed = client.get(reverse("public:agenda_ics", kwargs={"office_slug": demo.slug}))
    calendar = icalendar.Calendar.from_ical(feed.content)
    statuses = {str(event["STATUS"]) for event in calendar.walk("VEVENT")}
    assert statuses == {"CONFIRMED", "CANCELLED"}
