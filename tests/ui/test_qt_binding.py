"""Guards against defects of the Qt binding itself that would kill a tray app that runs all shift."""
import gc
import sys

import pytest

from PySide6.QtWidgets import QLabel


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: nothing to lose")
def test_void_calls_keep_none_alive(qtbot):
    """PySide6-Essentials 6.12.0 dropped a reference to None on every void method call. On Python 3.11
    (None is not immortal before 3.12) the reset window's 25 fps label updates brought None's count to
    zero within minutes: "Fatal Python error: none_dealloc". pyproject pins the binding below 6.12."""
    label = QLabel()
    qtbot.addWidget(label)
    gc.collect()
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setText("x")
        label.setWordWrap(bool(i % 2))
    gc.collect()
    assert sys.getrefcount(None) - before > -50  # a leak of one per call would be -4000
