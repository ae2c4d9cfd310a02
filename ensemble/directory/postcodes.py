"""Postcodes checked for their country; a French one must exist and serve the town written.

The French list is La Poste's « base officielle des codes postaux » as the INSEE communes carry
it, with La Poste's « libellés d'acheminement » (`data/postcodes-fr.tsv.gz`, built by
`build_postcodes.py`; read once, at the first check). Other countries of `COUNTRIES` have their
postcode's shape checked; any other country is not checked.

The API, for forms, services and importers:

- `check_postcode(country, postcode, town)`: None when the pair is acceptable, else a
  `PostcodeError` (the field it concerns, "postcode" or "city", and a French message);
- `clean_address(country, postcode, town)`: the postcode as it should be written ("62 500" ->
  "62500", "sw1a1aa" -> "SW1A 1AA"), or a `ValidationError` keyed by the field;
- `towns_for(postcode)`: the communes a French postcode serves; `department_of(postcode)`.
"""

import dataclasses
import functools
import gzip
import re
import unicodedata
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DATA_FILE = Path(__file__).resolve().parent / "data" / "postcodes-fr.tsv.gz"
MAX_LISTED_TOWNS = 15

# The countries an address may be in (ISO 3166-1 alpha-2): France and its neighbours, where the
# club's partners are; the postcode of each is checked (its shape, the list for France).
COUNTRIES = [
    ("FR", gettext_lazy("France")),
    ("BE", gettext_lazy("Belgique")),
    ("LU", gettext_lazy("Luxembourg")),
    ("NL", gettext_lazy("Pays-Bas")),
    ("DE", gettext_lazy("Allemagne")),
    ("GB", gettext_lazy("Royaume-Uni")),
    ("CH", gettext_lazy("Suisse")),
    ("ES", gettext_lazy("Espagne")),
    ("IT", gettext_lazy("Italie")),
    ("MC", gettext_lazy("Monaco")),
]

_GB = r"(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})"
# (the shape, a written example) for each country checked by its shape.
FORMATS = {
    "BE": (r"[1-9][0-9]{3}", "7500"),
    "LU": (r"[0-9]{4}", "1111"),
    "NL": (r"[1-9][0-9]{3} ?[A-Z]{2}", "1012 AB"),
    "DE": (r"[0-9]{5}", "10115"),
    "GB": (_GB, "SW1A 1AA"),
    "CH": (r"[1-9][0-9]{3}", "1200"),
    "ES": (r"(0[1-9]|[1-4][0-9]|5[0-2])[0-9]{3}", "28001"),
    "IT": (r"[0-9]{5}", "00118"),
    "MC": (r"980[0-9]{2}", "98000"),
}
# A postcode written with its country's letter in front (« B-7500 », « L-1111 », « D-10115 »).
PREFIXES = {
    "BE": ("BE", "B"),
    "LU": ("LU", "L"),
    "NL": ("NL",),
    "DE": ("DE", "D"),
    "CH": ("CH",),
    "IT": ("I",),
}
SAINTS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


@dataclasses.dataclass(frozen=True)
class PostcodeError:
    field: str  # "postcode" or "city"
    message: str

    def __str__(self) -> str:
        return self.message


# ---- the French list -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Entry:
    departments: tuple[str, ...]
    towns: tuple[str, ...]  # the communes' names, to show
    keys: frozenset[str]  # every normalised spelling that matches


@functools.cache
def _table() -> tuple[dict[str, _Entry], dict[str, frozenset[str]]]:
    """The postcodes, and for each two-digit prefix the towns its postcodes serve (CEDEX)."""
    entries: dict[str, _Entry] = {}
    by_prefix: dict[str, set[str]] = {}
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            postcode, depts, towns, extra = line.rstrip("\n").split("\t")
            names = tuple(towns.split("|"))
            keys = frozenset(normalise_town(n) for n in (*names, *extra.split("|")) if n)
            entries[postcode] = _Entry(tuple(depts.split(",")), names, keys)
            by_prefix.setdefault(postcode[:2], set()).update(keys)
    return entries, {prefix: frozenset(keys) for prefix, keys in by_prefix.items()}


def normalise_town(value: str) -> str:
    """A town's name to compare: no case, accents, hyphens or apostrophes; « St » is « Saint »;
    a trailing « CEDEX » (and its number) dropped. « St-Omer Cedex 2 » -> « saint omer »."""
    text = value.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [SAINTS.get(word, word) for word in re.split(r"[^a-z0-9]+", text) if word]
    if "cedex" in words:
        words = words[: words.index("cedex")]
    return " ".join(words)


def towns_for(postcode: str) -> list[str]:
    """The communes a French postcode serves (empty for a postcode that does not exist)."""
    entry = _table()[0].get(_compact(postcode))
    return list(entry.towns) if entry else []


def department_of(postcode: str) -> str | None:
    """The département of a French postcode's communes ("62", "2A", "971"); for the few codes
    that serve two départements, the one of most of its communes. None if it does not exist."""
    entry = _table()[0].get(_compact(postcode))
    return entry.departments[0] if entry else None


def _compact(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode or "")


def _town_list(towns: tuple[str, ...]) -> str:
    shown = ", ".join(towns[:MAX_LISTED_TOWNS])
    if len(towns) > MAX_LISTED_TOWNS:
        return _("%(towns)s et %(count)s autres") % {"towns": shown, "count": len(towns) - MAX_LISTED_TOWNS}
    return shown


def _check_french(postcode: str, town: str) -> PostcodeError | None:
    if not re.fullmatch(r"[0-9]{5}", postcode):
        return PostcodeError("postcode", _("Un code postal français compte 5 chiffres, par exemple 62500."))
    entries, by_prefix = _table()
    key = normalise_town(town)
    entry = entries.get(postcode)
    if entry is None:
        # A CEDEX code (a firm's or an administration's own) is not in La Poste's public list:
        # accepted when the town, marked CEDEX, is one of its département's.
        cedex = "cedex" in town.lower()
        if key in by_prefix.get(postcode[:2], ()):
            if cedex:
                return None
            return PostcodeError(
                "postcode",
                _(
                    "Le code postal %(postcode)s n'existe pas en France. S'il s'agit d'un code CEDEX, "
                    "écrivez « CEDEX » après la ville."
                )
                % {"postcode": postcode},
            )
        return PostcodeError(
            "postcode", _("Le code postal %(postcode)s n'existe pas en France.") % {"postcode": postcode}
        )
    if not key:
        return PostcodeError("city", _("Indiquez la ville."))
    if key not in entry.keys:
        return PostcodeError(
            "city",
            _("« %(town)s » ne correspond pas au code postal %(postcode)s, qui dessert : %(towns)s.")
            % {"town": town.strip(), "postcode": postcode, "towns": _town_list(entry.towns)},
        )
    return None


# ---- any country ---------------------------------------------------------------------------


def normalise_postcode(country: str, postcode: str) -> str:
    """The postcode as it is written in its country (no country letter, the usual spaces)."""
    country = (country or "FR").upper()
    text = " ".join((postcode or "").split())
    if country != "FR" and country not in FORMATS:
        return text  # not checked: kept as written
    text = text.upper()
    for prefix in PREFIXES.get(country, ()):
        if re.match(rf"{prefix}\s*-\s*[0-9]", text):
            text = text.split("-", 1)[1].strip()
            break
    if country in ("FR", "BE", "LU", "DE", "CH", "ES", "IT", "MC"):
        return text.replace(" ", "")
    if country == "NL" and re.fullmatch(r"[0-9]{4} ?[A-Z]{2}", text):
        return f"{text[:4]} {text[-2:]}"
    if country == "GB":
        compact = text.replace(" ", "")
        return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact
    return text


def check_postcode(country: str, postcode: str, town: str) -> PostcodeError | None:
    """None when `postcode` may be `town`'s in `country` (ISO code, FR when empty), else the
    problem. France: the postcode must exist and serve the town; the countries of `FORMATS`:
    the postcode's shape; any other country: not checked."""
    country = (country or "FR").upper()
    code = normalise_postcode(country, postcode)
    if not code:
        return PostcodeError("postcode", _("Indiquez le code postal."))
    if country == "FR":
        return _check_french(code, town or "")
    if country in FORMATS:
        pattern, example = FORMATS[country]
        if not re.fullmatch(pattern, code):
            return PostcodeError(
                "postcode",
                _("Ce code postal n'a pas la forme de ceux de ce pays (par exemple %(example)s).")
                % {"example": example},
            )
    return None


def clean_address(country: str, postcode: str, town: str) -> str:
    """The postcode normalised, or a ValidationError on the field concerned."""
    problem = check_postcode(country, postcode, town)
    if problem is not None:
        raise ValidationError({problem.field: ValidationError(problem.message, code="invalid_postcode")})
    return normalise_postcode(country, postcode)
