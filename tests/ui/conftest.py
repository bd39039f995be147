import pytest

from companion.autostart import XdgAutostart
from ui.controller import Controller


class ChimeRecorder:
    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1


@pytest.fixture
def chime():
    return ChimeRecorder()


@pytest.fixture
def controller(qtbot, desk, chime, tmp_path):
    ctrl = Controller(use_tray=False, chime=chime, autostart=XdgAutostart(tmp_path / "config"),
                      launch_command=lambda: ["/usr/bin/companion"])
    ctrl.attach(desk)
    ctrl.tray.show()
    qtbot.addWidget(ctrl.tray.standin)
    yield ctrl
    ctrl.shutdown()


@pytest.fixture(autouse=True, scope="session")
def themed_app(qapp):
    """Every ui test runs with the app's palette and stylesheet, as the real app does (ui/app.py)."""
    from ui import theme

    theme.apply(qapp, "light")
    return qapp
