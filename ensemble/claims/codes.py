"""Gift codes: short, random, unguessable, easy to read aloud and to type."""

import re
import secrets

# No 0/O, 1/I/L: nothing to confuse on a printed card or over the phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10  # 31^10 ≈ 8·10^14 possible codes: enumerating them is out of reach without a throttle.
_SEPARATORS = re.compile(r"[\s\-–.]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """What a visitor typed, as stored: upper case, without spaces or dashes."""
    return _SEPARATORS.sub("", typed or "").upper()


def looks_valid(code: str) -> bool:
    return len(code) == LENGTH and all(char in ALPHABET for char in code)


def display(code: str) -> str:
    """Grouped for reading: ABCDE-FGHJK."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"
