from ensemble.core.errors import EnsembleError


class GuideError(EnsembleError):
    """A print-guide rule refused an action (French message for staff)."""
