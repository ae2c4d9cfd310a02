from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Partners get their login from the join form; nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False
