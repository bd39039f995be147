"""PySide6's import hook must not keep the source of every later import in memory (ui/pyside_imports.py)."""
import importlib
import linecache
import sys

from ui import pyside_imports


def test_the_hook_is_replaced_for_this_pyside_version():
    import PySide6.QtCore  # noqa: F401  (installs shibokensupport.feature)

    # If this fails after a PySide6 upgrade, its internals moved: check bench/README.md's memory figures.
    assert pyside_imports.stop_source_caching() is True
    assert sys.modules["shibokensupport.feature"]._mod_uses_pyside is pyside_imports._uses_pyside


def test_later_imports_are_judged_the_same_but_not_cached(tmp_path, monkeypatch):
    pyside_imports.stop_source_caching()
    (tmp_path / "plain_mod_7c1.py").write_text("VALUE = 1\n" + "# padding\n" * 1000)
    (tmp_path / "qt_mod_7c1.py").write_text("import PySide6.QtCore\nVALUE = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    namespace: dict = {}
    exec("import plain_mod_7c1, qt_mod_7c1", namespace)  # an import statement: it goes through PySide's hook
    plain, qt = namespace["plain_mod_7c1"], namespace["qt_mod_7c1"]
    try:
        assert str(tmp_path / "plain_mod_7c1.py") not in linecache.cache
        assert str(tmp_path / "qt_mod_7c1.py") not in linecache.cache
        # The same verdicts PySide's own inspect.getsource check gives: 0 = uses PySide, -1 = ignore.
        feature_dict = sys.modules["shibokensupport.feature"].pyside_feature_dict
        assert feature_dict["plain_mod_7c1"] == -1 and feature_dict["qt_mod_7c1"] == 0
        assert pyside_imports._uses_pyside(qt) and not pyside_imports._uses_pyside(plain)
        assert not pyside_imports._uses_pyside(sys) and not pyside_imports._uses_pyside(importlib)
    finally:
        sys.modules.pop("plain_mod_7c1", None)
        sys.modules.pop("qt_mod_7c1", None)
