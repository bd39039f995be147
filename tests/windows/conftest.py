"""Fixtures of the Windows tests under Wine. tests/windows/inside/ is run by the Windows CPython under Wine
(test_wine.py starts it), never by the Linux pytest."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.windows.wine import SKIP_VARIABLE, Wine, WineError, ensure

collect_ignore = ["inside"]


@pytest.fixture(scope="session")
def wine() -> Wine:
    """The Wine prefix with the Windows CPython and the built Windows folder (built first when stale).
    Fails when Wine is missing; only COMPANION_SKIP_WINDOWS=1 skips."""
    if os.environ.get(SKIP_VARIABLE):
        pytest.skip(f"{SKIP_VARIABLE} is set")
    if shutil.which("wine") is None:
        pytest.fail("Wine is not installed: bash scripts/setup installs it (or set COMPANION_SKIP_WINDOWS=1)",
                    pytrace=False)
    try:
        return ensure()
    except WineError as exc:
        pytest.fail(str(exc), pytrace=False)
