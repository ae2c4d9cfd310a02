from allauth.account.adapter import DefaultAccountAdapter

from ensemble.core.client_ip import client_ip
from ensemble.core.tasks import sender


class AccountAdapter(DefaultAccountAdapter):
    """Partners get their login from the join form; nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        """The address allauth's limits count: the same as ours (TRUSTED_PROXY_COUNT or
        TRUSTED_PROXIES), and a malformed X-Forwarded-For falls back instead of raising."""
        return client_ip(request) or super().get_client_ip(request)

    def get_from_email(self) -> str:
        """Login codes, password resets and address checks asked on an office's pages (its own
        host name, or a page under its prefix) come from the office, as its other e-mails do."""
        office = getattr(self.request, "office", None)
        return sender(office) if office is not None else super().get_from_email()

    def render_mail(self, template_prefix, email, context, headers=None):
        message = super().render_mail(template_prefix, email, context, headers=headers)
        office = getattr(self.request, "office", None)
        reply_to = office and (office.email_reply_to or office.email)
        if reply_to:
            message.reply_to = [reply_to]
        return message
