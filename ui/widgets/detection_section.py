"""Settings → Automatic call detection (issue 13): on/off, the debounce, whether it works now, and the apps seen
using the microphone with a tick box each ("this is my softphone") and "keeps the mic open".

Only rows the agent changed are stored, so the shipped suggestions stay suggestions until the agent confirms
one (companion.calls.apps).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QVBoxLayout,
)

from companion.calls.apps import MicApps
from companion.desk import Desk
from ui.widgets.text import plain_label


class DetectionSection(QGroupBox):
    def __init__(self, desk: Desk, detection: Any = None) -> None:
        super().__init__("Automatic call detection")
        self.desk = desk
        self.detection = detection
        self.apps: MicApps = detection.apps if detection is not None else MicApps(desk.store)
        s = desk.settings()
        layout = QVBoxLayout(self)
        self.status = plain_label(detection.status_text() if detection is not None
                                  else "Call detection starts a moment after Agent Companion.", wrap=True)
        layout.addWidget(self.status)
        self.enabled = QCheckBox("Notice my calls by themselves (from the softphone using the microphone)")
        self.enabled.setChecked(s.call_detection)
        layout.addWidget(self.enabled)
        form = QFormLayout()
        self.start_seconds = QDoubleSpinBox()
        self.start_seconds.setRange(0.5, 30)
        self.start_seconds.setDecimals(1)
        self.start_seconds.setSuffix(" s")
        self.start_seconds.setValue(s.detect_start_seconds)
        form.addRow("A call starts after the softphone used the microphone for", self.start_seconds)
        self.end_seconds = QDoubleSpinBox()
        self.end_seconds.setRange(1, 60)
        self.end_seconds.setDecimals(1)
        self.end_seconds.setSuffix(" s")
        self.end_seconds.setValue(s.detect_end_seconds)
        form.addRow("… and ends after it let go of it for", self.end_seconds)
        layout.addLayout(form)
        layout.addWidget(plain_label(
            "Tick your softphone. A browser can be your softphone (Genesys Cloud, Amazon Connect, Five9 …). If it "
            "keeps the microphone open between calls, tick “keeps the mic open”: detection is then off for it "
            "(use `companion call start` / `call end`, see the README). Only which app uses the microphone is "
            "seen; nothing is ever recorded.", wrap=True))
        grid = QGridLayout()
        self.rows: dict[str, tuple[QCheckBox, QCheckBox, bool, bool]] = {}
        seen = self.apps.all()
        if not seen:
            grid.addWidget(plain_label("No app has used the microphone yet."), 0, 0)
        for i, app in enumerate(seen):
            label = app.name if not app.binary or app.binary.lower() == app.name.lower() else \
                f"{app.name} ({app.binary})"
            mine = QCheckBox(label + (" — suggested" if app.softphone is None and app.suggested else ""))
            mine.setChecked(self.apps.is_softphone(app))
            keeps = QCheckBox("keeps the mic open")
            keeps.setChecked(app.keeps_mic_open)
            grid.addWidget(mine, i, 0)
            grid.addWidget(keeps, i, 1)
            self.rows[app.key] = (mine, keeps, mine.isChecked(), keeps.isChecked())
        layout.addLayout(grid)

    def changes(self) -> dict[str, Any]:
        return {"call_detection": self.enabled.isChecked(),
                "detect_start_seconds": float(self.start_seconds.value()),
                "detect_end_seconds": float(self.end_seconds.value())}

    def app_choices(self) -> dict[str, tuple[bool, bool]]:
        """The rows the agent changed: key -> (softphone, keeps the mic open)."""
        return {key: (mine.isChecked(), keeps.isChecked())
                for key, (mine, keeps, was_mine, was_keeps) in self.rows.items()
                if (mine.isChecked(), keeps.isChecked()) != (was_mine, was_keeps)}

    def saved(self) -> None:
        """After the settings were saved: store the app choices and let detection follow."""
        choices = self.app_choices()
        if choices:
            self.apps.apply(choices)
        if self.detection is not None:
            self.detection.apply_settings()
