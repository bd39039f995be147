"""The reset window: a calm place for one to five minutes.

A breathing guide (or a still circle with reduced motion), the phase in words, a countdown, "End now"
at any time, an optional private mood tap before and after, and "Vent & shred": a box to type what you
need to get out, which is never stored and is cleared when you shred it or close the window.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from companion.desk import Desk
from companion.errors import CompanionError
from companion.reset.session import COMPLETED, INTERRUPTED, ResetSession
from ui.icons import app_icon
from ui.widgets.breathing import BreathingWidget
from ui.widgets.mood import MoodTap
from ui.widgets.text import plain_label

log = logging.getLogger(__name__)

FRAME_MS = 40        # animation tick while breathing (25 fps); nothing ticks when no reset runs
CALM_MS = 500        # reduced motion: the countdown only
MOOD_BEFORE_SECONDS = 20
ACK_MS = 1000        # the "after" mood tap: "Noted privately" stays this long before the window closes


def mmss(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class ResetWindow(QWidget):
    finished = Signal(object)   # the recorded ResetSession

    def __init__(self, desk: Desk, session: ResetSession, chime: Callable[[], None] | None = None) -> None:
        # On top while it runs: the agent asked for this break (a call starting closes it).
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.desk = desk
        self.session = session
        self._chime = chime
        self.record_id: str | None = None
        settings = desk.settings()
        self.setWindowTitle(f"Reset — {session.pattern.name}")
        self.setWindowIcon(app_icon())
        self.setStyleSheet("ResetWindow { background: #f4f7fa; }")
        self.resize(460, 600)

        self.pages = QStackedWidget()
        root = QVBoxLayout(self)
        root.addWidget(self.pages)

        # -- breathing page
        breathing = QWidget()
        layout = QVBoxLayout(breathing)
        self.mood_before = MoodTap("Before you start: how are you right now? (private, optional)")
        self.mood_before.chosen.connect(self._mood_before_chosen)
        self.mood_before.setVisible(settings.mood_tap)
        layout.addWidget(self.mood_before)
        self.title = plain_label(session.pattern.name)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.hint = plain_label(session.pattern.description, wrap=True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.hint)
        self.guide = BreathingWidget(reduced_motion=settings.reduced_motion)
        layout.addWidget(self.guide, 1)
        self.phase_label = plain_label("")
        self.phase_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.phase_label.font()
        font.setPointSize(font.pointSize() + 6)
        self.phase_label.setFont(font)
        layout.addWidget(self.phase_label)
        self.countdown = plain_label("")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.countdown)

        self.vent_panel = QWidget()
        vent_layout = QVBoxLayout(self.vent_panel)
        vent_layout.setContentsMargins(0, 0, 0, 0)
        vent_layout.addWidget(plain_label("Type what you need to get out. It is never saved.", wrap=True))
        self.vent_edit = QPlainTextEdit()
        self.vent_edit.setUndoRedoEnabled(False)
        self.vent_edit.setPlaceholderText("Nobody will read this.")
        vent_layout.addWidget(self.vent_edit)
        self.shred_button = QPushButton("Shred it")
        self.shred_button.clicked.connect(self.shred)
        vent_layout.addWidget(self.shred_button)
        self.shred_note = plain_label("")
        vent_layout.addWidget(self.shred_note)
        self.vent_panel.hide()
        layout.addWidget(self.vent_panel)

        buttons = QHBoxLayout()
        self.vent_button = QPushButton("Vent && shred")
        self.vent_button.setCheckable(True)
        self.vent_button.toggled.connect(self._toggle_vent)
        buttons.addWidget(self.vent_button)
        buttons.addStretch(1)
        self.end_button = QPushButton("End now")
        self.end_button.clicked.connect(self.end_now)
        buttons.addWidget(self.end_button)
        layout.addLayout(buttons)
        self.pages.addWidget(breathing)

        # -- done page
        done = QWidget()
        done_layout = QVBoxLayout(done)
        done_layout.addStretch(1)
        self.done_label = plain_label("", wrap=True)
        self.done_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        done_layout.addWidget(self.done_label)
        self.mood_after = MoodTap("And now? (private, optional)")
        self.mood_after.chosen.connect(self._mood_after_chosen)
        done_layout.addWidget(self.mood_after)
        # Close sits in the middle, away from where "End now" was: a second click must not close.
        close_row = QHBoxLayout()
        close_row.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        self._close_later = QTimer(self)  # owned by the window: never fires on a closed one
        self._close_later.setSingleShot(True)
        self._close_later.setInterval(ACK_MS)
        self._close_later.timeout.connect(self.close)
        close_row.addWidget(self.close_button)
        close_row.addStretch(1)
        done_layout.addLayout(close_row)
        done_layout.addStretch(1)
        self.pages.addWidget(done)

        self.timer = QTimer(self)
        self.timer.setInterval(CALM_MS if settings.reduced_motion else FRAME_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.tick()

    # -- running ----------------------------------------------------------------------------------
    def tick(self) -> None:
        if self.desk.resets.current is not self.session:
            return
        now = self.desk.clock.monotonic()
        snap = self.session.snapshot(now)
        if snap.elapsed > MOOD_BEFORE_SECONDS and self.mood_before.skip.isEnabled():
            self.mood_before.close_tap("How you felt before: not noted.")
        self.guide.show_snapshot(self.session.pattern, snap)
        self.phase_label.setText(snap.phase.label)
        self.countdown.setText(f"{mmss(snap.remaining)} left")
        done = self.desk.finish_reset_if_due()
        if done is not None:
            self._finished(done)

    def end_now(self) -> None:
        done = self.desk.end_reset()
        if done is not None:
            self._finished(done)

    def _finished(self, session: ResetSession) -> None:
        self.timer.stop()
        self.shred()
        self.record_id = getattr(session, "record_id", None)
        if session.state == COMPLETED:
            self.done_label.setText(f"Well done. {mmss(session.actual_seconds)} just for you.")
            if self.desk.settings().chime and self._chime is not None:
                self._chime()
        elif session.state == INTERRUPTED:
            self.done_label.setText("The reset stopped while the computer was asleep. Take another any time.")
        else:
            self.done_label.setText(f"Ended after {mmss(session.actual_seconds)}. Every breath counts.")
        self.mood_after.setVisible(self.desk.settings().mood_tap)
        self.pages.setCurrentIndex(1)
        self.finished.emit(session)

    # -- mood -------------------------------------------------------------------------------------
    def _mood_before_chosen(self, mood: int | None) -> None:
        if self.desk.resets.current is self.session:
            self.desk.resets.set_mood_before(mood)

    def _mood_after_chosen(self, mood: int | None) -> None:
        if mood is not None and self.record_id is not None:
            try:
                self.desk.resets.set_mood_after(self.record_id, mood)
            except CompanionError as exc:
                self.done_label.setText(str(exc))
                return
        self._close_later.start()  # the tap says "Noted privately" in place; then the window goes

    def _toggle_vent(self, on: bool) -> None:
        self.vent_panel.setVisible(on)
        if on:
            self.vent_edit.setFocus()  # type straight away; a space must not toggle the button

    # -- vent & shred -----------------------------------------------------------------------------
    def shred(self) -> None:
        """The text only ever lives in the editor's document (never a model, file or log): clear it."""
        document = self.vent_edit.document()
        lines = document.blockCount() if not document.isEmpty() else 0
        self.vent_edit.clear()
        document.clearUndoRedoStacks()
        if lines:
            log.info("vent shredded (%d lines)", lines)  # the count only, never the words
            self.shred_note.setText(f"Shredded {lines} line{'s' if lines != 1 else ''}. Gone.")

    # -- closing ----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() != Qt.Key.Key_Escape:
            super().keyPressEvent(event)
        elif self.pages.currentIndex() == 0:
            self.end_now()
        else:
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.desk.resets.current is self.session:
            self.end_now()
        self.shred()
        self.timer.stop()
        self._close_later.stop()
        super().closeEvent(event)
