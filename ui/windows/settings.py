"""Settings in sections, chosen from a list on the left (arrow keys move between them; Tab goes into the
section): General, Resets, Calls & checklists, Notifications, Team, Call detection, Presence hooks, Your data.
Save and Cancel apply to every section at once; Your data's Export and Delete act at once (they are not
settings)."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
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
from ui.widgets.text import headline_label, plain_label
from ui.widgets.keys import close_on_escape

# (key, title, icon): the sections in order
SECTIONS = (
    ("general", "General", "settings"),
    ("resets", "Resets", "breathe"),
    ("calls", "Calls & checklists", "checklists"),
    ("notifications", "Notifications", "resume"),
    ("team", "Team", "group-breath"),
    ("detection", "Call detection", "call-start"),
    ("presence", "Presence hooks", "voice"),
    ("your_data", "Your data", "save"),
)


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
        self.pages: dict[str, QWidget] = {}
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Settings sections")
        self.stack = QStackedWidget()

        general = self._form_page("general")
        self.start_at_login = QCheckBox("Start Agent Companion when I log in")
        self.start_at_login.setChecked(self.autostart.is_enabled())
        general.addRow(self.start_at_login)
        self.reduced_motion = QCheckBox("Reduce motion (no breathing animation)")
        self.reduced_motion.setChecked(s.reduced_motion)
        general.addRow(self.reduced_motion)

        resets = self._form_page("resets")
        self.pattern = QComboBox()
        for key, name in known_patterns():
            self.pattern.addItem(name, key)
        self.pattern.setCurrentIndex(max(0, self.pattern.findData(s.default_pattern)))
        resets.addRow("Breathing pattern", self.pattern)
        self.offer = QCheckBox("Offer a reset after a long or tough call")
        self.offer.setChecked(s.offer_reset_after_calls)
        resets.addRow(self.offer)
        self.mood = QCheckBox("Ask how I feel before and after a reset (private)")
        self.mood.setChecked(s.mood_tap)
        resets.addRow(self.mood)
        self.chime = QCheckBox("Play a soft chime when a reset ends")
        self.chime.setChecked(s.chime)
        resets.addRow(self.chime)
        self.audio_pacing = QCheckBox("Soft tone at each breathing step (never during a call)")
        self.audio_pacing.setChecked(s.audio_pacing)
        resets.addRow(self.audio_pacing)

        calls = self._form_page("calls")
        self.long_call = QDoubleSpinBox()
        self.long_call.setRange(1, 120)
        self.long_call.setDecimals(0)
        self.long_call.setSuffix(" min")
        self.long_call.setValue(s.long_call_minutes)
        calls.addRow("A call is long after (1–120 min)", self.long_call)
        self.panel_corner = QComboBox()
        for key, name in PANEL_CORNERS.items():
            self.panel_corner.addItem(name, key)
        self.panel_corner.setCurrentIndex(max(0, self.panel_corner.findData(s.panel_corner)))
        calls.addRow("Checklist panel during a call", self.panel_corner)

        notifications = self._form_page("notifications")
        self.per_hour = QSpinBox()
        self.per_hour.setRange(1, 30)
        self.per_hour.setValue(s.notifications_per_hour)
        notifications.addRow("Notifications per hour, at most (1–30)", self.per_hour)
        notifications.addRow(plain_label("A call holds notifications until it ends; a pause (tray → Pause "
                                         "notifications) holds them until it runs out.", wrap=True))

        from ui.widgets.team_section import TeamSection  # team (issue 3): name, daily kudos limit, roster

        self.team = TeamSection(desk)
        self._page("team", self.team)
        self._add_detection_section(detection)
        # -- presence hooks (issue 13): its own section, ui/widgets/presence_section.py ---------------------
        from ui.widgets.presence_section import PresenceSection

        self.presence = PresenceSection(desk, operations)
        self._page("presence", self.presence)
        # -- end of presence hooks ------------------------------------------------------------------------
        from ui.widgets.your_data import YourDataSection

        self.your_data = YourDataSection(desk)
        self._page("your_data", self.your_data)

        for key, title, icon_name in SECTIONS:
            self.sidebar.addItem(title)
        self.sidebar.setFixedWidth(self.sidebar.sizeHintForColumn(0) + 4 * theme.space(2) + 24)
        self.sidebar.currentRowChanged.connect(self._section_changed)
        self.sidebar.setCurrentRow(0)
        self._section_changed(0)  # the first row may be current already (no signal): its icon all the same

        layout = QVBoxLayout(self)
        body = QHBoxLayout()
        body.addWidget(self.sidebar)
        body.addWidget(self.stack, 1)
        layout.addLayout(body, 1)
        self.error = Feedback()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        # the design system's icons, not the platform's (a floppy disk and a red cross under some desktops)
        theme.set_icon(self.buttons.button(QDialogButtonBox.StandardButton.Save), "save", "on_accent")
        theme.set_icon(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "close")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.close)
        layout.addWidget(self.buttons)
        self.resize(self.sidebar.width() + self.fontMetrics().averageCharWidth() * 78,
                    self.fontMetrics().height() * 30)

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
    def _add_detection_section(self, detection: Any) -> None:
        from ui.widgets.detection_section import DetectionSection

        self.detection = DetectionSection(self.desk, detection)
        self._page("detection", self.detection)

    # -- sections ---------------------------------------------------------------------------------------
    def _page(self, key: str, content: QWidget) -> QWidget:
        """A section: its title, then ``content``, scrolling if the window is short."""
        title = next(t for k, t, _ in SECTIONS if k == key)
        page = QWidget()
        page.setAccessibleName(title)
        column = QVBoxLayout(page)
        heading = headline_label()
        heading.setText(title)
        column.addWidget(heading)
        column.addWidget(content)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from the section list to the first control
        scroll.setWidget(page)
        scroll.setAccessibleName(title)
        self.stack.addWidget(scroll)
        self.pages[key] = content
        return page

    def _form_page(self, key: str) -> QFormLayout:
        holder = QWidget()
        form = QFormLayout(holder)
        form.setContentsMargins(0, 0, 0, 0)
        self._page(key, holder)
        return form

    def _section_changed(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        for index, (_, _, icon_name) in enumerate(SECTIONS):  # the chosen one's icon in the selection's text colour
            self.sidebar.item(index).setIcon(theme.icon(icon_name, "on_accent" if index == row else "text"))

    def show_section(self, key: str) -> None:
        """Open on a section ("your_data"), as the sidebar's arrow keys would."""
        self.sidebar.setCurrentRow([k for k, _, _ in SECTIONS].index(key))

    def current_section(self) -> str:
        return SECTIONS[self.stack.currentIndex()][0]

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
