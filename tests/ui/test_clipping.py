"""No cut text in any window at 1x and at 2x (QT_SCALE_FACTOR=2 on a 1920x1080 screen, i.e. 960x540 logical),
judged by widget geometry (tests/ui/clipping.py), not by eye. Each scale runs in its own offscreen process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QTableWidget, QVBoxLayout, QWidget

from tests.ui.clipping import clipped_texts

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ("tray quick panel", "tray stand-in window", "send kudos", "send kudos, with an error", "name prompt", "team feed", "voice of the customer", "group deep breath",
           "checklists editor", "settings", "my day", "delete my data", "in-call checklist panel", "my week",
           "in-call panel, outcome step", "reset")
SCREEN = {"screens": [{"name": "screen", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96,
                       "logicalBaseDpi": 96, "dpr": 1}]}
# Cut text found in the merged branches that the branch owning the window still has to fix (strict: the fix
# makes the test XPASS and fail, and the entry goes). Each says what is cut.
KNOWN_CUT = {
    # theme/main: since the presence-hook and call-detection sections joined it, Settings is taller than 2/3
    # of a 1080p screen (Qt's limit for a new window): its spin boxes are squeezed below their height and the
    # roster table to a sliver (needs sections or a scroll area: issue 11, "Settings in clear sections")
    "settings": "Settings taller than the screen allows: spin boxes squeezed",
}
_reports: dict[str, dict[str, list[str]]] = {}


def report(scale: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    if scale not in _reports:
        config = tmp_path_factory.mktemp("screen") / "screen.json"
        config.write_text(json.dumps(SCREEN))
        env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": scale,
               "COMPANION_THEME": "light"}
        done = subprocess.run([sys.executable, "-m", "tests.ui.clipping"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-3000:]
        _reports[scale] = json.loads(done.stdout)
    return _reports[scale]


@pytest.mark.parametrize("scale", ["1", "2"])
@pytest.mark.parametrize("window", [pytest.param(w, marks=pytest.mark.xfail(strict=True, reason=KNOWN_CUT[w]))
                                    if w in KNOWN_CUT else w for w in WINDOWS])
def test_no_text_is_cut(window, scale, tmp_path_factory):
    found = report(scale, tmp_path_factory)
    assert window in found, sorted(found)
    assert found[window] == []


# -- the checker itself ---------------------------------------------------------------------------------------
def test_the_checker_finds_a_cut_label_a_cut_button_and_a_short_wrapped_paragraph(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    fits = QLabel("Fits")
    cut = QLabel("A label far too long for the forty pixels it is given")
    cut.setFixedWidth(40)
    wrapped = QLabel("A wrapped paragraph of several words that needs more than one line at this width")
    wrapped.setWordWrap(True)
    wrapped.setFixedSize(120, 20)
    wraps_fine = QLabel("Short words wrap fine here")
    wraps_fine.setWordWrap(True)
    button = QPushButton("A button whose text cannot fit")
    button.setFixedWidth(60)
    box = QCheckBox("A check box squeezed")
    box.setFixedWidth(50)
    table = QTableWidget(1, 2)
    table.setHorizontalHeaderLabels(["A", "A column title far wider than its column"])
    table.horizontalHeader().resizeSection(1, 30)
    for widget in (fits, cut, wrapped, wraps_fine, button, box, table):
        layout.addWidget(widget)
    window.show()
    qtbot.waitExposed(window)
    found = clipped_texts(window)
    assert [line.split(":")[0] for line in found] == [
        "column title 'A column title far wider than its column'",
        "QLabel 'A label far too long for the forty pixels it is given'",
        "QLabel 'A wrapped paragraph of several words that needs more than one line at this width'",
        "QPushButton 'A button whose text cannot fit'",
        "QCheckBox 'A check box squeezed'",
    ]
