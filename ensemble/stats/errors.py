from ensemble.core.errors import EnsembleError


class StatsError(EnsembleError):
    """A visibility count was asked for something that is not counted (an unknown kind, a year
    out of range); the message is in French."""
