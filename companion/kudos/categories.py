"""The five H.E.A.R.T. kudos categories, in order (keys are the wire and database values)."""
from __future__ import annotations

from dataclasses import dataclass

from companion.errors import InvalidInput


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    description: str


CATEGORIES = (
    Category("helping", "Helping others", "Stepped in for a colleague or a customer without being asked."),
    Category("exceeding", "Exceeding expectations", "Went beyond what the call or the task needed."),
    Category("achieving", "Achieving goals", "Reached a target, closed a tough case, finished what was started."),
    Category("responding", "Responding with care", "Listened, stayed calm and kind when it was hard."),
    Category("teamwork", "Thriving through teamwork", "Made the team stronger: shared, coached, lifted spirits."),
)
BY_KEY = {c.key: c for c in CATEGORIES}


def category(key: object) -> Category:
    if key is None or key == "":
        raise InvalidInput("Choose what the kudos is for: one of the five categories (keys 1-5 in Send kudos).")
    if not isinstance(key, str) or key not in BY_KEY:
        names = ", ".join(c.key for c in CATEGORIES)
        shown = key if isinstance(key, str) and len(key) <= 20 and key.isprintable() else "that"
        raise InvalidInput(f"Unknown kudos category {shown!r}: choose one of {names}.")
    return BY_KEY[key]
