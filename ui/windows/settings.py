"""Settings: notification cap, long-call threshold, reset defaults, reduced motion, chime, autostart."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from companion import autostart as autostart_mod
from companion.config import PANEL_CORNERS, Settings
from companion.desk import Desk, known_patterns
from companion.errors import CompanionError
from ui.icons import app_icon
from ui import theme
from ui.widgets.feedback import Feedback
from ui.widgets.text import plain_label
from ui.widgets.keys import close_on_escape


class SettingsWindow(QWidget):
    def __init__(self, desk: Desk, autostart: autostart_mod.Autostart,
                 launch_command: Callable[[], list[str]], *, operations: Any = None,
                 detection: Any = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.autostart = autostart
        self.launch_command = launch_command
        self.setWindowTitle(theme.window_title("Settings"))
        close_on_escape(self)  # as Cancel: nothing is saved
        self.setWindowIcon(app_icon())
        s = desk.settings()
        form = QFormLayout()
        self.per_hour = QSpinBox()
        self.per_hour.setRange(1, 30)
        self.per_hour.setValue(s.notifications_per_hour)
        form.addRow("Notifications per hour, at most (1–30)", self.per_hour)
        self.long_call = QDoubleSpinBox()
        self.long_call.setRange(1, 120)
        self.long_call.setDecimals(0)
        self.long_call.setSuffix(" min")
        self.long_call.setValue(s.long_call_minutes)
        form.addRow("A call is long after (1–120 min)", self.long_call)
        self.offer = QCheckBox("Offer a reset after a long or tough call")
        self.offer.setChecked(s.offer_reset_after_calls)
        form.addRow(self.offer)
        self.pattern = QComboBox()
        for key, name in known_patterns():
            self.pattern.addItem(name, key)
        self.pattern.setCurrentIndex(max(0, self.pattern.findData(s.default_pattern)))
        form.addRow("Breathing pattern", self.pattern)
        self.reduced_motion = QCheckBox("Reduce motion (no breathing animation)")
        self.reduced_motion.setChecked(s.reduced_motion)
        form.addRow(self.reduced_motion)
        self.chime = QCheckBox("Play a soft chime when a reset ends")
        self.chime.setChecked(s.chime)
        form.addRow(self.chime)
        self.audio_pacing = QCheckBox("Soft tone at each breathing step (never during a call)")
        self.audio_pacing.setChecked(s.audio_pacing)
        form.addRow(self.audio_pacing)
        self.mood = QCheckBox("Ask how I feel before and after a reset (private)")
        self.mood.setChecked(s.mood_tap)
        form.addRow(self.mood)
        self.panel_corner = QComboBox()
        for key, name in PANEL_CORNERS.items():
            self.panel_corner.addItem(name, key)
        self.panel_corner.setCurrentIndex(max(0, self.panel_corner.findData(s.panel_corner)))
        form.addRow("Checklist panel during a call", self.panel_corner)
        self.start_at_login = QCheckBox("Start Agent Companion when I log in")
        self.start_at_login.setChecked(self.autostart.is_enabled())
        form.addRow(self.start_at_login)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        from ui.widgets.team_section import TeamSection  # team (issue 3): name, daily kudos limit, roster

        self.team = TeamSection(desk)
        layout.addWidget(self.team)
        # -- presence hooks (issue 13): its own section, ui/widgets/presence_section.py ---------------------
        from ui.widgets.presence_section import PresenceSection

        self.presence = PresenceSection(desk, operations)
        layout.addWidget(self.presence)
        # -- end of presence hooks ------------------------------------------------------------------------
        self._add_detection_section(layout, detection)
        self.error = Feedback()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.close)
        layout.addWidget(self.buttons)

    def collect(self) -> Settings:
        return self.desk.settings().with_changes(
            notifications_per_hour=self.per_hour.value(),
            long_call_minutes=float(self.long_call.value()),
            offer_reset_after_calls=self.offer.isChecked(),
            default_pattern=self.pattern.currentData(),
            reduced_motion=self.reduced_motion.isChecked(),
            chime=self.chime.isChecked(),
            audio_pacing=self.audio_pacing.isChecked(),
            mood_tap=self.mood.isChecked(),
            panel_corner=self.panel_corner.currentData(),
            **self.team.changes(),
            **self.presence.changes(),  # presence hooks (issue 13)
            **self.detection.changes(),
        )

    # -- automatic call detection (issue 13): its own section, kept apart from the rest of the window -----
    def _add_detection_section(self, layout: QVBoxLayout, detection: Any) -> None:
        from ui.widgets.detection_section import DetectionSection

        self.detection = DetectionSection(self.desk, detection)
        layout.addWidget(self.detection)

    def save(self) -> bool:
        """Save to the database first, then switch autostart; if that fails, put the settings back."""
        previous = self.desk.settings()
        try:
            self.desk.save_settings(self.collect())
        except (CompanionError, OSError) as exc:
            self.error.error(f"Not saved: {exc}")
            return False
        try:
            if self.start_at_login.isChecked():
                self.autostart.enable(self.launch_command())
            else:
                self.autostart.disable()
        except OSError as exc:
            try:
                self.desk.save_settings(previous)
            except (CompanionError, OSError):
                self.error.warning(f"Settings saved, but starting at login could not be changed ({exc}).")
                return False
            self.error.error(f"Not saved: starting at login could not be changed ({exc}).")
            return False
        self.detection.saved()
        self.error.clear()
        self.close()
        return True
