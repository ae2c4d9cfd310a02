"""Do a place's coordinates agree with its postcode? A sanity check for imported objects: the
point must fall in (or near) the bounding box of the postcode's department
(`data/departments.json`). The department comes from the official postcode list
(`directory.postcodes.department_of`), else from the postcode's first digits."""

import functools
import json
from decimal import Decimal
from pathlib import Path

from ensemble.directory.postcodes import department_of

DATA = Path(__file__).resolve().parent / "data" / "departments.json"
MARGIN = 0.15  # degrees (about 15 km): a point near a border, a rounded box, stays accepted


@functools.cache
def _boxes() -> dict[str, dict]:
    return json.loads(DATA.read_text(encoding="utf-8"))["departments"]


def _departments(postcode: str) -> list[str]:
    official = department_of(postcode)
    if official:
        return [official]
    if len(postcode) != 5 or not postcode.isdigit():
        return []
    if postcode.startswith("97"):
        return [postcode[:3]]
    if postcode.startswith("20"):
        return ["2A", "2B"]
    return [postcode[:2]]


def department_containing(latitude: Decimal, longitude: Decimal) -> str | None:
    """The department whose box (without margin) holds the point, for the report: of boxes
    that overlap, the one whose centre is nearest."""
    lat, lon = float(latitude), float(longitude)
    holding = [
        (((box["south"] + box["north"]) / 2 - lat) ** 2 + ((box["west"] + box["east"]) / 2 - lon) ** 2, code)
        for code, box in _boxes().items()
        if box["south"] <= lat <= box["north"] and box["west"] <= lon <= box["east"]
    ]
    return min(holding)[1] if holding else None


def contradiction(postcode: str, latitude: Decimal | None, longitude: Decimal | None) -> str:
    """A French sentence when the point is far from the postcode's department, else ""."""
    if latitude is None or longitude is None:
        return ""
    codes = [code for code in _departments(postcode) if code in _boxes()]
    if not codes:
        return ""
    lat, lon = float(latitude), float(longitude)
    for code in codes:
        box = _boxes()[code]
        if (
            box["south"] - MARGIN <= lat <= box["north"] + MARGIN
            and box["west"] - MARGIN <= lon <= box["east"] + MARGIN
        ):
            return ""
    expected = _boxes()[codes[0]]["name"]
    found = department_containing(latitude, longitude)
    where = "hors des départements français"
    if found:
        where = f"dans le département {_boxes()[found]['name']} ({found})"
    return (
        f"coordonnées contradictoires : le code postal {postcode} est du département {expected} "
        f"({codes[0]}), le point ({latitude}, {longitude}) est {where}"
    )
