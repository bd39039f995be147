"""Card numbers must never be stored or shared (PCI DSS): ONE rule for text that looks like one.

A card number is 13 to 19 digits that pass the Luhn check, written together or in groups separated by any
run of separators: every Unicode space (no-break, thin, ideographic ...), tabs and line breaks, invisible
format characters (zero-width space, soft hyphen ...), dots, slashes, dashes of every kind, underscores and
colons ("4111 1111 1111 1111", "4111\u00a01111  1111.1111", "4111/1111\\n1111-1111"). Digits of other scripts
(full-width, Arabic-Indic ...) count as digits. Any run of whole groups that adds up to 13-19 digits is
checked, so a card number typed after another number is still found; a plain run of digits is checked as a
whole (an order number of 25 digits is not a card).

The team hub applies the same rule (``companion.has_card_number`` in hub schema version 3, built from
``SEPARATORS`` and ``DIGITS`` below when that version was written, then frozen) as a CHECK on every text
column and call reference; tests/card_number_vectors.json holds the cases both sides are tested against.
Callers: companion.team.text.plain_text (kudos, obstacles, replies, display names), companion.calls.refs
(call references, also those of kudos).
"""
from __future__ import annotations

import re

from companion.errors import InvalidInput

MIN_DIGITS, MAX_DIGITS = 13, 19

#: every character that may stand between two digit groups (a run of them is one separator): every Unicode
#: space and line break (str.isspace), invisible ones (soft hyphen, zero-widths, BOM), dots, slashes, dashes
#: of every kind, underscores and colons (call references allow them). Written out, so the hub's copy can match.
SEPARATORS = ("\u0009\u000a\u000b\u000c\u000d\u001c\u001d\u001e\u001f\u0020\u002d\u002e\u002f\u003a"
              "\u005c\u005f\u0085\u00a0\u00ad\u00b7\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005"
              "\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u2010\u2011\u2012\u2013\u2014\u2015"
              "\u2024\u2027\u2028\u2029\u202f\u2044\u205f\u2060\u2212\u2215\u29f8\u3000\u3002\ufe58"
              "\ufe63\ufeff\uff0d\uff0e\uff0f\uff1a\uff3c\uff3f\uff61")
#: the ZERO of every script's decimal digits (Unicode 15: each is followed by 1-9): they count as digits
DIGIT_ZEROS = (
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0,
    0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620,
    0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0,
    0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60,
    0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0)
DIGITS = "".join(chr(zero + i) for zero in DIGIT_ZEROS for i in range(10))

_TO_ASCII = str.maketrans({chr(zero + i): str(i) for zero in DIGIT_ZEROS if zero != 0x30 for i in range(10)})
_SEPARATOR_RUN = re.compile("[" + re.escape(SEPARATORS) + "]+")
_RUN = re.compile(r"[0-9]+(?: [0-9]+)*")


def normalise(text: str) -> str:
    """Digits as ASCII, and every run of separators as one space (what the card check reads)."""
    return _SEPARATOR_RUN.sub(" ", text.translate(_TO_ASCII))


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
    for run in _RUN.finditer(normalise(text)):
        groups = run.group().split(" ")
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
