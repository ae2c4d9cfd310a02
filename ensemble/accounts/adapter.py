from allauth.account.adapter import DefaultAccountAdapter

from ensemble.core.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """Partners get their login from the join form; nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        """The address allauth's limits count: the same as ours (TRUSTED_PROXY_COUNT or
        TRUSTED_PROXIES), and a malformed X-Forwarded-For falls back instead of raising."""
        return client_ip(request) or super().get_client_ip(request)
