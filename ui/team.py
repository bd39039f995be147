"""The team hub in the app: starts the sync worker (its own thread) once the desk is ready, asks for the
secret when the keyring has none (kept in memory for this session only), shows "Team hub offline — N
waiting" on the tray from the worker's ``team.status``, and stops the worker on quit.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QLineEdit

from companion import APP_NAME

if TYPE_CHECKING:
    from companion.desk import Desk
    from companion.secrets import SessionSecrets
    from companion.team.hub import HubConfig
    from companion.team.sync import SyncWorker
    from ui.controller import Controller

log = logging.getLogger(__name__)

# ask(prompt, on_answer): calls on_answer(secret or None) when the person answers (the app: a dialog)
Ask = Callable[[str, Callable[[str | None], None]], None]


def ask_with_dialog(prompt: str, on_answer: Callable[[str | None], None]) -> QInputDialog:
    dialog = QInputDialog()
    dialog.setWindowTitle(APP_NAME)
    dialog.setLabelText(prompt)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    dialog.accepted.connect(lambda: on_answer(dialog.textValue()))
    dialog.rejected.connect(lambda: on_answer(None))
    dialog.open()  # not exec(): the tray keeps working while it is open
    return dialog


class TeamSync(QObject):
    def __init__(self, controller: Controller, desk: Desk, config: HubConfig, *, apply: Any, apply_roster: Any,
                 secrets: SessionSecrets | None = None, ask: Ask | None = None,
                 connect: Callable[..., Any] | None = None) -> None:
        super().__init__()
        from companion.secrets import SessionSecrets

        self.controller = controller
        self.desk = desk
        self.config = config
        self.secrets = secrets or SessionSecrets()
        self._ask = ask or (lambda prompt, done: setattr(self, "dialog", ask_with_dialog(prompt, done)))
        self._apply, self._apply_roster = apply, apply_roster
        self._connect = connect
        self.worker: SyncWorker | None = None
        controller.bridge.team_status.connect(self._on_status)

    def start(self) -> None:
        """Start now when the secret is known, else ask for it first (the tray says offline meanwhile)."""
        if self.secrets.get(self.config.keyring_user) is not None:
            self._start_worker()
            return
        self._show_offline()
        self._ask(f"Your team hub secret for {self.config.user}\n(kept in memory until you quit, never saved):",
                  self._answered)

    def _answered(self, secret: str | None) -> None:
        if not secret:
            log.info("no team hub secret given: team delivery stays off for this session")
            return
        self.secrets.remember(self.config.keyring_user, secret)
        self._start_worker()

    def _start_worker(self) -> None:
        from companion.team import hub
        from companion.team.sync import SyncWorker

        config, secrets = self.config, self.secrets
        connect = self._connect or hub.connect

        def open_connection() -> Any:  # on the worker thread; the secret is read each time, never logged
            return connect(config.url, user=config.user, password=secrets.get(config.keyring_user),
                           statement_timeout=hub.WORKER_STATEMENT_TIMEOUT)

        self.worker = SyncWorker(self.desk.db, open_connection, self._apply, self._apply_roster, self.desk.events,
                                 self.desk.clock, me=config.user, team=config.team, delivery=self.desk.delivery)
        self.worker.start()
        log.info("team sync started for %s in team %s", config.user, config.team)

    def _show_offline(self) -> None:
        from companion.team import outbox

        with self.desk.db.reading() as s:
            waiting = outbox.waiting(s)
        self._on_status(False, waiting)

    def _on_status(self, online: bool, waiting: int, problem: str = "") -> None:
        self.desk.set_team_status(online, waiting, problem or None)
        self.controller.refresh()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
