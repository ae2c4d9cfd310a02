"""The update campaign (issue 4, item 5): launch, reminders once each, flagging after the deadline,
unpublishing after the grace period (CGV art. 2), confirmations, the dashboard numbers."""

import contextlib
import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import connection

from ensemble.campaigns import selectors, services, tasks
from ensemble.campaigns.errors import CampaignError
from ensemble.campaigns.models import CampaignReminder, CampaignTarget, UpdateCampaign
from ensemble.campaigns.tokens import target_id_from_token
from ensemble.core.models import AuditEntry, OutboundEmail
from ensemble.directory.models import Category
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing

from .concurrency import require_postgresql, run_in_threads
from .conftest import EVIDENCE, make_application

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
LAUNCH_DAY = datetime.date(2022, 12, 28)  # the autouse fixture's day
DEADLINE = datetime.date(2023, 1, 31)
GRACE_ENDS = datetime.date(2023, 2, 15)  # 15 days of grace
UNPUBLISH_FROM = datetime.date(2023, 2, 16)


def at(day: datetime.date):
    """Travel to 10:00 (Paris) on `day`, for a `with` block."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=PARIS), tick=False)


def day(offset: int) -> datetime.date:
    return LAUNCH_DAY + datetime.timedelta(days=offset)


def make_campaign(office, actor, **overrides) -> UpdateCampaign:
    values = dict(
        title="Mise à jour 2023 — guide et magazine",
        deadline=DEADLINE,
        grace_days=15,
        reminder_offsets=[7, 14, 21],
        message="Le guide 2023 part à l'impression en février.",
    )
    values.update(overrides)
    return services.create_campaign(office, actor=actor, **values)


def launched(office, actor, **overrides) -> UpdateCampaign:
    return services.launch_campaign(make_campaign(office, actor, **overrides), actor=actor)


def target_of(campaign, partner) -> CampaignTarget:
    return CampaignTarget.objects.get(campaign=campaign, listing=partner.listing)


CAMPAIGN_MODELS = ["campaigns.UpdateCampaign", "campaigns.CampaignTarget", "campaigns.CampaignReminder"]
OTHER_MODELS = ["core.OutboundEmail", "core.AuditEntry", "listings.Listing"]


def campaign_rows() -> dict:
    return {label: apps.get_model(label).objects.count() for label in CAMPAIGN_MODELS + OTHER_MODELS}


@contextlib.contextmanager
def refused(message: str, *, field=None):
    """The block raises CampaignError with this message (and field) and writes nothing."""
    before = campaign_rows()
    published = dict(Listing.objects.values_list("pk", "unpublished_at"))
    with pytest.raises(CampaignError) as info:
        yield info
    assert info.value.message == message
    assert info.value.field == field
    assert campaign_rows() == before
    assert dict(Listing.objects.values_list("pk", "unpublished_at")) == published


# ---- launching -----------------------------------------------------------------------------


def test_launch_creates_a_target_per_published_listing_and_emails_each_partner(
    partner, other_partner, make_partner, office, staff_user
):
    withdrawn = make_partner("ancien@marais.example", name="L'Ancienne Ferme")
    listing_services.unpublish_listing(withdrawn.listing, reason="Fermé", actor=staff_user, notify=False)
    campaign = make_campaign(office, staff_user)
    assert campaign.status == "draft" and not OutboundEmail.objects.filter(template="campaign_invitation")

    services.launch_campaign(campaign, actor=staff_user)

    campaign.refresh_from_db()
    assert campaign.status == "launched" and campaign.launched_by == staff_user
    targets = {t.listing_id: t for t in campaign.targets.all()}
    assert set(targets) == {partner.listing.pk, other_partner.listing.pk}
    assert all(t.emailed_at for t in targets.values())
    emails = {e.to: e for e in OutboundEmail.objects.filter(template="campaign_invitation")}
    assert set(emails) == {"camille@moulin.example", "louis@brasserie.example"}
    email = emails["camille@moulin.example"]
    assert "Le Moulin des Marais" in email.subject and "Mise à jour 2023" in email.subject
    assert "31/01/2023" in email.body_text and "16/02/2023" in email.body_text
    assert "Le guide 2023 part à l'impression en février." in email.body_text
    token = re.search(r"/saint-omer/espace-pro/mise-a-jour/([^/\s]+)/", email.body_text).group(1)
    assert target_id_from_token(token) == targets[partner.listing.pk].pk
    assert services.listing_path(office, partner.listing.pk) in email.body_text
    assert token in email.body_html and "<a href=" in email.body_html
    entry = AuditEntry.objects.get(action="campaign.launched")
    assert entry.target_id == str(campaign.pk) and entry.actor == staff_user
    assert entry.data == {"targets": 2, "emailed": 2}


def test_categories_restrict_the_campaign(make_partner, office, staff_user):
    restaurant = Category.objects.get(office=office, slug="restauration")
    bistro = make_partner("chef@bistro.example", name="Le Bistro", category_id=restaurant.pk)
    make_partner("gite@marais.example", name="Le Gîte du Marais")
    campaign = launched(office, staff_user, categories=[restaurant])
    assert list(campaign.targets.values_list("listing_id", flat=True)) == [bistro.listing.pk]
    assert OutboundEmail.objects.filter(template="campaign_invitation").count() == 1


def test_another_office_listings_are_never_targets(partner, other_office, other_season, staff_user):
    from ensemble.memberships import services as membership_services

    theirs = membership_services.submit_join_request(
        other_office, make_application(other_season, email="aire@example.org"), evidence=EVIDENCE
    )
    listing_services.ensure_listing(theirs.membership.establishment)
    campaign = launched(partner.listing.office, staff_user)
    assert list(campaign.targets.values_list("listing_id", flat=True)) == [partner.listing.pk]


def test_launch_refusals_write_nothing(partner, office, staff_user):
    campaign = launched(office, staff_user)
    with refused("Cette campagne est déjà lancée."):
        services.launch_campaign(campaign, actor=staff_user)
    bars = Category.objects.get(office=office, slug="bars")
    empty = make_campaign(office, staff_user, categories=[bars])
    with refused("Aucune fiche publiée ne correspond à cette campagne : il n'y a personne à solliciter."):
        services.launch_campaign(empty, actor=staff_user)
    late = make_campaign(office, staff_user)
    with (
        at(DEADLINE),
        refused("La date limite doit être postérieure à aujourd'hui (31/01/2023).", field="deadline"),
    ):
        services.launch_campaign(late, actor=staff_user)
    services.close_campaign(late, actor=staff_user)
    with refused("Cette campagne est close : elle ne peut plus être lancée."):
        services.launch_campaign(late, actor=staff_user)
    with refused("Cette campagne est déjà close."):
        services.close_campaign(late, actor=staff_user)


# ---- drafting: bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"title": "  <b></b> "}, "Donnez un titre à la campagne.", "title"),
        ({"deadline": None}, "Indiquez la date limite de confirmation.", "deadline"),
        (
            {"deadline": LAUNCH_DAY},
            "La date limite doit être postérieure à aujourd'hui (28/12/2022).",
            "deadline",
        ),
        (
            {"deadline": datetime.date(2022, 12, 1)},
            "La date limite doit être postérieure à aujourd'hui (28/12/2022).",
            "deadline",
        ),
        ({"grace_days": -1}, "Le délai de grâce se compte en jours, de 0 à 365.", "grace_days"),
        ({"grace_days": 400}, "Le délai de grâce se compte en jours, de 0 à 365.", "grace_days"),
        (
            {"reminder_offsets": [7, 0]},
            "Chaque rappel se compte en jours entiers après le lancement : 1 ou plus.",
            "reminder_offsets",
        ),
        (
            {"reminder_offsets": [-3]},
            "Chaque rappel se compte en jours entiers après le lancement : 1 ou plus.",
            "reminder_offsets",
        ),
        ({"reminder_offsets": [7, 14, 7]}, "Le rappel à J+7 figure deux fois.", "reminder_offsets"),
        (
            {"reminder_offsets": [7, 60]},
            "Le rappel à J+60 tomberait après la fin du délai de grâce (15/02/2023) : "
            "choisissez un nombre de jours plus petit.",
            "reminder_offsets",
        ),
        ({"reminder_offsets": list(range(1, 12))}, "10 rappels au plus.", "reminder_offsets"),
        ({"title": "x" * 201}, "Le titre dépasse 200 caractères.", "title"),
    ],
)
def test_create_campaign_bad_input_is_refused_and_nothing_written(
    office, staff_user, overrides, message, field
):
    with refused(message, field=field):
        make_campaign(office, staff_user, **overrides)


def test_a_category_of_another_office_is_refused(office, other_office, staff_user):
    theirs = Category.objects.filter(office=other_office).first()
    with refused("Une catégorie choisie n'existe pas.", field="categories"):
        make_campaign(office, staff_user, categories=[theirs])


def test_offsets_are_sorted_and_a_draft_can_be_changed_until_launched(partner, office, staff_user):
    campaign = make_campaign(office, staff_user, reminder_offsets=[21, 7, 14])
    assert campaign.reminder_offsets == [7, 14, 21]
    services.update_campaign(campaign, actor=staff_user, grace_days=5, reminder_offsets=[10])
    campaign.refresh_from_db()
    assert (campaign.grace_days, campaign.reminder_offsets, campaign.title) == (
        5,
        [10],
        "Mise à jour 2023 — guide et magazine",
    )
    with refused(
        "Le rappel à J+40 tomberait après la fin du délai de grâce (05/02/2023) : "
        "choisissez un nombre de jours plus petit.",
        field="reminder_offsets",
    ):
        services.update_campaign(campaign, actor=staff_user, reminder_offsets=[40])
    services.launch_campaign(campaign, actor=staff_user)
    with refused("Une campagne lancée ne se modifie plus : les partenaires ont reçu ses dates."):
        services.update_campaign(campaign, actor=staff_user, grace_days=30)


# ---- reminders -----------------------------------------------------------------------------


def reminder_emails() -> int:
    return OutboundEmail.objects.filter(template="campaign_reminder").count()


def test_reminders_at_the_offsets_once_each_even_when_the_job_runs_twice(
    partner, other_partner, office, staff_user
):
    campaign = launched(office, staff_user)
    assert services.send_due_reminders(today=day(6)) == 0
    assert services.send_due_reminders(today=day(7)) == 2
    assert services.send_due_reminders(today=day(7)) == 0  # twice the same day
    assert services.send_due_reminders(today=day(8)) == 0
    assert (reminder_emails(), CampaignReminder.objects.count()) == (2, 2)

    services.record_confirmation(target_of(campaign, partner), actor=partner.user)
    assert services.send_due_reminders(today=day(14)) == 1  # only the partner still silent
    assert services.send_due_reminders(today=day(14)) == 0
    assert services.send_due_reminders(today=day(21)) == 1
    assert services.send_due_reminders(today=day(21)) == 0
    assert reminder_emails() == 4
    assert list(
        CampaignReminder.objects.filter(target__listing=other_partner.listing).values_list(
            "offset_days", flat=True
        )
    ) == [7, 14, 21]
    assert list(
        CampaignReminder.objects.filter(target__listing=partner.listing).values_list("offset_days", flat=True)
    ) == [7]
    email = OutboundEmail.objects.filter(template="campaign_reminder", to="louis@brasserie.example").last()
    assert "Rappel" in email.subject and "La Brasserie du Haut-Pont" in email.subject
    assert "/espace-pro/mise-a-jour/" in email.body_text
    assert CampaignReminder.objects.filter(email__isnull=True).count() == 0


def test_a_job_that_missed_days_sends_only_the_latest_reminder(partner, office, staff_user):
    launched(office, staff_user)
    assert services.send_due_reminders(today=day(16)) == 1
    assert list(CampaignReminder.objects.values_list("offset_days", flat=True)) == [14]
    assert reminder_emails() == 1


def test_reminders_after_the_deadline_warn_of_the_withdrawal_and_stop_after_the_grace_period(
    partner, office, staff_user
):
    launched(office, staff_user, reminder_offsets=[40])  # 06/02/2023: during the grace period
    assert services.send_due_reminders(today=day(40)) == 1
    email = OutboundEmail.objects.get(template="campaign_reminder")
    assert "Dernier rappel" in email.subject and "15/02/2023" in email.body_text
    CampaignReminder.objects.all().delete()  # as if the job had not run on day 40…
    assert services.send_due_reminders(today=UNPUBLISH_FROM) == 0  # …nothing once the grace is over
    assert services.send_due_reminders(today=GRACE_ENDS) == 1


def test_no_reminder_for_a_closed_campaign_or_an_unpublished_listing(
    partner, other_partner, office, staff_user
):
    campaign = launched(office, staff_user)
    listing_services.unpublish_listing(other_partner.listing, reason="Fermé", actor=staff_user, notify=False)
    assert services.send_due_reminders(today=day(7)) == 1
    services.close_campaign(campaign, actor=staff_user)
    assert services.send_due_reminders(today=day(14)) == 0


def test_the_daily_tasks_are_registered_and_run_the_jobs(partner, office, staff_user):
    assert "ensemble.campaigns.tasks.send_campaign_reminders_task" in settings.DAILY_TASKS
    assert "ensemble.campaigns.tasks.flag_overdue_campaign_targets_task" in settings.DAILY_TASKS
    launched(office, staff_user)
    with at(day(7)):
        assert tasks.send_campaign_reminders_task.enqueue().return_value == 1
        assert tasks.send_campaign_reminders_task.enqueue().return_value == 0
    with at(DEADLINE + datetime.timedelta(days=1)):
        assert tasks.flag_overdue_campaign_targets_task.enqueue().return_value == 1


# ---- flagging and unpublishing -------------------------------------------------------------


def test_unconfirmed_listings_are_flagged_after_the_deadline_once(partner, other_partner, office, staff_user):
    campaign = launched(office, staff_user)
    services.record_confirmation(target_of(campaign, other_partner), actor=other_partner.user)
    assert services.flag_overdue(today=DEADLINE) == 0
    assert services.flag_overdue(today=DEADLINE + datetime.timedelta(days=1)) == 1
    assert services.flag_overdue(today=DEADLINE + datetime.timedelta(days=2)) == 0
    assert target_of(campaign, partner).flagged_at is not None
    assert target_of(campaign, other_partner).flagged_at is None
    entry = AuditEntry.objects.get(action="campaign.target_flagged")
    assert entry.organisation_id == partner.membership.organisation_id and entry.actor is None
    assert entry.data["unpublish_from"] == "2023-02-16"
    assert selectors.campaign_counts(office) == {
        "campaigns": 1,
        "awaiting": 1,
        "flagged": 1,
        "to_unpublish": 0,
    }


def test_unpublishing_waits_for_the_grace_period_and_takes_only_flagged_unconfirmed_listings(
    partner, other_partner, make_partner, office, staff_user
):
    late_one = make_partner("tardif@marais.example", name="La Grange Tardive")
    campaign = launched(office, staff_user)
    services.record_confirmation(target_of(campaign, other_partner), actor=other_partner.user)
    services.flag_overdue(today=DEADLINE + datetime.timedelta(days=1))
    with at(DEADLINE + datetime.timedelta(days=3)):  # confirmed during the grace period
        services.record_confirmation(target_of(campaign, late_one), actor=late_one.user)

    with (
        at(GRACE_ENDS),
        refused(
            "Le délai de grâce court jusqu'au 15/02/2023 : les fiches non confirmées pourront être "
            "retirées à partir du 16/02/2023."
        ),
    ):
        services.unpublish_overdue(campaign, actor=staff_user)

    with at(UNPUBLISH_FROM):
        assert selectors.campaign_counts(office)["to_unpublish"] == 1
        assert services.unpublish_overdue(campaign, actor=staff_user) == 1
        assert services.unpublish_overdue(campaign, actor=staff_user) == 0  # nothing twice

    states = {t.listing_id: t.state for t in campaign.targets.all()}
    assert states == {
        partner.listing.pk: "unpublished",
        other_partner.listing.pk: "confirmed",
        late_one.listing.pk: "confirmed",
    }
    withdrawn = Listing.objects.get(pk=partner.listing.pk)
    assert withdrawn.unpublished_at is not None
    assert "article 2 des CGV" in withdrawn.unpublished_reason
    assert "« Mise à jour 2023 — guide et magazine »" in withdrawn.unpublished_reason
    assert Listing.objects.filter(unpublished_at__isnull=True).count() == 2
    email = OutboundEmail.objects.get(template="listing_unpublished")
    assert email.to == "camille@moulin.example"
    assert "article 2 des CGV" in email.body_text and "31/01/2023" in email.body_text


def test_an_unflagged_target_is_never_unpublished(partner, office, staff_user):
    campaign = launched(office, staff_user)
    with at(UNPUBLISH_FROM):
        assert services.unpublish_overdue(campaign, actor=staff_user) == 0  # the flag job never ran
    assert Listing.objects.get(pk=partner.listing.pk).unpublished_at is None


def test_unpublishing_needs_a_launched_campaign(partner, office, staff_user):
    draft = make_campaign(office, staff_user)
    with (
        at(UNPUBLISH_FROM),
        refused("Cette campagne n'est pas encore lancée : aucune fiche ne peut être retirée."),
    ):
        services.unpublish_overdue(draft, actor=staff_user)


# ---- confirmation --------------------------------------------------------------------------


def test_a_confirmation_dates_the_listing_and_is_recorded_once(partner, office, staff_user):
    campaign = launched(office, staff_user)
    target = services.record_confirmation(target_of(campaign, partner), actor=partner.user)
    listing = Listing.objects.get(pk=partner.listing.pk)
    assert target.confirmed_by == partner.user and target.confirmed_at == listing.last_confirmed_at
    assert listing.last_confirmed_by == partner.user
    entry = AuditEntry.objects.get(action="listing.confirmed")
    assert entry.data == {"campaign_targets": [target.pk]} and entry.actor == partner.user
    with refused("Cette fiche est déjà confirmée (le 28/12/2022).", field=None):
        services.record_confirmation(target, actor=partner.user)


def test_a_closed_campaign_takes_no_confirmation(partner, office, staff_user):
    campaign = launched(office, staff_user)
    services.close_campaign(campaign, actor=staff_user)
    with refused(
        "Cette campagne de mise à jour est close. Vous pouvez toujours modifier votre fiche depuis "
        "votre espace pro."
    ):
        services.record_confirmation(target_of(campaign, partner), actor=partner.user)


def test_changes_submitted_during_a_campaign_confirm_the_listing(partner, other_partner, office, staff_user):
    assert services.record_listing_changes(partner.listing, actor=partner.user) == 0  # no campaign yet
    assert Listing.objects.get(pk=partner.listing.pk).last_confirmed_at is None
    campaign = launched(office, staff_user)
    listing_services.propose_changes(partner.listing, changes={"covers": 40}, actor=partner.user)
    assert services.record_listing_changes(partner.listing, actor=partner.user) == 1
    assert target_of(campaign, partner).confirmed_at is not None
    assert target_of(campaign, other_partner).confirmed_at is None
    assert services.record_listing_changes(partner.listing, actor=partner.user) == 0  # already confirmed


def test_one_confirmation_counts_for_every_running_campaign(partner, other_partner, office, staff_user):
    restaurant = Category.objects.get(office=office, slug="restauration")
    first = launched(office, staff_user)
    second = launched(office, staff_user, title="Guide des hébergements")
    draft = make_campaign(office, staff_user, categories=[restaurant])
    services.record_confirmation(target_of(first, partner), actor=partner.user)
    assert target_of(second, partner).confirmed_at == target_of(first, partner).confirmed_at
    assert target_of(second, other_partner).confirmed_at is None
    # The espace pro's own « Confirmer » button, outside the campaign's page.
    assert services.record_listing_confirmation(other_partner.listing, actor=other_partner.user) == 2
    assert {t.confirmed_by for t in CampaignTarget.objects.all()} == {partner.user, other_partner.user}
    assert not draft.targets.exists()
    assert AuditEntry.objects.filter(action="listing.confirmed").count() == 2


def test_the_listing_page_confirmation_outside_a_campaign_only_dates_the_listing(partner, office, staff_user):
    assert services.record_listing_confirmation(partner.listing, actor=partner.user) == 0
    assert Listing.objects.get(pk=partner.listing.pk).last_confirmed_by == partner.user


# ---- the dashboard -------------------------------------------------------------------------


def test_completion_by_category_in_one_query(make_partner, office, staff_user, django_assert_num_queries):
    restaurant = Category.objects.get(office=office, slug="restauration")
    stays = [make_partner(f"gite{i}@marais.example", name=f"Gîte {i}") for i in range(3)]
    tables = [
        make_partner(f"table{i}@marais.example", name=f"Table {i}", category_id=restaurant.pk)
        for i in range(2)
    ]
    campaign = launched(office, staff_user)
    services.record_confirmation(target_of(campaign, stays[0]), actor=stays[0].user)
    services.record_confirmation(target_of(campaign, tables[0]), actor=tables[0].user)
    services.flag_overdue(today=DEADLINE + datetime.timedelta(days=1))
    with at(UNPUBLISH_FROM):
        # Unpublish one flagged accommodation only: the others stay flagged.
        CampaignTarget.objects.filter(listing=stays[2].listing).update(flagged_at=None)
        services.unpublish_overdue(campaign, actor=staff_user)
        CampaignTarget.objects.filter(listing=stays[2].listing).update(
            flagged_at=datetime.datetime(2023, 2, 1, 9, tzinfo=PARIS)
        )

    with django_assert_num_queries(1):
        rows = selectors.completion_by_category(campaign)
    numbers = {r.label: (r.total, r.confirmed, r.pending, r.flagged, r.unpublished, r.percent) for r in rows}
    assert numbers == {
        "Hébergement": (3, 1, 0, 1, 1, 33),
        "Restauration": (2, 1, 0, 0, 1, 50),
    }
    total = selectors.completion_total(rows, label="Toutes")
    assert (total.total, total.confirmed, total.flagged, total.unpublished, total.percent) == (5, 2, 1, 2, 40)
    assert [t.listing_id for t in selectors.targets(campaign, state="flagged")] == [stays[2].listing.pk]
    assert len(selectors.targets(campaign, state="confirmed")) == 2
    assert len(selectors.targets(campaign, state="pending")) == 0
    assert [t.listing_id for t in selectors.targets(campaign, search="table 1")] == [tables[1].listing.pk]


def test_campaign_counts_for_the_dashboard(partner, other_partner, office, other_office, staff_user):
    assert selectors.campaign_counts(office) == {
        "campaigns": 0,
        "awaiting": 0,
        "flagged": 0,
        "to_unpublish": 0,
    }
    launched(office, staff_user)
    assert selectors.campaign_counts(office) == {
        "campaigns": 1,
        "awaiting": 2,
        "flagged": 0,
        "to_unpublish": 0,
    }
    assert selectors.campaign_counts(other_office)["awaiting"] == 0


# ---- concurrency (PostgreSQL) --------------------------------------------------------------

THREADS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reminder_jobs_send_each_reminder_once(partner, other_partner, office, staff_user):
    require_postgresql()
    launched(office, staff_user)
    connection.close()
    outcomes = run_in_threads(THREADS, lambda: services.send_due_reminders(today=day(7)))
    assert sum(outcomes) == 2
    assert (CampaignReminder.objects.count(), reminder_emails()) == (2, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_unique_row_reminders_are_sent_twice(
    partner, other_partner, office, staff_user, monkeypatch
):
    """The same race with the guard bypassed (each thread writes its reminder rows under keys of
    its own, as if (target, offset) were not unique): reminders go out more than once, which
    shows the test above can fail."""
    require_postgresql()
    launched(office, staff_user)
    original = services._remind
    counter = iter(range(1000, 2000))
    monkeypatch.setattr(
        services, "_remind", lambda target, offset, today: original(target, next(counter), today)
    )
    connection.close()
    run_in_threads(THREADS, lambda: services.send_due_reminders(today=day(7)))
    assert reminder_emails() > 2
