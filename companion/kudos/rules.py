"""The kudos text rules, light to import (the command line checks a kudos before it reaches the app)."""
from __future__ import annotations

from companion.calls.refs import validate_ref
from companion.pci import refuse_card_numbers
from companion.team.text import plain_text

MAX_MESSAGE = 280


def validate_message(message: object) -> str:
    """Plain text, 1-280 characters after trimming, no card numbers (line breaks are fine)."""
    return plain_text(message, "The kudos message", MAX_MESSAGE, multiline=True)


def validate_call_ref(ref: str | None) -> str | None:
    ref = validate_ref(ref)
    if ref is not None:
        refuse_card_numbers(ref, "The call reference")
    return ref
