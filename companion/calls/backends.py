"""The microphone backend for this operating system (``for_platform``), chosen at start-up.

Apart from ``companion.calls.mic`` (what every backend shares, which the backends import), so that nothing
imports itself back (tests/test_import_cycles.py).
"""
from __future__ import annotations

import sys

from companion.calls.mic import Backend, NoBackend


def for_platform(platform: str | None = None) -> Backend:
    """The backend for this OS, chosen at start-up."""
    platform = platform or sys.platform
    if platform.startswith("linux"):
        from companion.calls.mic_linux import PulseBackend

        return PulseBackend()
    if platform == "win32":
        from companion.calls.mic_windows import ConsentStoreBackend

        return ConsentStoreBackend()
    if platform == "darwin":
        from companion.calls.mic_macos import CoreAudioBackend

        return CoreAudioBackend()
    return NoBackend(f"call detection is not available on {platform}")
