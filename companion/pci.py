"""Card numbers must never be stored or shared (PCI DSS): a check for text that looks like one.

A card number is 13 to 19 digits that pass the Luhn check, written together or in groups separated by
single spaces or dashes ("4111 1111 1111 1111", "4111-1111-1111-1111"). Any run of whole groups that adds
up to 13-19 digits is checked, so a card number typed after another number is still found; a plain run of
digits is checked as a whole (an order number of 25 digits is not a card).
"""
from __future__ import annotations

import re

from companion.errors import InvalidInput

MIN_DIGITS, MAX_DIGITS = 13, 19
_RUN = re.compile(r"\d+(?:[ \-]\d+)*")
_SEPARATOR = re.compile(r"[ \-]")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def contains_card_number(text: str) -> bool:
    for run in _RUN.finditer(text):
        groups = _SEPARATOR.split(run.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) > MAX_DIGITS:
                    break
                if len(digits) >= MIN_DIGITS and luhn_valid(digits):
                    return True
    return False


def refuse_card_numbers(text: str, what: str) -> None:
    """Raise a clear InvalidInput when ``text`` holds something that looks like a card number."""
    if contains_card_number(text):
        raise InvalidInput(f"{what} looks like it contains a card number. Card numbers must never be "
                           "stored or shared: remove it (or write only the last four digits) and try again.")
