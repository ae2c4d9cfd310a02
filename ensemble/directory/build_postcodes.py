"""Build `data/postcodes-fr.tsv.gz`, the French postcodes the address checks read (no download at
run time). Run it again to refresh the list (`make postcodes`), then commit the file.

Sources, both from the npm registry (fetched with `npm pack`, nothing else is needed):

- `@etalab/decoupage-administratif` (data: Licence Ouverte 2.0 / Etalab; code: MIT): the INSEE's
  Code officiel géographique with, for each commune (current, delegated, associated, and the
  arrondissements of Paris, Lyon and Marseille), its postcodes taken from La Poste's « base
  officielle des codes postaux » (published under the Licence Ouverte) and its département;
- `codes-postaux` (MIT, Base Adresse Nationale): each postcode's communes with La Poste's
  « libellé d'acheminement » (the town line La Poste prints, e.g. « AIRE SUR LA LYS »).

The file is one line per postcode, tab-separated: the postcode, its départements (the one with
the most communes first, comma-separated), the commune names (`|`-separated, as written by the
INSEE) and the other spellings that also match (libellés d'acheminement whose normalised form
is not already a commune's).

Usage: python -m ensemble.directory.build_postcodes [DECOUPAGE_TGZ CODES_POSTAUX_TGZ]
(without arguments, the two packages are fetched with `npm pack` into a temporary folder).
"""

import collections
import gzip
import json
import subprocess  # noqa: S404 - runs `npm pack`, a developer's tool, with fixed arguments
import sys
import tarfile
import tempfile
from pathlib import Path

from ensemble.directory.postcodes import DATA_FILE, normalise_town

PACKAGES = {
    "decoupage": "@etalab/decoupage-administratif@6.0.0",
    "codes": "codes-postaux@4.1.2",
}
KINDS = {"commune-actuelle", "commune-deleguee", "commune-associee", "arrondissement-municipal"}


def _member(archive: Path, name: str):
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile(f"package/{name}"))


def _department(code_commune: str) -> str:
    return code_commune[:3] if code_commune.startswith("97") else code_commune[:2]


def build(decoupage_tgz: Path, codes_tgz: Path) -> dict[str, tuple[list[str], list[str], list[str]]]:
    names: dict[str, dict[str, None]] = collections.defaultdict(dict)  # ordered sets
    spellings: dict[str, dict[str, None]] = collections.defaultdict(dict)
    departments: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for commune in _member(decoupage_tgz, "data/communes.json"):
        if commune.get("type") not in KINDS:
            continue
        for postcode in commune.get("codesPostaux") or ():
            names[postcode][commune["nom"]] = None
            departments[postcode][commune["departement"]] += 1
    for entry in _member(codes_tgz, "codes-postaux.json"):
        postcode = entry["codePostal"]
        names[postcode][entry["nomCommune"]] = None
        spellings[postcode][entry["libelleAcheminement"]] = None
        departments[postcode][_department(entry["codeCommune"])] += 0  # known, not counted twice
    table = {}
    for postcode in sorted(names):
        towns = sorted(names[postcode])
        known = {normalise_town(town) for town in towns}
        extra = sorted(s for s in spellings[postcode] if normalise_town(s) not in known)
        ranked = [dept for dept, _count in departments[postcode].most_common()]
        table[postcode] = (ranked, towns, extra)
    return table


def write(table, path: Path = DATA_FILE) -> None:
    lines = (
        f"{postcode}\t{','.join(depts)}\t{'|'.join(towns)}\t{'|'.join(extra)}\n"
        for postcode, (depts, towns, extra) in table.items()
    )
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
        out.writelines(lines)


def _fetch(folder: Path) -> tuple[Path, Path]:
    paths = []
    for spec in (PACKAGES["decoupage"], PACKAGES["codes"]):
        command = ["npm", "pack", spec, "--silent"]
        result = subprocess.run(command, cwd=folder, check=True, capture_output=True, text=True)  # noqa: S603
        paths.append(folder / result.stdout.strip().splitlines()[-1])
    return paths[0], paths[1]


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if len(argv) == 2:
            decoupage, codes = Path(argv[0]), Path(argv[1])
        else:
            decoupage, codes = _fetch(Path(tmp))
        table = build(decoupage, codes)
        write(table)
    print(f"{DATA_FILE}: {len(table)} postcodes, {DATA_FILE.stat().st_size // 1024} kB")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1:])
