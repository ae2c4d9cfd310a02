"""Background tasks of the core: sending queued e-mails."""

import smtplib
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from . import attachments, unsubscribe
from .errors import EnsembleError
from .models import Office, OutboundEmail
from .task_labels import register_task_label


class EmailNotSent(Exception):
    """The mail server refused or could not be reached; the worker retries with back-off."""


@task()
def send_outbound_email(email_id: int) -> str:
    """Send one queued e-mail; running it twice sends it once.

    Each attempt is recorded on the e-mail (attempts, time, error). A refused or unreachable
    server leaves it QUEUED and raises, so the worker tries again later; after the last attempt
    it is FAILED, and staff can queue it again from the failed-work page."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().select_related("office").get(pk=email_id)
        if email.status in OutboundEmail.LEFT_STATUSES:
            return "already-sent"
        email.attempts += 1
        email.last_attempt_at = timezone.now()
        email.message_id = email.message_id or make_msgid(domain=_domain())
        try:
            _message(email).send()
        except (smtplib.SMTPException, OSError, EnsembleError) as exc:  # EnsembleError: attachment
            email.error = f"{type(exc).__name__}: {exc}"[:2000]
            email.status = (
                OutboundEmail.Status.FAILED
                if email.attempts >= settings.TASK_MAX_ATTEMPTS
                else OutboundEmail.Status.QUEUED
            )
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
        email.save(
            update_fields=[
                "status",
                "sent_at",
                "attempts",
                "last_attempt_at",
                "message_id",
                "error",
                "updated_at",
            ]
        )
    if email.status != OutboundEmail.Status.SENT:
        raise EmailNotSent(email.error)  # after the commit: the attempt stays recorded
    return "sent"


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    office = email.office
    reply_to = office.email_reply_to or office.email
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=sender(office),
        to=[email.to],
        reply_to=[reply_to] if reply_to else None,
        headers={"Message-ID": email.message_id, **_unsubscribe_headers(email)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.attachment_kind:
        document = attachments.resolve(email.attachment_kind, email.attachment_id)
        message.attach(document.filename, document.content, document.mimetype)
    return message


def sender(office: Office) -> str:
    """« <office name> <address> »: the office's sending address, else DEFAULT_FROM_EMAIL's
    address, under the office's name (its domain publishes SPF/DKIM/DMARC: docs/deployment.md)."""
    address = office.email_from_address or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    name = " ".join(office.name.split())  # no line break can reach the header
    return str(Address(display_name=name, addr_spec=address))


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "ensemble.invalid"


def _unsubscribe_headers(email: OutboundEmail) -> dict[str, str]:
    """RFC 2369 and RFC 8058 (one-click) headers for the e-mails one may opt out of."""
    kind = unsubscribe.kind_of(email.template)
    if not kind:
        return {}
    url = unsubscribe.unsubscribe_url(email.office, email.to, kind)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


register_task_label(send_outbound_email, _("Envoi d'un e-mail"))


@task()
def clear_expired_sessions_task() -> str:
    """Daily: delete expired sessions (Django's `clearsessions`; the cached copies expire alone)."""
    from importlib import import_module

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return "cleared"


register_task_label(clear_expired_sessions_task, _("Suppression quotidienne des sessions expirées"))
