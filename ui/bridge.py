"""Core events -> Qt signals. Handlers may be called from any thread; the signals are delivered on the
GUI thread (queued when emitted elsewhere), so windows never touch the core from a worker thread."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from companion import events as ev
from companion.events import Event, EventHub


class Bridge(QObject):
    state_changed = Signal()
    notification_shown = Signal(str, str)  # id, via
    team_received = Signal(object)  # list of companion.team.inbound.Received, from the sync worker's thread
    team_status = Signal(bool, int, str)   # online, waiting, problem ("" or status.TEAM_*; the worker's thread)
    mic_users = Signal(object)             # list of companion.calls.mic.MicUser (call detection's thread)
    detection_status = Signal(bool, str)   # available, detail (call detection's thread)

    def __init__(self, events: EventHub) -> None:
        super().__init__()
        events.subscribe(ev.STATE_CHANGED, lambda e: self.state_changed.emit())
        events.subscribe(ev.NOTIFICATIONS_PAUSED, lambda e: self.state_changed.emit())
        events.subscribe(ev.NOTIFICATIONS_RESUMED, lambda e: self.state_changed.emit())
        events.subscribe(ev.NOTIFICATION_SHOWN, self._shown)
        events.subscribe(ev.TEAM_RECEIVED, lambda e: self.team_received.emit(list(e.data.get("items", ()))))
        events.subscribe(ev.TEAM_STATUS, lambda e: self.team_status.emit(e.data["online"], e.data["waiting"],
                                                                         e.data.get("problem", "")))
        events.subscribe(ev.MIC_USERS, lambda e: self.mic_users.emit(list(e.data["users"])))
        events.subscribe(ev.DETECTION_STATUS, lambda e: self.detection_status.emit(e.data["available"],
                                                                                   e.data.get("detail", "")))

    def _shown(self, event: Event) -> None:
        self.notification_shown.emit(event.data["id"], event.data["via"])
