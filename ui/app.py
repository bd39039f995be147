"""The composition root: builds the real services and hands them in. Nothing else creates services.

Start-up order keeps the tray quick: single-instance check (no Qt widgets yet), the QApplication, the
tray icon, then - on the first event-loop turn - the database, the notification chain and the local
socket.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys

from PySide6.QtCore import QLockFile, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from companion import APP_NAME, __version__
from companion.errors import DatabaseError, NotRunning
from companion.paths import Paths
from ui.ready import write_ready as _write_ready  # the ready-file lines for benchmarks and e2e tests

log = logging.getLogger("companion")


def setup_logging(paths: Paths) -> None:
    from companion.logfile import PrivateRotatingFileHandler  # never through a symlink (companion/logfile.py)

    handler = PrivateRotatingFileHandler(paths.log_file, maxBytes=1_000_000, backupCount=3)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _already_running(paths: Paths) -> int:
    from companion import ipc

    try:
        ipc.send(paths.server_name, {"cmd": "show"})
    except NotRunning:
        print(f"companion: another Agent Companion holds {paths.lock_file} but does not answer; "
              "if none is running, wait a few seconds and try again.", file=sys.stderr)
        return 1
    print("Agent Companion is already running.")
    return 0


def install_signal_handlers(app: QApplication) -> QSocketNotifier:
    """SIGTERM/SIGINT quit cleanly (the database is closed, a running reset is recorded).

    Python runs signal handlers only between bytecodes, and Qt's loop runs in C++: the wake-up fd wakes
    the loop through a socket notifier, without any polling timer (idle CPU stays at zero).
    """
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_: reader.recv(64))
    notifier._sockets = (reader, writer)  # type: ignore[attr-defined]  # keep them open
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: app.exit(0))
    return notifier


def _chime() -> None:
    """The end-of-reset chime through the OS player (subprocess is imported only when it is due)."""
    from companion import resources, sound

    if not sound.play(resources.path("sounds/chime.wav")):
        QApplication.beep()


def _pace_tone() -> None:
    """The reset window's pacing tone (Settings: audio pacing), through the OS player like the chime."""
    from companion import resources, sound

    sound.play(resources.path("sounds/pace.wav"))


class CompanionApp:
    def __init__(self, app: QApplication, paths: Paths) -> None:
        from ui.controller import Controller

        self.app = app
        self.paths = paths
        self.db = None
        self.ipc_server = None
        self.team = None
        self.hooks = None  # presence hooks (companion.presence), once the desk is there
        from companion import autostart

        def launch_command() -> list[str]:  # platformdirs is imported when Settings needs it, not at start
            from companion.paths import default_data_dir

            return autostart.launch_command(paths.data_dir, default_data_dir())

        self.controller = Controller(
            chime=_chime,
            tone=_pace_tone,
            autostart=autostart.for_platform(),
            launch_command=launch_command,
        )
        self.controller.quit_requested.connect(lambda: self.app.exit(0))

    def start(self) -> None:
        self.controller.tray.show()
        QTimer.singleShot(0, lambda: _write_ready("tray-shown"))
        QTimer.singleShot(0, self._open_services)

    def _migrate_in_child(self) -> None:
        """An older database is upgraded by a short-lived ``companion migrate`` process: SQLAlchemy and Alembic
        never load in the tray process (docs/architecture.md). If no child can be started, ``open_database``
        migrates here instead (same backup, same result, only more memory until the next start). A clear
        refusal (busy, read-only, disk full, too slow) raises DatabaseError, shown like any database error."""
        from companion.db.engine import migrate_in_child

        try:
            log.info("%s", migrate_in_child(self.paths.data_dir))
        except OSError as exc:  # no child could start, or it crashed: open_database migrates in this process
            log.warning("could not upgrade the database in a child process (%s); upgrading here", exc)

    def _open_services(self) -> None:
        from ui import theme

        theme.follow_os(self.app)  # light/dark/high contrast as the OS says, and its changes from now on
        try:
            setup_logging(self.paths)  # after the tray is showing: logging.handlers is not free to import
        except OSError as exc:  # e.g. a log left by a sudo run, or a full disk: carry on without it
            log_problem = f"The log file {self.paths.log_file} could not be opened ({exc}); continuing without it."
            print(f"companion: {log_problem}", file=sys.stderr, flush=True)
        else:
            log_problem = None
        from companion.clock import SystemClock
        from companion.db.engine import open_database, pending_migration
        from companion.desk import Desk
        from companion.notify.base import NotifierChain
        from companion.notify.plyer_backend import PlyerNotifier
        from companion import resources
        from ui.ipc_server import IpcServer
        from ui.notifiers import TrayBalloonNotifier, notification_daemon_available

        controller = self.controller
        try:
            if pending_migration(self.paths.database):
                self._migrate_in_child()
            self.db = open_database(self.paths.database, self.paths.backups)
            chain = NotifierChain([
                PlyerNotifier(icon=str(resources.path("icons/agent-companion.svg")),
                              daemon_available=notification_daemon_available),
                TrayBalloonNotifier(controller.tray.icon),
                controller.toasts,
            ])
            controller.attach(Desk(self.db, SystemClock(), chain))
        except DatabaseError as exc:
            self._fail(str(exc))
            return
        hooks_problem = self._start_presence_hooks()
        for notice in [*self.db.notices, *([log_problem] if log_problem else []), *filter(None, [hooks_problem])]:
            controller.show_notice(notice)
        try:
            self.ipc_server = IpcServer(self.paths.server_name, controller.handle_request)
            listening = self.ipc_server.listen()
        except OSError as exc:
            log.error("local socket unavailable: %s", exc)
            listening, socket_problem = False, f" ({exc})"
        else:
            socket_problem = ""
        if not listening:
            controller.show_notice("The `companion call …` commands cannot reach this window: the local socket "
                                   f"could not be opened{socket_problem}. See the log for details.")
        self._start_team()
        log.info("%s %s ready (data folder %s)", APP_NAME, __version__, self.paths.data_dir)
        _write_ready("services-ready")
        QTimer.singleShot(0, self._start_detection)

    def _start_detection(self) -> None:
        """Automatic call detection (issue 13), once everything else is up: its backend (pulsectl on Linux) is
        imported only now, and a missing sound system leaves the rest working."""
        from ui.detection import CallDetection

        self.controller.detection = CallDetection(self.controller)
        self.controller.detection.start()

    def _start_presence_hooks(self) -> str | None:
        """Presence hooks (issue 13): commands from Settings or IT's operations config, run when a reset starts
        and ends. Returns why they are off when IT's file cannot be used (shown as a start-up notice)."""
        from companion import presence
        from companion.paths import operations_config_path

        desk = self.controller.desk
        ops = presence.load_operations_config(operations_config_path())
        self.controller.operations = ops
        self.hooks = presence.PresenceHooks(lambda: presence.effective(ops, desk.settings()),
                                            presence.SubprocessRunner(), self.controller.hook_problem.emit)
        self.hooks.attach(desk.events)
        if ops.problem:
            log.error("%s", ops.problem)
        return ops.problem

    def _start_team(self) -> None:
        """With a team hub joined (`companion team join`), start the sync worker on its own thread."""
        from companion.team.hub import HUB_STATE, HubConfig

        desk = self.controller.desk
        config = HubConfig.from_state(desk.store.get_state(HUB_STATE))
        if config is None:
            return
        from companion.team import inbound  # applies pulled records to the local database
        from ui.team import TeamSync

        self.team = TeamSync(self.controller, desk, config, apply=inbound.apply, apply_roster=inbound.apply_roster)
        self.team.start()

    def _fail(self, message: str) -> None:
        """The database cannot be used: say so (dialog, stderr, log) and quit when the dialog closes."""
        log.error("cannot open the database: %s", message)
        print(f"companion: {message}", file=sys.stderr, flush=True)
        self.controller.tray.hide()
        box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, message, QMessageBox.StandardButton.Close)
        from PySide6.QtCore import Qt  # Qt's enum namespace costs ~25 ms on first use: not before the tray shows

        box.setTextFormat(Qt.TextFormat.PlainText)
        box.finished.connect(lambda *_: self.app.exit(1))
        box.show()
        self.error_box = box
        _write_ready("database-error")

    def shutdown(self) -> None:
        if self.team is not None:
            self.team.stop()  # before the database closes
        if self.ipc_server is not None:
            self.ipc_server.close()
        self.controller.shutdown()  # a reset still running ends here (its end hook is queued)
        if self.hooks is not None and not self.hooks.close():
            log.warning("a presence hook was still running at quit")
        if self.db is not None:
            self.db.close()


HEADLESS_PLATFORMS = ("offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")


def display_problem(env: dict[str, str] | None = None, platform: str | None = None) -> str | None:
    """Why the tray app cannot show anything here (None: it can), said before Qt would abort the process.

    On Linux and the BSDs a desktop session sets DISPLAY (X11) or WAYLAND_DISPLAY; an SSH session or a server
    has neither. Platforms that need no display (``QT_QPA_PLATFORM=offscreen``, as the tests use) still work.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if qpa in HEADLESS_PLATFORMS:
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return ("companion: no graphical display here (DISPLAY and WAYLAND_DISPLAY are not set, e.g. an SSH session); "
            "start Agent Companion from your desktop session. Commands such as `companion status` work anywhere.")


def run(args: argparse.Namespace, paths: Paths) -> int:
    from ui.pyside_imports import stop_source_caching

    stop_source_caching()  # before the app's modules are imported: less memory at idle (bench/README.md)
    if os.name == "posix":
        os.umask(0o077)  # every file this app creates (database, backups, log, lock) is private
    paths.ensure()
    lock = QLockFile(str(paths.lock_file))
    lock.setStaleLockTime(0)
    if not lock.tryLock(200):
        return _already_running(paths)
    problem = None if QApplication.instance() else display_problem()
    if problem:  # Qt would abort ("could not connect to display") with a core dump: say it plainly instead
        lock.unlock()
        print(problem, file=sys.stderr, flush=True)
        return 2
    try:
        app = QApplication.instance() or QApplication(sys.argv[:1])
        app.setApplicationName(APP_NAME)
        app.setApplicationVersion(__version__)
        app.setDesktopFileName("agent-companion")
        app.setQuitOnLastWindowClosed(False)
        from ui import theme

        theme.start(app)  # the palette and stylesheet from the design tokens (the OS is asked after the tray shows)
        notifier = install_signal_handlers(app)
        companion = CompanionApp(app, paths)
        companion.start()
        code = app.exec()
        companion.shutdown()
        log.info("%s stopped", APP_NAME)
        notifier.setEnabled(False)
        return code
    finally:
        lock.unlock()
