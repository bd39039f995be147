"""Started where there is no display (an SSH session, a server): one clear line and exit status 2, not a Qt
abort with a core dump."""
import os
import subprocess

from tests.process import COMPANION
from ui.app import display_problem


def test_no_display_exits_with_one_clear_line_and_status_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([COMPANION, "--data-dir", str(tmp_path / "agent")], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no graphical display" in lines[0] and "DISPLAY" in lines[0]
    assert "core dumped" not in done.stderr and "qt.qpa" not in done.stderr
    assert not (tmp_path / "agent" / "companion.lock").exists()  # the lock is given back


def test_which_environments_count_as_having_a_display():
    assert display_problem({}, "linux") is not None
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None  # tests, screenshots
    assert display_problem({"QT_QPA_PLATFORM": "minimal:enable_fonts"}, "freebsd14") is None
    assert display_problem({"QT_QPA_PLATFORM": "xcb"}, "linux") is not None  # xcb still needs DISPLAY
    assert display_problem({}, "win32") is None and display_problem({}, "darwin") is None
