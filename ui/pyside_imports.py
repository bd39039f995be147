"""Keep PySide6's import hook from holding the source of every module in memory.

Once PySide6 is imported it replaces ``__import__`` (for its opt-in ``from __feature__ import snake_case``)
and, after every later import, asks whether the new module uses PySide6 by running ``inspect.getsource``
on it (shibokensupport/feature.py, ``_mod_uses_pyside``, PYSIDE-2029). That fills ``linecache`` with the
full source text of every module imported after Qt (when the app still loaded SQLAlchemy at run time, its
~8 million characters cost ~14 MB of the idle memory, bench/README.md), never needed: we use no PySide features.

:func:`stop_source_caching` swaps that check for one that gives the same answer (does the module's source
file mention "PySide6"?) by reading the file once, without keeping it. Frozen builds have no sources, so
there the check already answered "no" without reading anything. If a PySide6 version moves these
internals, nothing is changed (and tests/ui/test_pyside_imports.py says so).
"""
from __future__ import annotations

import sys
from types import ModuleType


def _uses_pyside(module: ModuleType) -> bool:
    """PySide's own test, ``"PySide6" in inspect.getsource(module)``, without filling linecache."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False  # built-in, extension or source-less module: getsource raises, PySide answers False
    try:
        with open(path, "rb") as fh:
            return b"PySide6" in fh.read()
    except OSError:
        return False


def stop_source_caching() -> bool:
    """Install the lighter check. Returns whether it was installed (False: PySide6 internals differ)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if original is not _uses_pyside:
        feature._mod_uses_pyside = _uses_pyside  # type: ignore[attr-defined]
    return True
