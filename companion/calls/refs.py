"""Call references from softphones: validated here, light to import (the CLI uses it).

A reference that looks like a card number is refused (companion.pci): a softphone field or a
script must never put a card number into the call history (PCI DSS)."""
from __future__ import annotations

import re

from companion.errors import InvalidInput
from companion.pci import refuse_card_numbers

REF_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}")


def validate_ref(ref: str | None) -> str | None:
    if ref is None or ref == "":
        return None
    if not isinstance(ref, str) or not REF_PATTERN.fullmatch(ref):
        raise InvalidInput("A call reference is 1-64 letters, digits or . _ : / # - (for example 4711).")
    refuse_card_numbers(ref, "The call reference")
    return ref
