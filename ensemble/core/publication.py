"""A change to what an office publishes, told by the app that made it to whoever keeps the
published copies (the publication snapshots of `publishing`).

Why a registry: `publishing` sits above `listings`, `memberships` and `directory` in the import
layers (pyproject's import-linter contract), so their services cannot import it. They call
`content_changed` inside their own transaction; `publishing` registers its listener when the app
is ready (as each app registers its audit wording with `core.audit.register_actions`). The
listener runs at once, in the caller's transaction: a rolled-back change leaves the published
copy as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ContentChange:
    """What changed: some listings, all the listings of some organisations (a membership, an
    establishment), or every listing of the office (an amenity or category renamed)."""

    office_id: int
    listing_ids: tuple[int, ...] = ()
    organisation_ids: tuple[int, ...] = ()
    whole_office: bool = False


Listener = Callable[[ContentChange], None]
_LISTENERS: list[Listener] = []


def register_listener(listener: Listener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def content_changed(
    *,
    office_id: int,
    listing_ids: Iterable[int] = (),
    organisation_ids: Iterable[int] = (),
    whole_office: bool = False,
) -> None:
    change = ContentChange(
        office_id=office_id,
        listing_ids=tuple(listing_ids),
        organisation_ids=tuple(organisation_ids),
        whole_office=whole_office,
    )
    for listener in _LISTENERS:
        listener(change)
