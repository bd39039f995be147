import pytest

from companion.errors import NotifyError
from companion.notify.base import NotifierChain
from companion.notify.plyer_backend import PlyerNotifier
from tests.fakes import FailingNotifier, RecordingNotifier


class Capture:
    def __init__(self, fail=False):
        self.calls = []
        self.fail = fail

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        if self.fail:
            raise RuntimeError("backend exploded")


@pytest.fixture
def linux_env(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "notify-send"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    return {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "PATH": str(bin_dir)}


def test_linux_text_is_escaped_so_it_stays_plain(linux_env):
    send = Capture()
    PlyerNotifier(send=send, platform="linux", environ=linux_env).notify("<b>Hi</b> & co", "-u critical <i>x</i>")
    (call,) = send.calls
    assert call["title"] == "&lt;b&gt;Hi&lt;/b&gt; &amp; co"
    assert not call["message"].startswith("-") and "&lt;i&gt;" in call["message"]
    assert call["app_name"] == "Agent Companion"


def test_other_platforms_get_the_text_as_is():
    send = Capture()
    PlyerNotifier(send=send, platform="win32", environ={}).notify("<b>Hi</b>", "body")
    assert send.calls[0]["title"] == "<b>Hi</b>"


def test_windows_balloons_get_no_svg_icon_which_they_cannot_load(linux_env):
    # plyer's Windows balloon loads the icon with LoadImage (.ico only); an SVG killed its thread (seen under
    # Wine by tests/windows/test_wine.py), so the notification never showed. Linux keeps the SVG.
    send = Capture()
    PlyerNotifier(send=send, platform="win32", environ={}, icon=r"C:\app\agent-companion.svg").notify("t", "b")
    PlyerNotifier(send=send, platform="win32", environ={}, icon=r"C:\app\agent-companion.ico").notify("t", "b")
    PlyerNotifier(send=send, platform="linux", environ=linux_env, icon="/app/agent-companion.svg").notify("t", "b")
    assert [call["app_icon"] for call in send.calls] == ["", r"C:\app\agent-companion.ico", "/app/agent-companion.svg"]


def test_linux_without_a_session_bus_falls_through(linux_env):
    env = dict(linux_env)
    del env["DBUS_SESSION_BUS_ADDRESS"]
    with pytest.raises(NotifyError, match="D-Bus"):
        PlyerNotifier(send=Capture(), platform="linux", environ=env).notify("t", "b")


def test_linux_without_notify_send_names_the_package(tmp_path):
    env = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "PATH": str(tmp_path)}
    with pytest.raises(NotifyError, match="libnotify-bin"):
        PlyerNotifier(send=Capture(), platform="linux", environ=env).notify("t", "b")


def test_backend_errors_become_notify_errors(linux_env):
    with pytest.raises(NotifyError, match="exploded"):
        PlyerNotifier(send=Capture(fail=True), platform="linux", environ=linux_env).notify("t", "b")


def test_chain_returns_the_backend_that_showed_it():
    chain = NotifierChain([FailingNotifier("a"), FailingNotifier("b"), RecordingNotifier("c")])
    assert chain.notify("t", "b") == "c"


def test_chain_with_nothing_working_raises():
    with pytest.raises(NotifyError):
        NotifierChain([FailingNotifier("a")]).notify("t", "b")


def test_linux_without_a_notification_daemon_falls_through(linux_env):
    send = Capture()
    notifier = PlyerNotifier(send=send, platform="linux", environ=linux_env, daemon_available=lambda: False)
    with pytest.raises(NotifyError, match="no notification daemon"):
        notifier.notify("t", "b")
    assert send.calls == []
    PlyerNotifier(send=send, platform="linux", environ=linux_env, daemon_available=lambda: True).notify("t", "b")
    assert len(send.calls) == 1
