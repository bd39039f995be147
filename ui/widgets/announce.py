"""Telling screen readers about a status change that matters ("Noted privately", "Shredded. Gone.").

Qt 6.8+ sends an announcement event (AT-SPI: the object's "announcement" signal; screen readers such as
Orca speak it politely, after what they are saying). Every announcement is also kept on the widget (the
``lastAnnouncement`` property) so tests and the AT-SPI walk can see what was said.
"""
from __future__ import annotations

from PySide6.QtWidgets import QWidget


def announce(widget: QWidget, text: str, assertive: bool = False) -> None:
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

    widget.setProperty("lastAnnouncement", text)
    if not text or not QAccessible.isActive():
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
