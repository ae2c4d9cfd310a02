"""The base of every business error: a French message meant for the person who acted."""


class EnsembleError(Exception):
    """A rule refused an action. `message` is shown to the user as is; `field` ties it to a form
    field when there is one."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
