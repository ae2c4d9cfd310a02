from ensemble.core.errors import EnsembleError


class MembershipError(EnsembleError):
    """A membership rule refused the action; the message is for the person who acted."""
