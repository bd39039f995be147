"""Automatic call detection in the running app: the OS backend, the core CallDetector, one timer, the card.

The backend (companion.calls.mic_*) reports on its own thread by publishing ``mic.users`` and
``detection.status`` on the desk's event hub; the bridge (ui/bridge.py) delivers them here on the GUI thread
(the only path). Each report goes to ``CallDetector.observe``; what it decides is carried out exactly as the
local-socket commands would (``Controller.start_call``/``end_call``: the checklist panel opens, notifications
are held), and one single-shot timer is armed for ``CallDetector.next_due`` (no polling).
"""
from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, QTimer

from companion import events as ev
from companion.calls.apps import MicApps
from companion.calls.detector import ASK, END, START, STARTING, CallDetector, Decision
from companion.calls.mic import Backend, MicUser
from companion.errors import CompanionError
from ui.ready import write_ready

if TYPE_CHECKING:
    from ui.controller import Controller

log = logging.getLogger(__name__)

ASK_KIND = "softphone_question"
ASK_ACTIONS = (("yes", "Yes"), ("no", "No"))


def _default_backend() -> Backend:
    from companion.calls.backends import for_platform

    return for_platform()


class CallDetection(QObject):
    def __init__(self, controller: Controller, backend_factory: Callable[[], Backend] = _default_backend) -> None:
        super().__init__()
        desk = controller._require_desk()
        self.controller = controller
        self.desk = desk
        self.apps = MicApps(desk.store)
        self.detector = CallDetector(desk.clock, desk.settings, self.apps, lambda: desk.calls.on_call,
                                     busy=lambda: desk.resets.current is not None
                                     or desk.notifications.paused_until is not None)  # no question then
        self._backend_factory = backend_factory
        self.backend: Backend | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._due)
        bridge = controller.bridge
        bridge.mic_users.connect(self._users)
        bridge.detection_status.connect(self._status)
        bridge.state_changed.connect(self._schedule)  # e.g. an explicit call end: a question may be due now

    # -- backend --------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start watching if detection is on (after the tray is showing: the libpulse binding is imported here)."""
        if self.backend is not None or not self.desk.settings().call_detection:
            self._report()
            return
        events = self.desk.events
        self.backend = self._backend_factory()
        self.backend.start(lambda users: events.publish(ev.MIC_USERS, users=users),
                           lambda available, detail: events.publish(ev.DETECTION_STATUS, available=available,
                                                                    detail=detail))

    def stop(self) -> None:
        self._timer.stop()
        if self.backend is not None:
            backend, self.backend = self.backend, None
            backend.stop()

    def apply_settings(self) -> None:
        """After Settings were saved: start or stop watching, and decide again with the new choices."""
        if self.desk.settings().call_detection:
            if self.backend is None:
                self.detector.status = STARTING
            self.start()
            self._run(self.detector.observe(self.detector.users))
        else:
            self.stop()
            self.detector.set_status(False)
            self.detector.users = []
        self._report()
        self.controller.refresh()

    # -- reports from the bridge (GUI thread) --------------------------------------------------------
    def _users(self, users: list[MicUser]) -> None:
        if self.backend is None:
            return  # a report still queued from a backend that was stopped
        self._run(self.detector.observe(users))

    def _status(self, available: bool, detail: str) -> None:
        if self.backend is None:
            return
        before = self.detector.status
        self.detector.set_status(available, detail)
        self._schedule()
        if self.detector.status != before:
            self._report()
            self.controller.refresh()  # the tray's tooltip and state line say "call detection unavailable"

    def _due(self) -> None:
        self._run(self.detector.due())

    def _run(self, decisions: list[Decision]) -> None:
        for decision in decisions:
            try:
                self._carry_out(decision)
            except CompanionError as exc:  # e.g. the database is busy: try again after the debounce
                log.warning("call detection: %s could not be carried out: %s", decision.action, exc)
                self.detector.retry_later(decision)
        self._schedule()

    def _carry_out(self, decision: Decision) -> None:
        app = decision.app
        name = app.name if app else ""
        if decision.action == START:
            log.info("call detected: %s holds the microphone", name)
            self.controller.start_call(None, detected=True)
            panel = self.controller.windows.get("checklist_panel")
            write_ready("call-detected " + json.dumps({
                "app": name, "panel": bool(panel is not None and panel.isVisible()),
                "held": self.desk.notifications.on_call, "mono": time.monotonic()}))
        elif decision.action == END:
            log.info("detected call ended: %s released the microphone", name)
            self.controller.end_call(False, detected=True)
            write_ready("call-detected-end " + json.dumps({"app": name, "mono": time.monotonic()}))
        elif decision.action == ASK and app is not None:
            self.ask(app)

    def _schedule(self) -> None:
        due = self.detector.next_due()
        if due is None or self.backend is None:
            self._timer.stop()
            return
        ms = max(0, int((due - self.desk.clock.monotonic()) * 1000) + 20)
        self._timer.start(ms)

    def _report(self) -> None:
        write_ready("detection " + json.dumps({"status": self.detector.status, "detail": self.detector.detail}))

    # -- explicit commands -------------------------------------------------------------------------
    def explicit_start(self) -> None:
        self.detector.explicit_start()
        self._schedule()

    def explicit_end(self) -> None:
        self.detector.explicit_end()
        self._schedule()

    # -- "Is <app> your softphone?" ---------------------------------------------------------------------
    def ask(self, app: MicUser) -> Any:
        """A quiet card (the app's own toast: it never takes the focus), asked once per app, never on a call."""
        write_ready("ask " + json.dumps({"app": app.name}))

        def answer(key: str) -> None:
            self.apps.decide(app.key, key == "yes")
            self._run(self.detector.observe(self.detector.users))

        return self.controller.toasts.ask(
            f"Is {app.name} your softphone?",
            f"{app.name} has been using the microphone. If you take calls with it, Agent Companion notices your "
            "calls by itself (it never listens: it only sees which app uses the microphone). You can change "
            "this in Settings.", ASK_ACTIONS, answer, kind=ASK_KIND)

    def status_text(self) -> str:
        return self.detector.describe()
