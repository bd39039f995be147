"""``companion desktop install|uninstall``: the application-menu entry and icon on Linux (XDG).

Installs ``resources/agent-companion.desktop`` with an ``Exec`` line that starts *this* installation (the
frozen folder's executable, the venv's ``companion`` script, ...; plus ``--data-dir`` when a non-default data
folder is used) into ``$XDG_DATA_HOME/applications/`` and the icon into
``$XDG_DATA_HOME/icons/hicolor/scalable/apps/`` (``--system``: ``/usr/local/share``, for every user). With
``--autostart`` the login entry is written too, by the same code the Settings window uses
(:mod:`companion.autostart`). Uninstall removes exactly these files; files that are not ours are left alone.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from companion import APP_ID
from companion.autostart import XdgAutostart, desktop_exec_line

SYSTEM_DATA_DIR = Path("/usr/local/share")
MARKER = "X-AgentCompanion-Installed=true"  # only files carrying it are ever removed


@dataclass(frozen=True)
class DesktopFiles:
    data_home: Path

    @property
    def entry(self) -> Path:
        return self.data_home / "applications" / f"{APP_ID}.desktop"

    @property
    def icon(self) -> Path:
        return self.data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def user_data_home(environ: dict[str, str] | None = None, home: Path | None = None) -> Path:
    environ = dict(os.environ) if environ is None else environ
    value = environ.get("XDG_DATA_HOME")
    return Path(value) if value and os.path.isabs(value) else (home or Path.home()) / ".local" / "share"


def entry_text(template: str, command: Sequence[str]) -> str:
    """The shipped entry with Exec (and TryExec, for an absolute path) starting ``command``."""
    extra = [f"Exec={desktop_exec_line(command)}"]
    if os.path.isabs(command[0]):
        extra.append("TryExec=" + command[0].replace("\\", "\\\\"))
    extra.append(MARKER)
    out: list[str] = []
    for line in template.splitlines():
        if line.split("=", 1)[0].strip() in ("Exec", "TryExec", MARKER.split("=", 1)[0]):
            continue
        out.append(line)
        if line.strip() == "[Desktop Entry]":
            out += extra
    return "\n".join(out) + "\n"


def install(files: DesktopFiles, command: Sequence[str], template: Path, icon: Path) -> list[Path]:
    """Write the menu entry and the icon; returns what was written."""
    if not command:
        raise ValueError("no command to start Agent Companion")
    files.entry.parent.mkdir(parents=True, exist_ok=True)
    files.icon.parent.mkdir(parents=True, exist_ok=True)
    _write(files.entry, entry_text(template.read_text(encoding="utf-8"), command).encode("utf-8"))
    _write(files.icon, icon.read_bytes())
    return [files.entry, files.icon]


def uninstall(files: DesktopFiles) -> tuple[list[Path], list[Path]]:
    """Remove our menu entry and icon. Returns (removed, kept because they are not ours)."""
    removed, kept = [], []
    if files.entry.exists():
        if MARKER in files.entry.read_text(encoding="utf-8", errors="replace").splitlines():
            files.entry.unlink()
            removed.append(files.entry)
        else:
            kept.append(files.entry)
    if files.icon.exists():
        if removed or not kept:  # the icon goes with our entry (or alone, left by an interrupted uninstall)
            files.icon.unlink()
            removed.append(files.icon)
    return removed, kept


def _write(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically, readable by everyone (menus and icon caches run as the user or others)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def run(action: str, *, system: bool, autostart: bool, data_dir: Path,
        environ: dict[str, str] | None = None, out: Any = None) -> int:
    """The ``companion desktop`` command. Returns an exit status (0 done, 1 refused or failed)."""
    from companion import autostart as autostart_mod

    out = out or sys.stdout
    environ = dict(os.environ) if environ is None else environ
    if sys.platform in ("win32", "darwin"):
        print("companion: desktop entries are for Linux; on Windows and macOS use the installer's shortcuts "
              "(and Settings → Start Agent Companion when I log in).", file=sys.stderr)
        return 1
    if system and autostart:
        print("companion: --autostart is per user (each agent switches it on in Settings); "
              "leave out --system or --autostart.", file=sys.stderr)
        return 1
    files = DesktopFiles(SYSTEM_DATA_DIR if system else user_data_home(environ))
    login = autostart_mod.for_platform("linux", environ)
    try:
        return _apply(action, files, login, system, autostart, data_dir, out)
    except PermissionError as exc:
        hint = " (--system needs root: run it with sudo)" if system else ""
        print(f"companion: cannot change {exc.filename}: permission denied{hint}.", file=sys.stderr)
        return 1


def _apply(action: str, files: DesktopFiles, login: Any, system: bool, autostart: bool, data_dir: Path,
           out: Any) -> int:
    from companion import autostart as autostart_mod
    from companion import resources
    from companion.paths import default_data_dir

    if action == "install":
        command = autostart_mod.launch_command(data_dir, default_data_dir())
        written = install(files, command, resources.path("agent-companion.desktop"),
                          resources.path("icons/agent-companion.svg"))
        if autostart:
            login.enable(command)
            written.append(login.path)  # type: ignore[attr-defined]
        for path in written:
            print(f"installed {path}", file=out)
        print(f"Exec={desktop_exec_line(command)}", file=out)
        return 0
    removed, kept = uninstall(files)
    if not system and isinstance(login, XdgAutostart) and login.is_enabled():
        login.disable()
        removed.append(login.path)
    for path in removed:
        print(f"removed {path}", file=out)
    for path in kept:
        print(f"kept {path}: it was not installed by Agent Companion", file=out)
    if not removed and not kept:
        print("nothing to remove: no Agent Companion desktop entry is installed here", file=out)
    return 0
