"""Core events -> Qt signals. Handlers may be called from any thread; the signals are delivered on the
GUI thread (queued when emitted elsewhere), so windows never touch the core from a worker thread."""
from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from companion import events as ev
from companion.events import Event, EventHub


class Bridge(QObject):
    state_changed = Signal()
    notification_shown = Signal(str, str)  # id, via
    team_received = Signal(object)  # list of companion.inbound.Received, on the GUI thread (bursts gathered)
    _deliver_received = Signal()    # from the sync worker's thread: something gathered for team_received
    team_status = Signal(bool, int, str)   # online, waiting, problem ("" or status.TEAM_*; the worker's thread)
    mic_users = Signal(object)             # list of companion.calls.mic.MicUser (call detection's thread)
    detection_status = Signal(bool, str)   # available, detail (call detection's thread)

    def __init__(self, events: EventHub) -> None:
        super().__init__()
        events.subscribe(ev.STATE_CHANGED, lambda e: self.state_changed.emit())
        events.subscribe(ev.NOTIFICATIONS_PAUSED, lambda e: self.state_changed.emit())
        events.subscribe(ev.NOTIFICATIONS_RESUMED, lambda e: self.state_changed.emit())
        events.subscribe(ev.NOTIFICATION_SHOWN, self._shown)
        # A flood arrives as many batches: they gather here, and at most one delivery waits in the GUI
        # thread's queue, which takes all that gathered since (a burst is one call, one notice).
        self._received: list[Any] = []
        self._received_lock = threading.Lock()
        events.subscribe(ev.TEAM_RECEIVED, self._gather)
        self._deliver_received.connect(self._delivered)
        events.subscribe(ev.TEAM_STATUS, lambda e: self.team_status.emit(e.data["online"], e.data["waiting"],
                                                                         e.data.get("problem", "")))
        events.subscribe(ev.MIC_USERS, lambda e: self.mic_users.emit(list(e.data["users"])))
        events.subscribe(ev.DETECTION_STATUS, lambda e: self.detection_status.emit(e.data["available"],
                                                                                   e.data.get("detail", "")))

    def _shown(self, event: Event) -> None:
        self.notification_shown.emit(event.data["id"], event.data["via"])

    def _gather(self, event: Event) -> None:
        items = list(event.data.get("items", ()))
        if not items:
            return
        with self._received_lock:
            first = not self._received
            self._received.extend(items)
        if first:
            self._deliver_received.emit()

    def _delivered(self) -> None:
        with self._received_lock:
            items, self._received = self._received, []
        if items:
            self.team_received.emit(items)
