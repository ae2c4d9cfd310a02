from ensemble.core.errors import EnsembleError


class ScreenError(EnsembleError):
    """A rule about reception screens or their messages refused the action (French message)."""
