"""Background tasks of the core: sending queued e-mails."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

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
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        message.send()
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.save(update_fields=["status", "sent_at", "updated_at"])
    return "sent"
