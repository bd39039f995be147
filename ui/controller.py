"""The controller: turns tray clicks, local-socket commands, toast buttons and timers into Desk calls,
and opens the windows. It holds no domain rules itself (those live in companion.desk)."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from companion.errors import CompanionError, InvalidInput
from companion.notify.kinds import BREATH_INVITE, RESET_OFFER
from ui.tray import Tray, TrayMenu, describe
from ui.widgets.toast import ToastManager

if TYPE_CHECKING:  # the desk (and the database) is loaded after the tray is showing
    from companion import ipc
    from companion.calls.tracker import CallStart
    from companion.desk import Desk
    from ui.windows.reset import ResetWindow

log = logging.getLogger(__name__)

MAX_WAKEUP_MS = 6 * 3600 * 1000
PANEL_POSITION = "checklist_panel.position"  # app state: where the agent dropped the in-call panel
MIN_WAKEUP_MS = 1000


class Controller(QObject):
    quit_requested = Signal()
    hook_problem = Signal(str)  # a presence hook failed (emitted on the hooks' worker thread; queued here)

    def __init__(self, *, use_tray: bool | None = None, chime: Callable[[], None] | None = None,
                 autostart: Any = None, launch_command: Callable[[], list[str]] | None = None,
                 tone: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.desk: Desk | None = None
        self.chime = chime
        self.tone = tone  # the reset window's pacing tone (Settings: audio pacing)
        self.autostart = autostart
        self.launch_command = launch_command or (lambda: ["companion"])
        self.toasts = ToastManager(on_action=self.on_toast_action)
        self.menu = TrayMenu(self.status)
        self.tray = Tray(self.menu, self.status, use_tray=use_tray)
        self.windows: dict[str, QWidget] = {}
        self.detection: Any = None  # ui.detection.CallDetection once started (automatic call detection, issue 13)
        self.notices: list[QMessageBox] = []
        self.operations: Any = None  # IT's operations config (companion.presence), set by the app at start-up
        self.hook_problem.connect(self._hook_failed)
        self._wakeup = QTimer(self)
        self._wakeup.setSingleShot(True)
        self._wakeup.timeout.connect(self._wake)
        self.menu.reset_requested.connect(lambda m, p: self._guarded(self.open_reset, m, p, "tray"))
        self.menu.pause_requested.connect(lambda v: self._guarded(self.pause, v))
        self.menu.resume_requested.connect(lambda: self._guarded(self.resume))
        self.menu.call_start_requested.connect(lambda: self._guarded(self.start_call, None))
        self.menu.call_end_requested.connect(lambda tough: self._guarded(self.end_call, tough))
        self.menu.my_day_requested.connect(self.open_my_day)
        self.menu.kudos_requested.connect(lambda: self._guarded(self.open_kudos))
        self.menu.feed_requested.connect(lambda: self._guarded(self.open_feed))
        self.menu.voice_requested.connect(lambda: self._guarded(self.open_voice))
        self.menu.breath_requested.connect(lambda: self._guarded(self.open_breath))
        self.menu.checklists_requested.connect(self.open_checklists)
        self.menu.checklist_show_requested.connect(lambda: self._guarded(self.show_checklist))
        self.menu.offer_requested.connect(lambda: self._guarded(self.take_offer))
        self.menu.settings_requested.connect(self.open_settings)
        self.menu.quit_requested.connect(self.quit_requested.emit)

    # -- wiring -----------------------------------------------------------------------------------
    def attach(self, desk: Desk) -> None:
        """Hand in the desk once the database is open (the tray is already showing)."""
        from ui.bridge import Bridge

        self.desk = desk
        desk.notifications.presenter = self  # actionable prompts: see present()
        self.bridge = Bridge(desk.events)
        self.bridge.state_changed.connect(self.refresh)
        self.bridge.notification_shown.connect(lambda *_: self._schedule_wakeup())
        self.bridge.team_received.connect(self.team_received)
        desk.notifications.flush()  # held before a restart: show what may be shown now
        desk.welcome_if_first_run()
        self.refresh()

    def status(self) -> dict[str, Any]:
        if self.desk is None:
            return {"state": "ready", "starting": True}
        status = self.desk.status()
        if self.detection is not None:
            status["detection"] = self.detection.detector.status
        panel = self.windows.get("checklist_panel")
        # On a call with the checklist hidden (Esc): the tray offers "Show the checklist".
        status["checklist_hidden"] = bool(self.desk.checklists.active is not None and panel is not None
                                          and panel.run is self.desk.checklists.active  # type: ignore[attr-defined]
                                          and not panel.isVisible())
        return status

    def present(self, shown: Any) -> None:
        """The notification centre's presenter for actionable prompts. A reset offer after a call whose
        checklist panel is (about to be) in its outcome step appears inside that step: one card, one place;
        everything else is a toast in the corner."""
        panel = self.windows.get("checklist_panel")
        if shown.kind == RESET_OFFER and panel is not None and \
                panel.wants_offer(shown.payload.get("call_id")):  # type: ignore[attr-defined]
            panel.present_offer(shown)  # type: ignore[attr-defined]
            return
        self.toasts.present(shown)

    def refresh(self) -> None:
        self.tray.refresh()
        self._schedule_wakeup()

    def _schedule_wakeup(self) -> None:
        if self.desk is None:
            return
        when = self.desk.notifications.next_wakeup()
        if when is None:
            self._wakeup.stop()
            return
        ms = int((when - datetime.now(timezone.utc)).total_seconds() * 1000) + 50
        self._wakeup.start(max(MIN_WAKEUP_MS, min(ms, MAX_WAKEUP_MS)))  # never a hot loop

    def _wake(self) -> None:
        if self.desk is not None:
            self.desk.tick_notifications()
            self.refresh()

    def _require_desk(self) -> Desk:
        if self.desk is None:
            raise CompanionError("Agent Companion is still starting; try again in a moment.")
        return self.desk

    def _guarded(self, action: Callable[..., Any], *args: Any) -> Any:
        """Run an action from a click; a refusal is shown to the agent, never swallowed."""
        try:
            return action(*args)
        except CompanionError as exc:
            self.toasts.notify("Agent Companion", str(exc))
            return None

    # -- actions ----------------------------------------------------------------------------------
    def start_call(self, ref: str | None, detected: bool = False) -> CallStart:
        """Start a call: from the tray, ``companion call start`` or (``detected``) automatic call detection.
        An explicit start takes the call over from detection (ui/detection.py)."""
        desk = self._require_desk()
        started = desk.start_call(ref)
        if self.detection is not None and not detected:
            self.detection.explicit_start()
        self.toasts.dismiss(RESET_OFFER)  # an offer from the last call is moot now
        # a group deep breath cannot be joined on a call: its card goes, the invitation waits for the call's end
        dismissed = self.toasts.dismiss(BREATH_INVITE)
        try:
            desk.breath.hold_for_call(dismissed)
        except CompanionError:  # the call has started whatever happens here: the softphone must hear so
            log.exception("could not put a deep-breath invitation back on hold at call start")
        reset = self.windows.get("reset")
        if reset is not None and reset.isVisible():
            reset.close()  # the desk ended the reset; get out of the softphone's way
        self._checklist_call_started(ref)
        self.refresh()
        return started

    def end_call(self, tough: bool, detected: bool = False) -> Any:
        summary = self._require_desk().end_call(tough)
        if self.detection is not None and not detected:
            self.detection.explicit_end()
        self._checklist_call_ended()
        self.refresh()
        return summary

    def open_reset(self, minutes: int, pattern: str | None, trigger: str,
                   call_id: str | None = None) -> ResetWindow:
        desk = self._require_desk()
        existing = self.windows.get("reset")
        if desk.resets.current is not None:
            if existing is not None:
                existing.show()
                existing.raise_()
            raise CompanionError("A reset is already running; it is on your screen.")
        return self._show_reset(desk.start_reset(minutes, pattern, trigger, call_id=call_id))

    def take_offer(self) -> ResetWindow:
        """The tray's "Take the offered reset": the offer lives 10 minutes, also after its card went."""
        desk = self._require_desk()
        existing = self.windows.get("reset")
        if desk.resets.current is not None and existing is not None:
            existing.show()
            existing.raise_()
        return self._show_reset(desk.take_reset_offer())

    def _show_reset(self, session: Any) -> ResetWindow:
        from ui.windows.reset import ResetWindow

        desk = self._require_desk()
        self.toasts.dismiss(RESET_OFFER)
        old = self.windows.get("reset")
        if old is not None:
            old.deleteLater()  # the last reset's window (closed) goes with its widgets
        panel = self.windows.get("checklist_panel")
        if panel is not None:
            panel.drop_offer()  # type: ignore[attr-defined]  # a reset is running: the offer is answered
        window = ResetWindow(desk, session, chime=self.chime, tone=self.tone)
        window.finished.connect(lambda *_: self.refresh())
        self.windows["reset"] = window
        window.place()
        window.show()
        window.raise_()
        window.activateWindow()
        self.refresh()
        return window

    def pause(self, value: int | str) -> datetime:
        desk = self._require_desk()
        until = desk.pause_until_tomorrow() if value == "tomorrow" else desk.pause_for(int(value))
        self.refresh()
        return until

    def resume(self) -> None:
        self._require_desk().resume_notifications()
        self.refresh()

    def _open(self, key: str, factory: Callable[[], QWidget]) -> QWidget:
        window = self.windows.get(key)
        if window is None or not window.isVisible():
            window = factory()
            self.windows[key] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def open_my_day(self, view: str = "day") -> QWidget:
        from ui.windows.my_day import MyDayWindow

        if self.desk is None:
            return self.tray.standin or QWidget()
        existing = self.windows.get("my_day")
        window = self._open("my_day", lambda: MyDayWindow(self.desk, view,
                                                          open_your_data=lambda: self.open_settings("your_data")))
        if window is existing:
            window.show_view(view)  # type: ignore[attr-defined]
        return window

    # -- Moment of Truth checklists (issue 4) -----------------------------------------------------
    def open_checklists(self) -> QWidget:
        from ui.windows.templates import TemplateEditor

        if self.desk is None:
            return self.tray.standin or QWidget()
        return self._open("checklists", lambda: TemplateEditor(self.desk))

    def checklist_panel(self) -> Any:
        from ui.windows.checklist_panel import ChecklistPanel

        panel = self.windows.get("checklist_panel")
        if panel is None:
            desk = self._require_desk()
            panel = ChecklistPanel(desk.checklists, corner=lambda: desk.settings().panel_corner,
                                   remembered=self._panel_position)
            panel.obstacle_requested.connect(self.raise_obstacle)
            panel.moved.connect(self._panel_moved)
            panel.offer_chosen.connect(self.on_toast_action)
            panel.visibility_changed.connect(lambda *_: self.tray.refresh())
            self.windows["checklist_panel"] = panel
        return panel

    def _panel_position(self) -> Any:
        """Where the agent last dropped the panel, while the corner in Settings is the one it was dropped from."""
        from PySide6.QtCore import QPoint

        desk = self._require_desk()
        saved = desk.store.get_state(PANEL_POSITION)
        if not isinstance(saved, dict) or saved.get("corner") != desk.settings().panel_corner:
            return None
        x, y = saved.get("x"), saved.get("y")
        return QPoint(x, y) if isinstance(x, int) and isinstance(y, int) else None

    def _panel_moved(self, where: Any) -> None:
        desk = self._require_desk()
        desk.store.set_state(PANEL_POSITION, {"x": where.x(), "y": where.y(), "corner": desk.settings().panel_corner})

    def show_checklist(self) -> QWidget:
        """Bring the hidden panel back for the same call (tray "Show the checklist", `companion panel show`),
        with the keyboard: the agent asked for it."""
        desk = self._require_desk()
        panel = self.windows.get("checklist_panel")
        if desk.checklists.active is None or panel is None or panel.run is not desk.checklists.active:  # type: ignore[attr-defined]
            raise InvalidInput("No call is in progress: the checklist shows during a call.")
        panel.show_in_place()  # type: ignore[attr-defined]
        panel.raise_()
        panel.take_keyboard()  # type: ignore[attr-defined]
        self.tray.refresh()
        return panel

    def _checklist_call_started(self, ref: str | None) -> None:
        """The panel opens in its corner without taking the focus; a pending outcome step is saved first."""
        run = self._require_desk().checklists.active
        if run is None:
            return
        panel = self.checklist_panel()
        if panel.run is run:
            panel.show_in_corner()  # the same call again: keep its ticks
        else:
            panel.start(run, ref)

    def _checklist_call_ended(self) -> None:
        panel = self.windows.get("checklist_panel")
        if panel is not None:
            panel.end(self._require_desk().checklists.last_saved)  # type: ignore[attr-defined]

    def raise_obstacle(self, text: str) -> QWidget:
        """'Also raise it at the huddle': open Voice of the Customer with the text filled in, so the agent
        picks the category and whether it is anonymous, and logs it (the card-number check runs there)."""
        window = self.open_voice()
        window.prefill(text)  # type: ignore[attr-defined]
        return window

    def open_settings(self, section: str | None = None) -> QWidget:
        from ui.windows.settings import SettingsWindow

        if self.desk is None:
            return self.tray.standin or QWidget()
        window = self._open("settings", lambda: SettingsWindow(self.desk, self.autostart, self.launch_command,
                                                               operations=self.operations,
                                                               detection=self.detection))
        if section is not None:  # e.g. My day's "Your data…": Settings → Your data
            window.show_section(section)  # type: ignore[attr-defined]
        return window

    def on_toast_action(self, notification_id: str, key: str) -> None:
        desk = self.desk
        if desk is None:
            return
        desk.notifications.mark_read(notification_id)
        row = desk.notifications.get(notification_id)
        if row is not None and row.kind == RESET_OFFER and key == "start":
            call_id = json.loads(row.payload or "{}").get("call_id")
            self._guarded(self.open_reset, 1, None, "after_call", call_id)
        if row is not None and row.kind == BREATH_INVITE:
            broadcast_id = json.loads(row.payload or "{}").get("broadcast_id", "")
            if key == "join":
                self._guarded(self.join_breath, broadcast_id)
            else:
                self._guarded(desk.breath.decline, broadcast_id)

    # -- team (issue 3) ---------------------------------------------------------------------------
    def open_kudos(self, to: str | None = None, category: str | None = None) -> QWidget:
        from ui.windows.kudos import KudosDialog

        desk = self._require_desk()
        ref = desk.kudos_call_ref()

        def factory() -> QWidget:
            dialog = KudosDialog(desk, ref)
            dialog.sent.connect(self._kudos_sent)
            return dialog

        dialog = self._open("kudos", factory)
        if to:  # Say thanks (Team feed): the teammate and the category filled in, focus in the message
            dialog.prefill(to, category)  # type: ignore[attr-defined]
        return dialog

    def _kudos_sent(self, view: Any) -> None:
        desk = self._require_desk()
        mate = desk.roster.find(view.recipient)
        self.toasts.notify("Kudos sent", f"To {mate.display_name if mate else view.recipient}: {view.category.name}")
        self._refresh_team_windows()
        self.refresh()

    def _refresh_team_windows(self) -> None:
        for key in ("feed", "voice"):
            window = self.windows.get(key)
            if window is not None and window.isVisible():
                window.refresh()  # type: ignore[attr-defined]

    def open_feed(self) -> QWidget:
        from ui.windows.feed import TeamFeedWindow

        desk = self._require_desk()
        return self._open("feed", lambda: TeamFeedWindow(
            desk, on_change=self.refresh, send_kudos=lambda to=None, category=None: self._guarded(
                self.open_kudos, to, category)))

    def open_voice(self) -> QWidget:
        from ui.windows.voice import VoiceWindow

        desk = self._require_desk()
        return self._open("voice", lambda: VoiceWindow(desk))

    def open_breath(self) -> QWidget:
        from ui.windows.breath import GroupBreathWindow

        desk = self._require_desk()
        sent = lambda: self.toasts.notify("Group deep breath", "Your team is invited.")  # noqa: E731
        return self._open("breath", lambda: GroupBreathWindow(desk, on_sent=sent))

    def join_breath(self, broadcast_id: str) -> ResetWindow:
        self._require_desk().join_breath(broadcast_id)
        return self.open_reset(1, None, "group_breath")

    def team_received(self, items: list[Any]) -> None:
        """What the sync worker pulled (delivered on the GUI thread by the bridge)."""
        self._require_desk().team_received(items)
        self._refresh_team_windows()
        self.refresh()

    def show_notice(self, text: str) -> None:
        """A startup notice (e.g. a damaged database was moved aside): a dialog that does not block."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Agent Companion", text, QMessageBox.StandardButton.Ok)
        from PySide6.QtCore import Qt  # Qt's enum namespace costs ~25 ms on first use: not before the tray shows

        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setModal(False)
        box.finished.connect(lambda *_: self.notices.remove(box) if box in self.notices else None)
        box.show()
        self.notices.append(box)

    def _hook_failed(self, text: str) -> None:
        """A presence hook failed (reported once per command): a notification, held while on a call."""
        if self.desk is not None:
            from companion.notify.kinds import STATUS

            self.desk.notifications.post(STATUS, "Presence hook failed", text)
            self.refresh()

    # -- local socket -----------------------------------------------------------------------------
    def handle_request(self, request: ipc.Request) -> tuple[bool, str, dict]:
        cmd, args = request.cmd, request.args
        if cmd == "status":
            status = self.status()
            return True, describe(status) if "starting" not in status else "starting", {"status": status}
        if cmd == "show":
            self.tray.bring_forward()
            # Answer first, open on the next turn of the event loop: the first Week view imports the chart
            # library (a second or more on a busy PC), longer than a command should wait for its answer.
            if args.get("view"):
                QTimer.singleShot(0, lambda view=args["view"]: self.open_my_day(view))
                return True, f"Opening My {args['view']}.", {}
            if self.tray.icon is not None:
                QTimer.singleShot(0, self.open_my_day)
            return True, "Agent Companion is running.", {}
        if cmd == "call.start":
            started = self.start_call(args.get("ref"))
            return True, started.describe(args.get("ref")), {"outcome": started.outcome}
        if cmd == "call.end":
            summary = self.end_call(args.get("tough", False))
            text = f"Call ended after {round(summary.handle_seconds)} s."
            if summary.offer_reset:
                text += " A reset was offered."
            return True, text, {"handle_seconds": round(summary.handle_seconds, 1),
                                "offer_reset": summary.offer_reset}
        if cmd == "reset":
            self.open_reset(args["minutes"], args.get("pattern"), "cli")
            return True, f"Reset started ({args['minutes']} min).", {}
        if cmd == "panel.show":
            self.show_checklist()
            return True, "The checklist panel is showing.", {}
        if cmd == "kudos":
            self.open_kudos()
            return True, "The Send kudos dialog is open.", {}
        if cmd == "kudos.send":
            view = self._require_desk().kudos.send(args["to"], args["category"], args["message"], args.get("ref"))
            self._refresh_team_windows()
            self.refresh()
            return True, f"Kudos sent to {view.recipient} ({view.category.name}).", {"id": view.id}
        return False, f"unknown command {cmd}", {}

    # -- shutdown ---------------------------------------------------------------------------------
    def shutdown(self) -> None:
        self._wakeup.stop()
        if self.detection is not None:
            self.detection.stop()
        if self.desk is not None and self.desk.resets.current is not None:
            self.desk.end_reset("quit")  # before its window closes: the presence hook hears why it ended
        for window in [*self.windows.values(), *self.notices]:
            window.close()
        if self.desk is not None and self.desk.checklists.active is not None:
            self.desk.checklists.save()  # quitting mid-call keeps the ticks so far
        self.tray.hide()
        QApplication.processEvents()

