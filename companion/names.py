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
