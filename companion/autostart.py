"""Start Agent Companion at login: XDG autostart (Linux), the Run registry key (Windows), a LaunchAgent
(macOS). Each platform is a small class with the same three methods; all three are unit-tested with
temporary folders and a fake registry, whatever the platform running the tests.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Protocol, Sequence

from companion import APP_ID, APP_NAME

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "AgentCompanion"
LAUNCH_AGENT_LABEL = "org.agentcompanion.companion"


class Autostart(Protocol):
    def enable(self, command: Sequence[str]) -> None: ...

    def disable(self) -> None: ...

    def is_enabled(self) -> bool: ...


def _desktop_quote(arg: str) -> str:
    # Desktop Entry spec: quote with double quotes and escape " ` $ \ inside with a backslash; the file's
    # string escaping then doubles every backslash (a literal backslash ends up as four).
    if any(ord(c) < 32 or ord(c) == 127 for c in arg):
        raise ValueError(f"a control character cannot go into a desktop entry: {arg!r}")
    if arg and all(c.isalnum() or c in "-_./=:@+," for c in arg):
        return arg
    escaped = "".join("\\\\" + ("\\\\" if c == "\\" else c) if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def desktop_exec_line(command: Sequence[str]) -> str:
    """The value of a desktop entry's Exec key that runs ``command`` (each argument quoted as needed)."""
    return " ".join(_desktop_quote(a).replace("%", "%%") for a in command)


class XdgAutostart:
    def __init__(self, config_home: Path) -> None:
        self.path = config_home / "autostart" / f"{APP_ID}.desktop"

    def enable(self, command: Sequence[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        exec_line = desktop_exec_line(command)
        self.path.write_text(
            "[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={APP_NAME}\n"
            "Comment=Stress resets and calm notifications beside your softphone\n"
            f"Exec={exec_line}\n"
            "Icon=agent-companion\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n",
            encoding="utf-8",
        )

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        return self.path.exists()


class WindowsRunKey:
    """HKCU Run key. ``registry`` is the winreg module (or a fake with the same functions)."""

    def __init__(self, registry: Any) -> None:
        self.reg = registry

    def enable(self, command: Sequence[str]) -> None:
        line = " ".join(f'"{a}"' if " " in a else a for a in command)
        with self.reg.CreateKey(self.reg.HKEY_CURRENT_USER, RUN_KEY) as key:
            self.reg.SetValueEx(key, RUN_VALUE, 0, self.reg.REG_SZ, line)

    def disable(self) -> None:
        try:
            with self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, RUN_KEY, 0, self.reg.KEY_SET_VALUE) as key:
                self.reg.DeleteValue(key, RUN_VALUE)
        except FileNotFoundError:
            pass

    def is_enabled(self) -> bool:
        try:
            with self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, RUN_KEY) as key:
                self.reg.QueryValueEx(key, RUN_VALUE)
                return True
        except FileNotFoundError:
            return False


class MacLaunchAgent:
    def __init__(self, home: Path) -> None:
        self.path = home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"

    def enable(self, command: Sequence[str]) -> None:
        import plistlib

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "wb") as fh:
            plistlib.dump({"Label": LAUNCH_AGENT_LABEL, "ProgramArguments": list(command),
                           "RunAtLoad": True, "ProcessType": "Interactive"}, fh)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        return self.path.exists()


def for_platform(platform: str = sys.platform, environ: dict[str, str] | None = None,
                 home: Path | None = None, registry: Any = None) -> Autostart:
    environ = dict(os.environ) if environ is None else environ
    home = home or Path.home()
    if platform == "win32":
        if registry is None:  # pragma: no cover - Windows only
            import winreg as registry
        return WindowsRunKey(registry)
    if platform == "darwin":
        return MacLaunchAgent(home)
    return XdgAutostart(Path(environ.get("XDG_CONFIG_HOME") or home / ".config"))


def launch_command(data_dir: Path | None = None, default_data_dir: Path | None = None,
                   argv0: str | None = None, frozen: bool | None = None) -> list[str]:
    """The command that starts this installation of Agent Companion on this data folder.

    A non-default data folder is passed on, so the instance started at login is the one the softphone's
    ``companion call …`` commands (run with the same folder) talk to.
    """
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    path = Path(argv0 or sys.argv[0])
    if frozen:
        command = [sys.executable]
    elif path.name in ("companion", "companion.exe") and path.exists():
        command = [str(path.resolve())]
    else:
        command = [sys.executable, "-m", "ui"]
    if data_dir is not None and data_dir != default_data_dir:
        command += ["--data-dir", str(data_dir)]
    return command
