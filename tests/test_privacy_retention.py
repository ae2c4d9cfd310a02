"""RGPD retention (issue 10, item 7): the daily purges with each office's durations, and the
List-Unsubscribe link of the non-transactional e-mails."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ensemble.billing import services as billing_services
from ensemble.campaigns import services as campaign_services
from ensemble.core import audit
from ensemble.core.mail import queue_email
from ensemble.core.models import AuditEntry, EmailOptOut, OutboundEmail
from ensemble.core.unsubscribe import make_token
from ensemble.memberships.models import TermsAcceptance
from ensemble.privacy.models import RetentionPolicy
from ensemble.privacy.services import apply_retention, purge_expired, purge_task_results

from .conftest import BULLETIN_ON

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def sent_email(office, days_ago: int, **fields) -> OutboundEmail:
    sent_at = timezone.now() - datetime.timedelta(days=days_ago)
    values = dict(
        office=office,
        to="a@b.example",
        subject="Votre code",
        body_text="Lien : https://x/login/abc",
        body_html="<a>lien</a>",
        template="t",
        status="sent",
        sent_at=sent_at,
    )
    values.update(fields)
    return OutboundEmail.objects.create(**values)


def test_email_bodies_are_purged_after_the_office_period_and_twice_is_once(office, other_office):
    old, recent = sent_email(office, 8), sent_email(office, 2)
    queued = sent_email(office, 30, status="queued", sent_at=None)
    RetentionPolicy.objects.create(office=other_office, email_body_days=1)
    other = sent_email(other_office, 2)

    counts = purge_expired()
    assert counts["core.OutboundEmail.email_body_days"] == 2
    for email in (old, recent, queued, other):
        email.refresh_from_db()
    assert (old.body_text, old.body_html, old.to, old.subject) == ("", "", "a@b.example", "Votre code")
    assert recent.body_text and queued.body_text  # within 7 days; never sent
    assert other.body_text == ""  # the other office keeps them 1 day
    assert purge_expired() == {}


def test_login_ips_expire_evidence_ips_stay_for_the_contract_plus_five_years(submit, office):
    membership = submit().membership
    with time_machine.travel(datetime.datetime(2021, 12, 1, tzinfo=PARIS)):
        old = audit.record("account.logged_in", actor=None, office=None, ip_address="192.0.2.1")
    recent = audit.record("account.logged_in", actor=None, office=office, ip_address="192.0.2.2")
    purge_expired()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip_address is None and recent.ip_address == "192.0.2.2"
    acceptances = TermsAcceptance.objects.filter(membership=membership)
    # The 2022 season ends on 31 December 2022: the evidence's IP stays until 2027 is over.
    purge_expired(now=datetime.datetime(2027, 12, 30, tzinfo=PARIS))
    assert set(acceptances.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    purge_expired(now=datetime.datetime(2028, 1, 2, tzinfo=PARIS))
    assert set(acceptances.values_list("ip_address", "user_agent")) == {(None, "")}
    assert all(a.text for a in acceptances)  # the accepted text stays


def task_result(days_ago: int, status: str = "SUCCESSFUL") -> DBTaskResult:
    finished = timezone.now() - datetime.timedelta(days=days_ago)
    return DBTaskResult.objects.create(
        status=status,
        finished_at=finished if status != "READY" else None,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="ensemble.core.tasks.send_outbound_email",
        backend_name="default",
        queue_name="default",
        run_after=finished,
        exception_class_path="",
        traceback="",
    )


def test_finished_task_results_are_deleted_after_thirty_days(office):
    old, failed, recent, waiting = (
        task_result(31),
        task_result(40, "FAILED"),
        task_result(5),
        task_result(60, "READY"),
    )
    assert purge_task_results() == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk} and old.pk not in left and failed.pk not in left


def test_the_daily_job_is_registered_and_runs_every_purge(office):
    assert "ensemble.privacy.tasks.apply_retention_task" in settings.DAILY_TASKS
    email = sent_email(office, 10)
    counts = apply_retention()
    email.refresh_from_db()
    assert email.body_text == "" and counts["django_tasks_database.DBTaskResult"] == 0


# ---- List-Unsubscribe -------------------------------------------------------------------------


def test_campaign_emails_carry_list_unsubscribe_and_one_click_stops_the_next(
    partner, office, staff_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_services.create_campaign(
            office, actor=staff_user, title="Mise à jour 2023", deadline=datetime.date(2023, 1, 31)
        )
        campaign_services.launch_campaign(campaign, actor=staff_user)
    (message,) = [m for m in mail.outbox if m.to == [partner.user.email]]
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and "/desinscription/" in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = header.strip("<>").removeprefix(settings.SITE_URL)
    assert link in message.body and link in message.alternatives[0][0]

    # A mail client's one-click POST: no cookie, no CSRF token.
    response = client.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert EmailOptOut.objects.filter(office=office, kind="campaigns").count() == 1
    assert client.post(link).status_code == 200  # twice is once
    assert EmailOptOut.objects.count() == 1

    before = OutboundEmail.objects.count()
    assert (
        queue_email(office, to=partner.user.email.upper(), template="campaign_reminder", context={}) is None
    )
    assert OutboundEmail.objects.count() == before


def test_invoice_emails_have_no_unsubscribe_and_ignore_the_opt_out(
    make_membership, office, staff_user, django_capture_on_commit_callbacks
):
    membership = make_membership("requested", email="facture@marais.example")
    EmailOptOut.objects.create(
        office=office, kind="campaigns", address_digest=_digest("facture@marais.example")
    )
    from ensemble.memberships import services as membership_services

    membership_services.record_signed_bulletin(membership, actor=staff_user, received_on=BULLETIN_ON)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        billing_services.accept_and_invoice(membership, actor=staff_user)
    assert mail.outbox, "the acceptance and its invoice are e-mailed"
    for message in mail.outbox:
        assert "List-Unsubscribe" not in message.extra_headers
        assert "desinscription" not in message.body


def _digest(address: str) -> str:
    from ensemble.core.unsubscribe import digest

    return digest(address)


def test_a_forged_or_foreign_unsubscribe_link_is_refused(office, other_office, client):
    foreign = make_token(other_office, "x@y.example", "campaigns")
    for token in ("forged", foreign):
        url = reverse("public:unsubscribe", kwargs={"office_slug": office.slug, "token": token})
        response = client.post(url)
        assert response.status_code == 400
        assert "pas valide" in response.content.decode()
    assert not EmailOptOut.objects.exists()
    assert not AuditEntry.objects.filter(action="email.opted_out").exists()
