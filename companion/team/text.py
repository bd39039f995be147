"""Text people write for their team (kudos, obstacles, replies, display names): plain, bounded, safe.

Text is stored and shown as plain text, never markup, so ``<b>x</b>`` is kept as typed. Refused with a
clear message, before anything is stored: empty text, text over the limit, control characters (other than
line breaks and tabs where allowed), Unicode direction overrides (they can make text read backwards),
and anything that looks like a card number.
"""
from __future__ import annotations

import unicodedata

from companion.errors import InvalidInput
from companion.pci import refuse_card_numbers

# Explicit embeddings, overrides and isolates: they reorder what follows them on screen.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def plain_text(value: object, what: str, max_len: int, *, multiline: bool = False) -> str:
    """Return the text, trimmed; raise InvalidInput naming ``what`` and the reason otherwise."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text.")
    text = value.strip()
    if not text:
        raise InvalidInput(f"{what} is empty.")
    if len(text) > max_len:
        raise InvalidInput(f"{what} is {len(text)} characters long; at most {max_len} fit.")
    allowed = "\n\t" if multiline else ""
    for char in text:
        if char in BIDI_CONTROLS:
            raise InvalidInput(f"{what} contains a text-direction override character (U+{ord(char):04X}); "
                               "remove it and try again.")
        if char not in allowed and unicodedata.category(char) in ("Cc", "Cs"):
            kind = "line breaks" if char in "\r\n" else "control characters"
            raise InvalidInput(f"{what} cannot contain {kind} (U+{ord(char):04X}).")
    refuse_card_numbers(text, what)
    return text
