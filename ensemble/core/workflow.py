"""State machines as tables: `{action: (states it may start from, state it leads to)}`.

A model declares its table (`TRANSITIONS = Transitions({...}, error=AppError)`) and inherits
`StateMachine` for `can(action)`; a service checks an action with the table (`check`) or makes
the whole move (`move`: check, set, save the state field, log). What else a move does (its
history row, the timeline, the e-mail) stays in the app's service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar

from django.db import models

from .errors import EnsembleError

logger = logging.getLogger(__name__)

Message = str | Callable[[], str]


class Transitions(Mapping[str, tuple[frozenset[str], str]]):
    """The allowed moves of one model. Reads like the dict it is built from
    (`TRANSITIONS["expire"][0]` is the set of states "expire" starts from)."""

    def __init__(
        self,
        table: Mapping[str, tuple[Iterable[str], str]],
        *,
        field: str = "status",
        error: type[EnsembleError] = EnsembleError,
    ) -> None:
        self.field = field
        self.error = error
        self._table = {action: (frozenset(sources), target) for action, (sources, target) in table.items()}

    def __getitem__(self, action: str) -> tuple[frozenset[str], str]:
        return self._table[action]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def sources(self, action: str) -> frozenset[str]:
        return self._table[action][0]

    def target(self, action: str) -> str:
        return self._table[action][1]

    def can(self, state: str, action: str) -> bool:
        """True if `action` may start from `state` (an unknown action is a programming error)."""
        return state in self._table[action][0]

    def check(self, state: str, action: str, message: Message, **error_kwargs: Any) -> str:
        """The state `action` leads to, or the app's error with `message` (a string, or a
        callable building it only when needed) if `state` does not allow it."""
        if not self.can(state, action):
            raise self.error(str(message() if callable(message) else message), **error_kwargs)
        return self.target(action)


class StateMachine:
    """Mixin for a model with a `TRANSITIONS` table: `obj.can(action)` for templates and views."""

    TRANSITIONS: ClassVar[Transitions]

    def can(self, action: str) -> bool:
        return self.TRANSITIONS.can(getattr(self, self.TRANSITIONS.field), action)


def move(obj: models.Model, action: str, message: Message, *, actor: Any = None, **error_kwargs: Any) -> str:
    """Check `action` against the object's table, set the new state and save only the state
    field (and the `auto_now` stamps); return the state it left. Call it on a locked row."""
    table: Transitions = type(obj).TRANSITIONS
    before = getattr(obj, table.field)
    after = table.check(before, action, message, **error_kwargs)
    setattr(obj, table.field, after)
    stamps = [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
    obj.save(update_fields=[table.field, *stamps])
    # The user's id, not their name or address: the log outlives an erasure request.
    who = getattr(actor, "pk", None)
    logger.info("%s %s: %s (%s -> %s) by user %s", obj._meta.label, obj.pk, action, before, after, who)
    return before
