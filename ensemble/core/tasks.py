"""Background tasks of the core: sending queued e-mails."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import unsubscribe
from .models import OutboundEmail


@task()
def send_outbound_email(email_id: int) -> str:
    """Send one queued e-mail; running it twice sends it once."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().select_related("office").get(pk=email_id)
        if email.status == OutboundEmail.Status.SENT:
            return "already-sent"
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            to=[email.to],
            reply_to=[email.office.email] if email.office.email else None,
            headers=_unsubscribe_headers(email),
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        message.send()
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.save(update_fields=["status", "sent_at", "updated_at"])
    return "sent"


def _unsubscribe_headers(email: OutboundEmail) -> dict[str, str]:
    """RFC 2369 and RFC 8058 (one-click) headers for the e-mails one may opt out of."""
    kind = unsubscribe.kind_of(email.template)
    if not kind:
        return {}
    url = unsubscribe.unsubscribe_url(email.office, email.to, kind)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
