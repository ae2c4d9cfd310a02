"""E-mails: rendered at once in the recipient's language, sent after commit by a task."""

from django.template.loader import render_to_string
from django.utils import translation

from . import links, unsubscribe
from .models import Office, OutboundEmail
from .tasks import send_outbound_email
from .transactions import enqueue_on_commit


def queue_email(
    office: Office,
    *,
    to: str,
    template: str,
    context: dict,
    language: str = "fr",
    attachment: tuple[str, int] | None = None,
) -> OutboundEmail | None:
    """Render `emails/<template>.{subject,txt,html}` and queue the message.

    Call it inside the service's transaction: the e-mail only leaves if the action commits.
    `attachment` names a document (kind, id) a provider of `core.attachments` gives when sending.
    A non-transactional e-mail (core.unsubscribe) carries an unsubscribe link, and is not
    queued at all (None) for an address that opted out of its kind.
    """
    kind = unsubscribe.kind_of(template)
    if kind and unsubscribe.is_opted_out(office, to, kind):
        unsubscribe.log_skipped(office, template, to)
        return None
    context = {"office": office, "site_url": links.base_url(office), **context}
    if kind:
        context["unsubscribe_url"] = unsubscribe.unsubscribe_url(office, to, kind)
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
        attachment_kind=attachment[0] if attachment else "",
        attachment_id=attachment[1] if attachment else None,
    )
    enqueue_on_commit(send_outbound_email, email.pk, office=office)
    return email
