"""The DATAtourisme classes: their hierarchy, what an object is (a place or an event), and the
category a place goes to.

`data/classes.json` ships the part of the ontology's class hierarchy the importer needs (each
class with its parent) and the default category of the place classes. An office adjusts that
table with its own rows (`ClassMapping`: class → category), edited in the back office.

How an object's category is found: the platform lists, in `@type`, a class and all its
ancestors. The most specific class the hierarchy knows (the deepest) is taken, then its chain
is walked up — the class, its parent, its grandparent… — to the first one the office's table
or the default table maps. A class the hierarchy does not know (a newer ontology) therefore
falls back to its nearest known parent, and the report says so.
"""

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "classes.json"
EVENT_ROOTS = frozenset({"EntertainmentAndEvent", "schema:Event"})
# Classes that say nothing of a kind (every object has them).
GENERIC = frozenset({"urn:resource", "PointOfInterest", "PlaceOfInterest", "schema:Thing", "schema:Place"})


@functools.cache
def _data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def parents() -> dict[str, str | None]:
    return _data()["parents"]


def default_categories() -> dict[str, str]:
    return _data()["categories"]


def event_categories() -> dict[str, str]:
    return _data()["event_categories"]


def is_known(name: str) -> bool:
    return name in parents()


def chain(name: str) -> list[str]:
    """The class and its ancestors, nearest first."""
    found, table = [], parents()
    while name and name not in found:
        found.append(name)
        name = table.get(name)
    return found


def depth(name: str) -> int:
    return len(chain(name)) if is_known(name) else 0


def place_classes() -> list[str]:
    """The place classes an office may map (under PlaceOfInterest, or schema.org's Place)."""
    return sorted(
        name
        for name in parents()
        if name not in GENERIC and {"PlaceOfInterest", "schema:Place"} & set(chain(name)[1:])
    )


@dataclass
class Resolution:
    """What an object's classes say: an event or a place, the category (slug) of a place or
    the agenda category of an event, the class that decided it, and the classes unknown."""

    is_event: bool = False
    category: str = ""
    via: str = ""
    unknown: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.category)


def _specific_first(classes: list[str]) -> list[str]:
    known = [name for name in classes if is_known(name)]
    # The platform's own classes before schema.org's (finer for tourism), the deepest first.
    return sorted(known, key=lambda name: (name.startswith("schema:"), -depth(name), name))


def resolve(classes: list[str], mapping: dict[str, str] | None = None) -> Resolution:
    """`classes`: the object's @type, shortened; `mapping`: the office's own table (class →
    category slug), tried before the defaults at each step of the walk."""
    mapping = mapping or {}
    unknown = [name for name in classes if not is_known(name) and name not in mapping and name not in GENERIC]
    result = Resolution(unknown=unknown)
    ancestry = {ancestor for name in classes for ancestor in chain(name)}
    result.is_event = bool(EVENT_ROOTS & ancestry)
    table = event_categories() if result.is_event else {**default_categories(), **mapping}
    candidates = [name for name in classes if name in mapping and not result.is_event]
    for name in candidates + _specific_first(classes):
        for ancestor in chain(name):
            if table.get(ancestor):
                result.category, result.via = table[ancestor], ancestor
                return result
    return result
