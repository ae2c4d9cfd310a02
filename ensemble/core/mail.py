"""E-mails: rendered at once in the recipient's language, sent after commit by a task."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import Office, OutboundEmail


def queue_email(
    office: Office, *, to: str, template: str, context: dict, language: str = "fr"
) -> OutboundEmail:
    """Render `emails/<template>.{subject,txt,html}` and queue the message.

    Call it inside the service's transaction: the e-mail only leaves if the action commits.
    """
    context = {"office": office, "site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}.subject", context).strip()
        body_text = render_to_string(f"emails/{template}.txt", context)
        body_html = render_to_string(f"emails/{template}.html", context)
    email = OutboundEmail.objects.create(
        office=office,
        to=to,
        subject=" ".join(subject.split())[:250],
        body_text=body_text,
        body_html=body_html,
        language=language,
        template=template,
    )
    transaction.on_commit(lambda: _enqueue_send(email.pk))
    return email


def _enqueue_send(email_id: int) -> None:
    from .tasks import send_outbound_email

    send_outbound_email.enqueue(email_id)
