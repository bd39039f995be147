"""The Windows build and its Windows code paths, under Wine (Wine 8 from Debian, Xvfb): what can be proven on
Linux before anyone touches a Windows PC. Marked ``windows``; they need Wine (scripts/setup installs it) and
fail when it is missing. COMPANION_SKIP_WINDOWS=1 skips them (the only way to), e.g. for a quick local run.

- the Windows CPython runs tests/windows/inside/ against the real Windows APIs: %LOCALAPPDATA% data folder,
  the Run key, the Credential Manager keyring backend, per-user pipe names;
- the frozen AgentCompanion.exe with the ``windows`` platform plugin under Xvfb: its tray icon is docked in the
  tray host, ``companion call start --ref 4711`` (companion.cmd) / ``status`` / ``call end`` / ``reset`` from a second
  Windows process reach it over the named pipe, and the reset window shows on screen (a screenshot, checked
  for content, in test-artifacts/windows/);
- the frozen ``companion migrate`` child upgrades an old database, and the tray process never maps SQLAlchemy;
- call detection in the frozen app: a second Windows process writes a microphone consent-store entry
  (``LastUsedTimeStop = 0``) for MicroSIP, one of the shipped suggested softphones, with ``winreg``; the app's
  ``RegNotifyChangeKeyValue`` watch sees it and ``companion status`` says on a call; ``LastUsedTimeStop`` set
  to a time ends the call, and so does removing the entry;
- ``AgentCompanion.exe team join`` against a real (Linux, loopback) team hub puts the secret into the Credential
  Manager and ``team status`` reads it back from there; the secret is in no file of the data folder.

What Wine cannot model: another Windows *user* (Wine runs everything as one user, so the pipe's per-user access
control - QLocalServer's UserAccessOption - is not exercised; the tests check that the pipe name is per user),
toast notifications, DPI scaling, SmartScreen and UAC. docs/operations.md lists the checks for a real PC.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.process import wait_for_line
from tests.windows.wine import APP, ROOT, Wine, winpath

pytestmark = pytest.mark.windows

ARTIFACTS = ROOT / "test-artifacts" / "windows"
EXE = APP / "AgentCompanion.exe"  # the tray app and the command line
SHIM = APP / "companion.cmd"  # `companion ...` on Windows


@pytest.fixture
def desktop():
    from tests.e2e.desktop import HeadlessDesktop

    with HeadlessDesktop().start(tray="tint2", wm=True, dunst=False) as session:
        yield session


def _gui_env(desktop, wine: Wine, ready: Path) -> dict[str, str]:
    env = {"DISPLAY": desktop.env["DISPLAY"], "COMPANION_READY_FILE": winpath(ready)}
    if desktop.env.get("XAUTHORITY"):
        env["XAUTHORITY"] = desktop.env["XAUTHORITY"]
    return env


def _cli(wine: Wine, data: Path, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    return wine.run(EXE, *args, "--data-dir", winpath(data), **kw)


def test_the_windows_cpython_passes_the_windows_platform_tests(wine: Wine):
    res = wine.run(wine.python, "-m", "pytest", "-q", "-c", "tests/windows/inside/pytest.ini",
                   "--rootdir", "tests/windows/inside", "tests/windows/inside", timeout=900)
    assert res.returncode == 0, res.stdout[-4000:]
    assert " passed" in res.stdout and "failed" not in res.stdout, res.stdout[-4000:]


def _changed_pixels(before: Path, after: Path) -> int:
    res = subprocess.run(["compare", "-metric", "AE", "-fuzz", "5%", str(before), str(after), "null:"],
                         capture_output=True, text=True, timeout=60)
    return int(float(res.stderr.split()[0]))


def _colours(image: Path) -> int:
    res = subprocess.run(["identify", "-format", "%k", str(image)], capture_output=True, text=True, timeout=60)
    return int(res.stdout.strip())


def test_the_frozen_app_docks_in_the_tray_and_answers_over_the_named_pipe(wine: Wine, desktop, tmp_path: Path):
    data, ready = tmp_path / "data", tmp_path / "ready"
    proc = wine.popen(EXE, "--data-dir", winpath(data), log=tmp_path / "app.log",
                      env=_gui_env(desktop, wine, ready))
    try:
        wait_for_line(ready, "services-ready", timeout=240)
        assert "tray-shown" in ready.read_text().splitlines()
        icons = desktop.wait_for(lambda: [i for i in desktop.tray_icons() if i.viewable], timeout=60,
                                 message="the Windows app's tray icon never docked in the tray host")
        assert icons[0].size and min(icons[0].size) > 0

        # a second Windows process (the softphone's `companion call ...`, through the companion.cmd shim)
        # reaches the app over the named pipe
        started = wine.run("cmd", "/c", winpath(SHIM), "call", "start", "--ref", "4711", "--data-dir", winpath(data))
        assert started.returncode == 0, started.stdout
        status = _cli(wine, data, "status")
        assert status.returncode == 0 and "On a call" in status.stdout, status.stdout
        ended = _cli(wine, data, "call", "end")
        assert ended.returncode == 0, ended.stdout
        status = _cli(wine, data, "status")
        assert status.returncode == 0 and status.stdout.strip() == "Ready", status.stdout

        # the reset window, opened from the command line, is on screen with real content
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        before = desktop.screenshot(tmp_path / "before.png")
        reset = _cli(wine, data, "reset", "--minutes", "1")
        assert reset.returncode == 0, reset.stdout
        shot = ARTIFACTS / "reset-window.png"

        def reset_window_drawn() -> bool:
            desktop.screenshot(shot)
            return _changed_pixels(before, shot) > 40_000

        desktop.wait_for(reset_window_drawn, timeout=60, interval=1.0,
                         message="the reset window never appeared on the screen")
        time.sleep(2)  # let the breathing animation draw a frame or two
        desktop.screenshot(shot)
        assert _changed_pixels(before, shot) > 40_000
        assert _colours(shot) > 50, "the reset window looks empty (too few colours)"
    finally:
        proc.kill()
        proc.wait(30)
        wine.stop_all()
    log = (tmp_path / "app.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


CONSENT_STORE = r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\microphone"
# A desktop softphone's entry, as Windows names it (its path with # for \). MicroSIP is one of the shipped
# suggested softphones (companion.calls.apps.SUGGESTED): with no softphone ticked yet in Settings, it counts.
SOFTPHONE = r"NonPackaged\C:#Program Files#MicroSIP#microsip.exe"
FILETIME_2026 = 134_100_000_000_000_000  # some FILETIME in 2026 (100 ns since 1601)


def _consent_store(wine: Wine, code: str) -> None:
    """Run ``code`` in a second Windows process (the Windows CPython) with ``winreg`` imported, ``key(sub)``
    creating/opening a key below the microphone consent store and ``qword(key, name, value)`` setting a
    REG_QWORD, as Windows' capability access manager writes them."""
    script = ("import winreg\n"
              f"ROOT = {CONSENT_STORE!r}\n"
              "def key(sub=''):\n"
              "    return winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, ROOT + ('\\\\' + sub if sub else ''), 0,"
              " winreg.KEY_ALL_ACCESS)\n"
              "def qword(k, name, value):\n"
              "    winreg.SetValueEx(k, name, 0, winreg.REG_QWORD, value)\n" + code)
    res = wine.run(wine.python, "-c", script, timeout=120)
    assert res.returncode == 0, res.stdout


_DELETE_SOFTPHONE = ("import contextlib\n"
                     "with contextlib.suppress(FileNotFoundError):\n"
                     f"    winreg.DeleteKey(winreg.HKEY_CURRENT_USER, ROOT + '\\\\' + {SOFTPHONE!r})\n")


def _status(wine: Wine, data: Path) -> str:
    res = _cli(wine, data, "status")
    assert res.returncode == 0, res.stdout
    return res.stdout.strip()


def test_the_frozen_app_detects_a_call_from_the_microphone_consent_store(wine: Wine, desktop, tmp_path: Path):
    data, ready = tmp_path / "data", tmp_path / "ready"
    _consent_store(wine, _DELETE_SOFTPHONE + "key('NonPackaged').Close()\n")
    proc = wine.popen(EXE, "--data-dir", winpath(data), log=tmp_path / "app.log",
                      env=_gui_env(desktop, wine, ready))
    try:
        wait_for_line(ready, "services-ready", timeout=240)
        assert _status(wine, data) == "Ready"

        # the softphone takes the microphone: Windows writes LastUsedTimeStart and LastUsedTimeStop = 0
        _consent_store(wine, f"k = key({SOFTPHONE!r})\nqword(k, 'LastUsedTimeStart', {FILETIME_2026})\n"
                             "qword(k, 'LastUsedTimeStop', 0)\nk.Close()\n")
        desktop.wait_for(lambda: "On a call" in _status(wine, data), timeout=60, interval=1.0,
                         message="the frozen app never saw the softphone's microphone use as a call")

        # it lets go of the microphone: LastUsedTimeStop is set; the call ends after the end delay (4 s)
        _consent_store(wine, f"k = key({SOFTPHONE!r})\nqword(k, 'LastUsedTimeStop', {FILETIME_2026 + 600_000_000})"
                             "\nk.Close()\n")
        desktop.wait_for(lambda: _status(wine, data) == "Ready", timeout=60, interval=1.0,
                         message="the frozen app never ended the detected call")

        # the next call; this time the entry is removed (e.g. the softphone was uninstalled mid-call)
        _consent_store(wine, f"k = key({SOFTPHONE!r})\nqword(k, 'LastUsedTimeStop', 0)\nk.Close()\n")
        desktop.wait_for(lambda: "On a call" in _status(wine, data), timeout=60, interval=1.0,
                         message="the frozen app never saw the second call")
        _consent_store(wine, _DELETE_SOFTPHONE)
        desktop.wait_for(lambda: _status(wine, data) == "Ready", timeout=60, interval=1.0,
                         message="the frozen app never ended the call whose consent-store entry was removed")
    finally:
        proc.kill()
        proc.wait(30)
        _consent_store(wine, _DELETE_SOFTPHONE)
        wine.stop_all()
    log = (tmp_path / "app.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    companion_log = (data / "companion.log").read_text(errors="replace")
    assert "consent store cannot be read" not in companion_log, companion_log[-3000:]


def test_the_frozen_migrate_child_upgrades_an_old_database(wine: Wine, desktop, tmp_path: Path):
    from companion.db import schema

    data, ready = tmp_path / "old", tmp_path / "ready"
    data.mkdir()
    shutil.copy(ROOT / "tests" / "db" / "samples" / f"schema-{schema.REVISIONS[0]}.sqlite", data / "companion.sqlite")
    proc = wine.popen(EXE, "--data-dir", winpath(data), log=tmp_path / "app.log",
                      env=_gui_env(desktop, wine, ready))
    try:
        wait_for_line(ready, "services-ready", timeout=240)
        con = sqlite3.connect(f"file:{data / 'companion.sqlite'}?mode=ro", uri=True)
        try:
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            con.close()
        assert revision == schema.HEAD
        assert list((data / "backups").iterdir()), "no backup was taken before the upgrade"
        maps = Path(f"/proc/{proc.pid}/maps").read_text(errors="replace")
        assert "python311.dll" in maps  # the memory map is the Windows process's ...
        assert "sqlalchemy" not in maps.lower()  # ... and the tray never loaded SQLAlchemy (the child did)
    finally:
        proc.kill()
        proc.wait(30)
        wine.stop_all()


def test_team_join_keeps_the_secret_in_the_credential_manager(wine: Wine, pg_cluster, tmp_path: Path):
    from companion.team import provision

    pg_cluster.create_database("hub_wine")
    provision.init_hub(pg_cluster.admin_url("hub_wine"))
    secret = provision.add_agent(pg_cluster.admin_url("hub_wine"), "wine_dana", "red", display_name="Dana")
    data = tmp_path / "data"
    joined = _cli(wine, data, "team", "join", pg_cluster.url("hub_wine"), "--user", "wine_dana", "--secret-stdin",
                  input=secret + "\n")
    assert joined.returncode == 0, joined.stdout
    assert "WinVaultKeyring" in joined.stdout, joined.stdout
    status = _cli(wine, data, "team", "status")
    assert status.returncode == 0, status.stdout
    assert "wine_dana" in status.stdout and "online" in status.stdout.lower(), status.stdout
    for path in data.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), f"the secret is in {path}"
    # the Credential Manager (Wine keeps it in the prefix's registry) holds it, not as plain text
    assert secret.encode() not in (wine.prefix / "user.reg").read_bytes()
    left = _cli(wine, data, "team", "leave")
    assert left.returncode == 0, left.stdout
    probe = wine.run(wine.python, "-c", "import keyring; print(keyring.get_keyring().__class__.__name__)")
    assert "WinVaultKeyring" in probe.stdout
