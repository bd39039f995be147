"""Vent & shred: somewhere to type what you need to get out. The text is never stored.

The pad keeps the text in a mutable buffer that ``shred`` overwrites and drops. Nothing here touches the
database, a file or a logger; tests/core/test_vent.py and tests/ui/test_reset_window.py check that a
vented sentence appears nowhere on disk.
"""
from __future__ import annotations


class VentPad:
    def __init__(self) -> None:
        self._buffer = bytearray()

    def write(self, text: str) -> None:
        self._wipe()
        self._buffer.extend(text.encode("utf-8", "surrogatepass"))

    @property
    def text(self) -> str:
        return self._buffer.decode("utf-8", "surrogatepass")

    @property
    def line_count(self) -> int:
        return self.text.count("\n") + 1 if self._buffer else 0

    def shred(self) -> int:
        """Forget the text; returns how many lines were shredded (for the animation)."""
        lines = self.line_count
        self._wipe()
        return lines

    def _wipe(self) -> None:
        for i in range(len(self._buffer)):
            self._buffer[i] = 0
        self._buffer.clear()

    def __repr__(self) -> str:  # never leak the text into a log or traceback
        return f"<VentPad {len(self._buffer)} bytes>"
