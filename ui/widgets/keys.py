"""Keyboard conventions shared by the app's windows."""
from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


def close_on_escape(window: QWidget) -> QShortcut:
    """Esc closes the window, as it does a dialog (an open completer or menu takes its Esc first)."""
    shortcut = QShortcut(QKeySequence("Esc"), window)
    shortcut.activated.connect(window.close)
    return shortcut
