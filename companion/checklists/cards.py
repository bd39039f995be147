"""De-escalation cards: short, practical steps one key away from the checklist panel (shipped in resources/,
our own words). Loaded and validated like templates: a damaged file is a clear error, never a crash."""
from __future__ import annotations

import json
from dataclasses import dataclass

from companion.checklists.templates import KEY_PATTERN, MAX_TEXT, check_fields, check_text
from companion.errors import InvalidInput

FORMAT = "agent-companion/deescalation-cards"
VERSION = 1
MAX_CARDS = 12
MAX_STEPS = 6


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    steps: tuple[str, ...]


def parse_cards(data: bytes) -> tuple[Card, ...]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInput("the de-escalation cards file is not valid JSON") from None
    doc = check_fields(doc, {"format", "version", "cards"}, "cards file")
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise InvalidInput(f"cards file: expected format {FORMAT!r} version {VERSION}")
    raw_cards = doc.get("cards")
    if not isinstance(raw_cards, list) or not 1 <= len(raw_cards) <= MAX_CARDS:
        raise InvalidInput(f"cards: a list of 1 to {MAX_CARDS} cards")
    cards, seen = [], set()
    for index, raw in enumerate(raw_cards):
        where = f"cards[{index + 1}]"
        entry = check_fields(raw, {"key", "title", "steps"}, where)
        key = entry.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key) or key in seen:
            raise InvalidInput(f"{where}.key: a unique 1-32 character slug")
        seen.add(key)
        title = check_text(entry.get("title"), f"{where}.title", 60) or ""
        steps = entry.get("steps")
        if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
            raise InvalidInput(f"{where}.steps: a list of 1 to {MAX_STEPS} steps")
        cards.append(Card(key, title, tuple(check_text(s, f"{where}.steps[{i + 1}]", MAX_TEXT) or ""
                                            for i, s in enumerate(steps))))
    return tuple(cards)


def default_cards() -> tuple[Card, ...]:
    from companion import resources

    return parse_cards(resources.path("checklists/deescalation.json").read_bytes())
