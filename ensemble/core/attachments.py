"""Documents an e-mail carries, named on the queued e-mail by a kind and an id, read (or rendered)
when it is sent.

Why a registry: `core` imports no app, but the invoice PDF belongs to `billing`. The app
registers a provider for its kind when it is ready (`billing.apps`), as `core.publication` does;
`core.tasks.send_outbound_email` asks it for the file's name, bytes and type. A provider may
render a missing document first (an invoice's PDF): whichever of the PDF task and the e-mail
task runs first, the e-mail leaves with the document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


Provider = Callable[[int], Attachment]
_PROVIDERS: dict[str, Provider] = {}


def register_provider(kind: str, provider: Provider) -> None:
    _PROVIDERS[kind] = provider


def resolve(kind: str, object_id: int) -> Attachment:
    """The document; a LookupError for a kind no app registered (a programming error)."""
    try:
        provider = _PROVIDERS[kind]
    except KeyError:
        raise LookupError(f"No attachment provider for {kind!r}") from None
    return provider(object_id)
