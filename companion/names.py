"""Agent names: the team-hub login role names used as sender, recipient and author everywhere."""
from __future__ import annotations

import re

from companion.errors import InvalidInput

MAX_NAME = 63  # PostgreSQL identifiers
_NAME = re.compile(r"[a-z][a-z0-9_.-]{1,62}")
_RESERVED = ("public", "postgres", "none", "current_user", "session_user", "current_role")


def validate_name(name: object, what: str = "A name") -> str:
    """A name is 2-63 characters: lowercase letters, digits, '_', '.', '-', starting with a letter."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        shown = name if isinstance(name, str) and len(name) <= 40 and name.isprintable() else "that"
        raise InvalidInput(f"{what} must be 2 to {MAX_NAME} characters: lowercase letters, digits, '_', '.' "
                           f"or '-', starting with a letter ({shown!r} is not).")
    if name in _RESERVED or name.startswith("pg_"):
        raise InvalidInput(f"{what} cannot be {name!r}: that name is reserved by the database.")
    return name


# Letters NFKD does not take apart into a base letter and a mark
_LATIN = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
                        "ı": "i"})


def suggest_name(typed: object) -> str | None:
    """A valid name made from what was typed, or None when nothing sensible can be made: "Dana Smith" ->
    "dana.smith", "José Núñez" -> "jose.nunez", "dana@example.com" -> "dana", "42 Dana" -> "dana". A name
    that is valid already is returned as it is."""
    import unicodedata

    if not isinstance(typed, str):
        return None
    text = typed.strip()
    if "@" in text:  # an e-mail address: its local part
        text = text.split("@", 1)[0]
    text = unicodedata.normalize("NFKD", text.lower().translate(_LATIN))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().translate(_LATIN)
    text = re.sub(r"\s+", ".", text)                 # words joined by dots
    text = re.sub(r"[^a-z0-9_.-]", "", text)         # anything else goes
    text = re.sub(r"([_.-])[_.-]+", r"\1", text)     # no runs of separators
    text = re.sub(r"^[^a-z]+", "", text)             # starts with a letter
    text = text[:MAX_NAME].rstrip("_.-")
    try:
        return validate_name(text)
    except InvalidInput:
        return None
