"""Presence hooks: commands run when a reset starts and when it ends, so the contact-centre platform (the ACD)
can show the agent "Not Ready - Wellness" during the reset and "Available" again after it.

Where the commands come from:
- the agent's Settings (``reset_start_hook`` / ``reset_end_hook``), and
- the operations config IT deploys (``operations.toml``, see companion.paths.operations_config_path):

      [presence_hooks]
      reset_start = "curl -fsS -X PUT ... wellness"
      reset_end = "curl -fsS -X PUT ... available"
      timeout_seconds = 10

  A key the operations config sets wins over the agent's value and locks that field in Settings (an empty
  string there switches the agent's hook off). A file that cannot be trusted (writable by others, owned by
  another user) or read switches every hook off and says why once: IT meant something we cannot know.

How they run (PresenceHooks, with a Runner injected; tests use a fake):
- never through a shell: the command is split like a POSIX shell would (shlex), and ``$COMPANION_...`` in an
  argument is replaced by the reset's own value (``$HOME``/``$USER`` by the agent's); nothing typed by anyone
  else reaches a command line;
- one at a time, in order, on a worker thread (never the GUI thread), each with a timeout; the reset never
  waits for them;
- with the reset in the environment: COMPANION_EVENT (reset-start | reset-end), COMPANION_RESET_MINUTES and
  COMPANION_RESET_SECONDS (planned length), COMPANION_RESET_PATTERN, COMPANION_RESET_TRIGGER,
  COMPANION_RESET_STARTED_AT, COMPANION_RESET_PLANNED_END (UTC, ISO 8601), and at the end
  COMPANION_RESET_REASON (completed | ended-early | interrupted | call-started | quit) and
  COMPANION_RESET_ACTUAL_SECONDS;
- a failure (non-zero exit, timeout, missing program) is logged every time and reported to the agent once per
  hook and command (not on every reset);
- never during a call: a reset cannot start during a call, and a start hook that had not begun when the reset
  ended (e.g. a call came in) is dropped together with its end hook. When a call ends a reset, the end hook
  still runs (COMPANION_RESET_REASON=call-started), at the moment the reset ends, before the call is tracked:
  otherwise the agent would stay "Not Ready - Wellness" in the ACD after the call.
"""
from __future__ import annotations

import logging
import math
import os
import queue
import re
import shlex
import stat
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence

from companion.errors import InvalidInput

if TYPE_CHECKING:
    import subprocess

log = logging.getLogger(__name__)

RESET_START = "reset-start"
RESET_END = "reset-end"
REASONS = ("completed", "ended-early", "interrupted", "call-started", "quit")
DEFAULT_TIMEOUT = 10.0
MIN_TIMEOUT, MAX_TIMEOUT = 1.0, 120.0
MAX_COMMAND = 2000
MAX_CONFIG_BYTES = 64 * 1024
SECTION = "presence_hooks"
KEYS = ("reset_start", "reset_end", "timeout_seconds")
_OUTPUT_TAIL = 300  # characters of a failing hook's stderr kept for the log
_VARIABLE = re.compile(r"\$(?:\{([A-Z_]+)\}|([A-Z_]+))")
_USER_VARIABLES = ("HOME", "USER", "USERNAME", "USERPROFILE")  # the agent's own, for a machine-wide command


# -- the commands ---------------------------------------------------------------------------------
def parse_command(text: str) -> list[str]:
    """The argv of a configured command ([] for none). Raises InvalidInput with a clear reason."""
    if not isinstance(text, str):
        raise InvalidInput("A presence hook must be text.")
    if len(text) > MAX_COMMAND:
        raise InvalidInput(f"A presence hook is at most {MAX_COMMAND} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput("A presence hook is one line, without tabs or control characters.")
    try:
        if sys.platform == "win32":  # backslashes are path separators there: split, then drop the quotes
            return [_unquote(arg) for arg in shlex.split(text, posix=False)]
        return shlex.split(text, posix=True)
    except ValueError as exc:  # "No closing quotation", "No escaped character"
        raise InvalidInput(f"The presence hook cannot be read: {str(exc).lower()} ({text[:40]!r}).") from None


def _unquote(arg: str) -> str:
    if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "\"'":
        return arg[1:-1]
    return arg


def validate_command(text: str) -> str:
    parse_command(text)
    return text


def expand(argv: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """Replace ``$COMPANION_X`` / ``${COMPANION_X}`` in each argument by the reset's value, and ``$HOME``,
    ``$USER``, ``$USERNAME``, ``$USERPROFILE`` by the agent's own (so one machine-wide command serves every
    agent). After splitting, so a value can never become a second argument. Other names are left as they are."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name.startswith("COMPANION_"):
            return env.get(name, match.group(0))
        if name in _USER_VARIABLES and name in os.environ:
            return os.environ[name]
        return match.group(0)

    return [_VARIABLE.sub(one, arg) for arg in argv]


@dataclass(frozen=True)
class OperationsConfig:
    """What IT's operations config says about presence hooks (None: not set there)."""
    path: Path | None = None
    reset_start: str | None = None
    reset_end: str | None = None
    timeout_seconds: float | None = None
    problem: str | None = None  # the file is there but cannot be used: every hook is off

    @property
    def locked(self) -> frozenset[str]:
        return frozenset(key for key in ("reset_start", "reset_end") if getattr(self, key) is not None)


@dataclass(frozen=True)
class HookCommands:
    """The commands in force (operations config over Settings)."""
    reset_start: str = ""
    reset_end: str = ""
    timeout: float = DEFAULT_TIMEOUT
    locked: frozenset[str] = frozenset()
    disabled: str | None = None  # why no hook runs at all (an unusable operations config)

    def command(self, event: str) -> str:
        if self.disabled:
            return ""
        return self.reset_start if event == RESET_START else self.reset_end


def effective(ops: OperationsConfig, settings: Any) -> HookCommands:
    """IT's values win; the agent's Settings fill in what IT left unset."""
    return HookCommands(
        reset_start=ops.reset_start if ops.reset_start is not None else getattr(settings, "reset_start_hook", ""),
        reset_end=ops.reset_end if ops.reset_end is not None else getattr(settings, "reset_end_hook", ""),
        timeout=ops.timeout_seconds if ops.timeout_seconds is not None else DEFAULT_TIMEOUT,
        locked=ops.locked, disabled=ops.problem)


def load_operations_config(path: Path | None) -> OperationsConfig:
    """Read IT's operations config. A missing file is an empty config; any other problem is reported in
    ``problem`` (hooks off), never raised: the tray must start whatever is in /etc."""
    if path is None:
        return OperationsConfig()
    off = "Presence hooks are off until it is fixed."
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return OperationsConfig(path)
    except OSError as exc:
        return OperationsConfig(path, problem=f"The operations config {path} cannot be read ({exc.strerror}). {off}")
    if not stat.S_ISREG(st.st_mode):
        return OperationsConfig(path, problem=f"The operations config {path} is not a file. {off}")
    if os.name == "posix":  # whoever can change the file (or swap it in its folder) chooses what the agent runs
        trusted = {0, os.getuid()}
        for what, where in (("", path), (" folder", Path(path).parent)):
            try:
                info = st if not what else os.stat(where)
            except OSError as exc:
                return OperationsConfig(path, problem=f"The folder of {path} cannot be checked ({exc.strerror}). {off}")
            if info.st_uid not in trusted or info.st_mode & 0o022:
                return OperationsConfig(path, problem=(
                    f"The operations config{what} {where} is not trusted: it must belong to root (or you) and be "
                    f"writable by its owner only (it is owned by uid {info.st_uid}, mode "
                    f"{stat.S_IMODE(info.st_mode):04o}). {off}"))
    if st.st_size > MAX_CONFIG_BYTES:
        return OperationsConfig(path, problem=f"The operations config {path} is larger than 64 KiB. {off}")
    try:
        import tomllib

        with open(path, "rb") as fh:
            data = tomllib.loads(fh.read(MAX_CONFIG_BYTES + 1).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        return OperationsConfig(path, problem=f"The operations config {path} cannot be read: {exc}. {off}")
    section = data.get(SECTION, {})
    if not isinstance(section, dict):
        return OperationsConfig(path, problem=f"In {path}, [{SECTION}] must be a table. {off}")
    unknown = sorted(set(section) - set(KEYS))
    if unknown:
        return OperationsConfig(path, problem=(f"In {path}, [{SECTION}] has unknown key(s) {', '.join(unknown)} "
                                               f"(known: {', '.join(KEYS)}). {off}"))
    values: dict[str, Any] = {}
    try:
        for key in ("reset_start", "reset_end"):
            if key in section:
                values[key] = validate_command(section[key])
        if "timeout_seconds" in section:
            timeout = section["timeout_seconds"]
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
                    or not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:
                raise InvalidInput(f"timeout_seconds must be a number from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g}.")
            values["timeout_seconds"] = float(timeout)
    except InvalidInput as exc:
        return OperationsConfig(path, problem=f"In {path}, [{SECTION}]: {exc} {off}")
    return OperationsConfig(path, **values)


# -- running one command ---------------------------------------------------------------------------
@dataclass(frozen=True)
class HookResult:
    ok: bool
    detail: str = ""  # why it failed, for the agent and the log
    seconds: float = 0.0


class Runner(Protocol):
    def run(self, argv: Sequence[str], env: Mapping[str, str], timeout: float) -> HookResult: ...


class SubprocessRunner:
    """Runs argv (no shell) with the reset's variables added to this process's environment; stdin is empty,
    output is read (its tail kept for the log); on timeout the command and its children are killed."""

    def run(self, argv: Sequence[str], env: Mapping[str, str], timeout: float) -> HookResult:
        import subprocess  # only when a hook runs: the tray's start-up does not need it

        started = time.monotonic()
        options: dict[str, Any] = {}
        if os.name == "posix":
            options["start_new_session"] = True  # its own process group: a timeout kills its children too
        elif sys.platform == "win32":  # pragma: no cover - Windows
            options["creationflags"] = subprocess.CREATE_NO_WINDOW
        try:
            proc = subprocess.Popen(list(argv), env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, close_fds=True, **options)
        except FileNotFoundError:
            return HookResult(False, f"program not found: {argv[0]}", time.monotonic() - started)
        except OSError as exc:
            return HookResult(False, f"could not start {argv[0]}: {exc.strerror or exc}", time.monotonic() - started)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            return HookResult(False, f"no answer within {timeout:g} s (stopped)", time.monotonic() - started)
        seconds = time.monotonic() - started
        if proc.returncode != 0:
            detail = f"exit status {proc.returncode}" if proc.returncode > 0 else f"killed by signal {-proc.returncode}"
            tail = _printable(err.decode("utf-8", "replace"))[-_OUTPUT_TAIL:]
            return HookResult(False, f"{detail}{': ' + tail if tail else ''}", seconds)
        return HookResult(True, "", seconds)


def _kill(proc: "subprocess.Popen[bytes]") -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, 9)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _printable(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


# -- the worker ------------------------------------------------------------------------------------
@dataclass
class Job:
    event: str
    argv: list[str]
    env: dict[str, str]
    timeout: float
    command: str
    state: str = "pending"  # pending -> running -> done, or pending -> dropped
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self) -> bool:
        with self._lock:
            if self.state != "pending":
                return False
            self.state = "running"
            return True

    def drop(self) -> bool:
        """Drop it if it has not begun; False if it is running or done."""
        with self._lock:
            if self.state != "pending":
                return False
            self.state = "dropped"
            return True


class HookWorker:
    """One thread that runs jobs in order. Started at the first job (no thread while no hook is configured);
    it waits on a queue, so it costs no CPU while idle."""

    def __init__(self, execute: Callable[[Job], None]) -> None:
        self._execute = execute
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job: Job) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="presence-hooks", daemon=True)
                self._thread.start()
        self._queue.put(job)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if job.begin():
                self._execute(job)
                job.state = "done"

    def close(self, timeout: float) -> bool:
        """Let the queued hooks finish (at most ``timeout`` seconds), then stop. True if all ran."""
        with self._lock:
            thread = self._thread
        if thread is None:
            return True
        self._queue.put(None)
        thread.join(timeout)
        return not thread.is_alive()


class InlineWorker:
    """Runs each job at once on the caller's thread (tests and tools)."""

    def __init__(self, execute: Callable[[Job], None]) -> None:
        self._execute = execute

    def submit(self, job: Job) -> None:
        if job.begin():
            self._execute(job)
            job.state = "done"

    def close(self, timeout: float) -> bool:
        return True


class PresenceHooks:
    """Turns reset events into hook runs. ``commands`` gives the commands in force at the moment of the event
    (Settings may change between resets); ``report`` tells the agent about a failure (called on the worker's
    thread: the ui marshals it to the GUI thread)."""

    def __init__(self, commands: Callable[[], HookCommands], runner: Runner, report: Callable[[str], None],
                 *, worker: Callable[[Callable[[Job], None]], Any] = HookWorker) -> None:
        self._commands = commands
        self._runner = runner
        self._report = report
        self._worker = worker(self._execute)
        self._pending_start: Job | None = None
        self._reported: set[tuple[str, str]] = set()
        self._report_lock = threading.Lock()

    def attach(self, events: Any) -> "PresenceHooks":
        from companion import events as ev

        events.subscribe(ev.RESET_STARTED, lambda e: self.reset_started(e.data["session"]))
        events.subscribe(ev.RESET_FINISHED, lambda e: self.reset_finished(e.data["session"], e.data.get("reason")))
        return self

    def reset_started(self, session: Any) -> Job | None:
        self._pending_start = job = self._submit(RESET_START, reset_environment(session, RESET_START))
        return job

    def reset_finished(self, session: Any, reason: str | None = None) -> Job | None:
        start, self._pending_start = self._pending_start, None
        if start is not None and start.drop():
            log.info("the reset ended before its start hook ran: neither presence hook runs")
            return None
        return self._submit(RESET_END, reset_environment(session, RESET_END, reason))

    def close(self, timeout: float | None = None) -> bool:
        """At quit: the end hook of a reset the quit just ended still runs. Bounded: a start hook still running
        and the end hook behind it, each at most its timeout."""
        return self._worker.close(timeout if timeout is not None else 2 * self._commands().timeout + 2.0)

    def _submit(self, event: str, env: dict[str, str]) -> Job | None:
        commands = self._commands()
        if commands.disabled:
            log.info("presence hook %s not run: %s", event, commands.disabled)
            return None
        text = commands.command(event)
        try:
            argv = expand(parse_command(text), env)
        except InvalidInput as exc:  # a stored value from an older version, say: refused as in Settings
            self._failed(event, text, str(exc))
            return None
        if not argv:
            return None
        job = Job(event, argv, env, commands.timeout, text)
        self._worker.submit(job)
        return job

    def _execute(self, job: Job) -> None:
        try:
            result = self._runner.run(job.argv, job.env, job.timeout)
        except Exception as exc:  # a runner bug must not kill the worker
            log.exception("presence hook %s crashed", job.event)
            result = HookResult(False, f"internal error: {exc}")
        if result.ok:
            log.info("presence hook %s ran (%s, %.2f s)", job.event, job.argv[0], result.seconds)
        else:
            self._failed(job.event, job.command, result.detail, program=job.argv[0])

    def _failed(self, event: str, command: str, detail: str, program: str | None = None) -> None:
        # The command itself is not logged: it may carry a token. The program's name is enough to find it.
        log.warning("presence hook %s%s failed: %s", event, f" ({program})" if program else "", detail)
        with self._report_lock:
            key = (event, command)
            if key in self._reported:
                return
            self._reported.add(key)
        when = "a reset started" if event == RESET_START else "a reset ended"
        self._report(f"The command run when {when} failed ({detail[:200]}). Your status in the contact-centre "
                     "system may not have changed: check it by hand. Further failures of this command are only "
                     "written to the log.")


def reset_environment(session: Any, event: str, reason: str | None = None) -> dict[str, str]:
    """The variables a hook gets about the reset (all strings)."""
    planned = int(session.planned_seconds)
    env = {
        "COMPANION_EVENT": event,
        "COMPANION_RESET_MINUTES": str(math.ceil(planned / 60)),
        "COMPANION_RESET_SECONDS": str(planned),
        "COMPANION_RESET_PATTERN": session.pattern.key,
        "COMPANION_RESET_TRIGGER": session.trigger,
        "COMPANION_RESET_STARTED_AT": _iso(session.started_at),
        "COMPANION_RESET_PLANNED_END": _iso(session.started_at + timedelta(seconds=planned)),
    }
    if event == RESET_END:
        env["COMPANION_RESET_REASON"] = end_reason(session.state, reason)
        env["COMPANION_RESET_ACTUAL_SECONDS"] = str(round(session.actual_seconds))
    return env


def end_reason(state: str, reason: str | None) -> str:
    if reason in REASONS:
        return reason
    return {"completed": "completed", "interrupted": "interrupted"}.get(state, "ended-early")


def _iso(moment: Any) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
