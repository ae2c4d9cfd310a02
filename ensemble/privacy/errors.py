from ensemble.core.errors import EnsembleError


class PrivacyError(EnsembleError):
    """A personal-data request (export, erasure) or a retention setting was refused."""
