from ensemble.core.errors import EnsembleError


class CampaignError(EnsembleError):
    """A rule of the update campaigns refused the action; the message is for the person who acted."""
