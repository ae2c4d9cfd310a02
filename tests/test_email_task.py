"""Queued e-mails: rendered in the transaction, sent after commit, at most once."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import transaction

from ensemble.core.mail import queue_email
from ensemble.core.models import OutboundEmail
from ensemble.core.tasks import send_outbound_email


@pytest.fixture
def queued(office):
    return OutboundEmail.objects.create(
        office=office,
        to="camille@moulin.example",
        subject="Votre demande d'adhésion 2022 est bien reçue",
        body_text="Bonjour Camille,",
        body_html="<p>Bonjour Camille,</p>",
        template="join_confirmation",
    )


def test_send_outbound_email_sends_once_even_if_run_twice(queued):
    assert send_outbound_email.call(queued.pk) == "sent"
    assert send_outbound_email.call(queued.pk) == "already-sent"
    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.SENT
    assert queued.sent_at is not None


def test_enqueued_twice_through_the_task_backend_sends_once(queued):
    send_outbound_email.enqueue(queued.pk)
    send_outbound_email.enqueue(queued.pk)
    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.SENT


def test_sent_message_has_text_html_and_the_office_as_reply_to(queued, office):
    send_outbound_email.call(queued.pk)
    message = mail.outbox[0]
    assert message.to == ["camille@moulin.example"]
    assert message.subject == "Votre demande d'adhésion 2022 est bien reçue"
    assert message.body == "Bonjour Camille,"
    assert message.alternatives[0].content == "<p>Bonjour Camille,</p>"
    assert message.alternatives[0].mimetype == "text/html"
    assert message.reply_to == [office.email]


def test_sent_at_is_not_moved_by_a_second_run(queued):
    send_outbound_email.call(queued.pk)
    queued.refresh_from_db()
    first_sent_at = queued.sent_at
    send_outbound_email.call(queued.pk)
    queued.refresh_from_db()
    assert queued.sent_at == first_sent_at


def _queue(office) -> OutboundEmail:
    return queue_email(
        office,
        to="camille@moulin.example",
        template="membership_refused",
        context={
            "membership": SimpleNamespace(season=SimpleNamespace(year=2022)),
            "reason": "Dossier incomplet",
        },
    )


def test_queued_email_is_sent_after_commit(office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(office)
        assert mail.outbox == []  # not before the commit
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Votre demande d'adhésion 2022"
    assert "Motif : Dossier incomplet" in mail.outbox[0].body
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


def test_email_of_a_rolled_back_action_is_never_sent(office, django_capture_on_commit_callbacks):
    class Refused(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Refused), transaction.atomic():
            _queue(office)
            raise Refused
    assert callbacks == []
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
