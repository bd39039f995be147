"""Self-test of the e2e harness (tests/e2e/desktop.py): if these fail, the app's e2e results mean nothing.

Qt runs only in subprocesses here (never in the pytest process).
"""
from __future__ import annotations

import os
import struct
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.e2e.desktop import DesktopUnavailable, HeadlessDesktop, missing_programs

TRAY_SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtGui import QColor, QIcon, QPixmap
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    app = QApplication(sys.argv)
    print(f"platform={app.platformName()} available={QSystemTrayIcon.isSystemTrayAvailable()}", flush=True)
    pixmap = QPixmap(22, 22)
    pixmap.fill(QColor("red"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    tray.setToolTip("e2e self-test")
    tray.show()
    sys.exit(app.exec())
    """
)


def test_tray_host_owns_the_xembed_selection(desktop: HeadlessDesktop) -> None:
    assert desktop.tray_owned()
    # With a StatusNotifierWatcher on the bus Qt would use SNI, and nothing would appear in tint2.
    assert not desktop.sni_watcher_present()


def test_env_points_at_the_private_session(desktop: HeadlessDesktop) -> None:
    env = desktop.env
    assert env["DISPLAY"] == desktop.display
    assert env["DBUS_SESSION_BUS_ADDRESS"] == desktop.bus_address
    assert "QT_QPA_PLATFORM" not in env and "WAYLAND_DISPLAY" not in env
    for var in ("XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        path = Path(env[var])
        assert path.is_dir() and desktop.dir in path.parents
        assert path.stat().st_mode & 0o777 == 0o700


def test_notify_send_is_seen(desktop: HeadlessDesktop) -> None:
    title = f"e2e-selftest-{uuid.uuid4().hex[:12]}"
    body = 'two\nlines with "quotes"'
    res = desktop.run(["notify-send", "--app-name=e2e-selftest", title, body])
    assert res.returncode == 0, res.stderr

    note = desktop.wait_for_notification(title, timeout=10)
    assert note["body"] == body
    assert note["appname"] == "e2e-selftest"
    assert note["id"], "dunst should have answered the Notify call with an id"
    assert note["error"] is None
    assert [n["summary"] for n in desktop.notifications()].count(title) == 1


def test_closed_notifications_reach_dunst_history(desktop: HeadlessDesktop) -> None:
    title = f"e2e-history-{uuid.uuid4().hex[:12]}"
    assert desktop.run(["notify-send", title, "body"]).returncode == 0
    note = desktop.wait_for_notification(title)
    desktop.close_all_notifications()
    history = desktop.wait_for(lambda: [h for h in desktop.dunst_history() if h.get("summary") == title], 5)
    assert history[0]["id"] == note["id"]
    desktop.wait_for(lambda: desktop.wait_for_notification(title)["closed_reason"] is not None, 5)


def test_qt_tray_icon_is_embedded_via_xembed(desktop: HeadlessDesktop, tmp_path: Path) -> None:
    script = tmp_path / "tray.py"
    script.write_text(TRAY_SCRIPT)
    out_path, err_path = tmp_path / "out.txt", tmp_path / "err.txt"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen([sys.executable, str(script)], env=desktop.env, stdout=out, stderr=err)
    try:
        desktop.wait_for(
            lambda: desktop.has_tray_icon(proc.pid) or proc.poll() is not None, 20,
            message=f"no tray icon for pid {proc.pid}; icons: {desktop.tray_icons()}",
        )
        assert proc.poll() is None, f"tray script exited: {err_path.read_text()}"
        icon = next(i for i in desktop.tray_icons() if i.pid == proc.pid)
        assert icon.viewable and icon.size and min(icon.size) >= 16
    finally:
        proc.terminate()
        proc.wait(10)
    assert out_path.read_text().strip() == "platform=xcb available=True"
    assert err_path.read_text() == "", "Qt printed warnings under the test desktop"
    desktop.wait_for(lambda: not desktop.has_tray_icon(proc.pid), 5, message="tray icon outlived its process")


def test_keyring_is_unlocked(desktop: HeadlessDesktop) -> None:
    code = (
        "import keyring; k = keyring.get_keyring(); "
        "keyring.set_password('e2e-selftest', 'agent', 's3cret'); "
        "print(type(k).__module__, keyring.get_password('e2e-selftest', 'agent'))"
    )
    res = desktop.run([sys.executable, "-c", code], timeout=30)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["keyring.backends.SecretService", "s3cret"]
    # The Secret Service is the gnome-keyring-daemon this desktop started (not one it forked or activated).
    assert desktop.bus_name_pid("org.freedesktop.secrets") == desktop.pids["keyring"]


def test_screenshot_is_a_png_of_the_screen(desktop: HeadlessDesktop, tmp_path: Path) -> None:
    path = desktop.screenshot(tmp_path / "screen.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 500
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == desktop.size


def test_second_desktop_stops_only_its_own_processes(desktop: HeadlessDesktop) -> None:
    other = HeadlessDesktop()
    with other.start(tray="tint2", wm=True, dunst=True):
        assert other.display != desktop.display
        assert other.bus_address != desktop.bus_address
        assert other.tray_owned()
        pids = other.pids
        tmp = other.dir
    for name, pid in pids.items():
        assert not _alive(pid), f"{name} ({pid}) still running after stop()"
    assert tmp is not None and not tmp.exists()
    desktop.check_alive()  # the session desktop was not touched
    assert desktop.tray_owned()


def test_missing_programs_are_named_with_their_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: nothing can be found
    missing = missing_programs(tray="tint2", keyring=True)
    assert missing["Xvfb"] == "xvfb" and missing["tint2"] == "tint2" and missing["dunst"] == "dunst"
    with pytest.raises(DesktopUnavailable, match=r"Xvfb \(xvfb\)"):
        HeadlessDesktop().start()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        return os.path.exists(f"/proc/{pid}")
