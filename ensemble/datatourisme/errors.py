from ensemble.core.errors import EnsembleError


class DatatourismeError(EnsembleError):
    pass
