"""The events app's error: a French message for the person who acted, tied to a field."""

from ensemble.core.errors import EnsembleError


class EventError(EnsembleError):
    pass
