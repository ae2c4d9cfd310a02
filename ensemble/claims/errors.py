from ensemble.core.errors import EnsembleError


class ClaimError(EnsembleError):
    """A rule about partners' requests refused the action; the message is for the person who acted."""
