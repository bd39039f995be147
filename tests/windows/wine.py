"""Running Windows programs under Wine from the Linux test suite (tests/windows/).

The Wine prefix, the Windows CPython with the locked wheels and the frozen Windows folder come from
tests/windows/wine/env.sh and scripts/build-windows (cached under .cache/windows/ and dist/windows/); ``ensure``
builds whatever is missing or out of date, so the tests also run on a fresh clone (slowly, the first time).
"""
from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_SH = ROOT / "tests" / "windows" / "wine" / "env.sh"
APP = ROOT / "dist" / "windows" / "AgentCompanion"
SKIP_VARIABLE = "COMPANION_SKIP_WINDOWS"


class WineError(RuntimeError):
    pass


def winpath(path: os.PathLike[str] | str) -> str:
    """The Windows spelling (Z:\\...) of a Linux path, as Wine maps / to Z:."""
    return "Z:" + str(Path(path).resolve()).replace("/", "\\")


def _bash(script: str, timeout: float) -> str:
    res = subprocess.run(["bash", "-c", f"source {ENV_SH} && {script}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=timeout, stdin=subprocess.DEVNULL)
    if res.returncode != 0:
        raise WineError(f"{script} failed ({res.returncode}):\n{res.stdout[-3000:]}{res.stderr[-3000:]}")
    return res.stdout


@dataclass
class Wine:
    prefix: Path
    python: Path
    env: dict[str, str]
    log_threads: list[threading.Thread] = field(default_factory=list)

    def command(self, program: os.PathLike[str] | str, *args: str) -> list[str]:
        return ["wine", str(program), *args]

    def run(self, program: os.PathLike[str] | str, *args: str, input: str | None = None, timeout: float = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run a Windows console program to its end; its stdout and stderr come back together (through a pipe:
        Wine's console programs print nothing to a terminal that is not theirs)."""
        return subprocess.run(self.command(program, *args), cwd=ROOT, env={**self.env, **(env or {})}, text=True,
                              input=input, stdin=None if input is not None else subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                              encoding="utf-8", errors="replace")

    def popen(self, program: os.PathLike[str] | str, *args: str, log: Path,
              env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start a Windows program in the background; its output is copied to ``log``. The output goes through a
        pipe: under Wine 8 a Windows CPython whose stdout is a regular file dies in init_sys_streams."""
        proc = subprocess.Popen(self.command(program, *args), cwd=ROOT, env={**self.env, **(env or {})},
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

        def copy() -> None:
            assert proc.stdout is not None
            with proc.stdout, open(log, "ab") as out:
                for chunk in iter(lambda: proc.stdout.read1(65536), b""):
                    out.write(chunk)
                    out.flush()

        thread = threading.Thread(target=copy, name=f"wine-log-{proc.pid}", daemon=True)
        thread.start()
        self.log_threads.append(thread)
        return proc

    def stop_all(self) -> None:
        """End every Windows process of this test prefix (only this suite's: the prefix is ours alone)."""
        subprocess.run(["wineserver", "-k"], env=self.env, timeout=60, capture_output=True)
        subprocess.run(["wineserver", "-w"], env=self.env, timeout=60, capture_output=True)
        for thread in self.log_threads:  # their pipes reach EOF once the programs are gone
            thread.join(30)
        self.log_threads = [t for t in self.log_threads if t.is_alive()]


def ensure() -> Wine:
    """The Wine prefix with the Windows CPython, and the frozen Windows folder, built when missing or stale."""
    key = _bash('win_env_ready >&2 && printf "%s\\n%s\\n%s\\n" "$(win_app_key) $(wine --version)" "$WINEPREFIX" '
                '"$WIN_PY"', timeout=3600).splitlines()
    stamp = APP.parent / ".agent-companion-build"
    if not stamp.exists() or stamp.read_text().strip() != key[0] or not (APP / "AgentCompanion.exe").exists():
        res = subprocess.run(["bash", "scripts/build-windows"], cwd=ROOT, capture_output=True, text=True,
                             timeout=3600, stdin=subprocess.DEVNULL)
        if res.returncode != 0:
            raise WineError(f"scripts/build-windows failed:\n{res.stdout[-3000:]}{res.stderr[-3000:]}")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON", "QT_")) and k not in ("VIRTUAL_ENV", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(WINEPREFIX=key[1], WINEDEBUG="-all", WINEARCH="win64",
               WINEDLLOVERRIDES="mscms=n,b;winemenubuilder.exe=d")
    return Wine(prefix=Path(key[1]), python=Path(key[2]) / "python.exe", env=env)
