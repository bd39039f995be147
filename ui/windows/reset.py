"""The reset window: a calm place for one to five minutes, in three short steps.

1. "How are you right now?" (optional, private; Settings can switch it off): five radio buttons or the keys
   1-5; the one way on is Skip. It answers itself after MOOD_BEFORE_SECONDS.
2. The breathing: a circle that grows and shrinks smoothly (drawn every display frame from a
   QVariantAnimation; the core says how full it is), the phase word large in its middle, the time left under
   it; the one way out is "End now" (or Esc). Optionally a soft tone at each phase change (never during a
   call). "Vent & shred" opens a box beside the circle (the circle keeps its full size): what is typed there
   lives only in the editor's document, and Shred clears it at once, then shows the shred as a short animation
   of strips falling away (a fade with reduced motion).
3. "Well done" and "And now?" (optional); the one way out is Close. A tapped answer is acknowledged
   ("Noted privately", also announced to screen readers) for a moment, then the window closes.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QEasingCurve, QPoint, QRect, QRectF, QSize, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QCloseEvent, QCursor, QGuiApplication, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from companion.desk import Desk
from companion.errors import CompanionError
from companion.reset.patterns import breath_scale
from companion.reset.session import COMPLETED, INTERRUPTED, ResetSession
from ui import theme
from ui.icons import app_icon
from ui.widgets.announce import announce
from ui.widgets.breathing import BreathingWidget
from ui.widgets.mood import MoodTap
from ui.widgets.text import mmss, plain_label

log = logging.getLogger(__name__)

FRAME_DRIVER_MS = 1000  # one loop of the frame driver (it runs forever; each display frame is one tick)
CALM_MS = 500           # reduced motion: the countdown only, twice a second
MOOD_BEFORE_SECONDS = 20
MOOD_NEXT_MS = 700      # the "before" answer stays on screen this long, then the breathing begins
ACK_MS = 1000           # the "after" mood tap: "Noted privately" stays this long before the window closes
SHRED_MS = 900          # the shred animation (reduced motion: a shorter fade)
SHRED_CALM_MS = 300
SHRED_STRIPS = 14


class ShredEffect(QWidget):
    """Draws a picture of the vent box falling away in strips (or fading, with reduced motion). The text is
    already gone from the editor when this starts; the picture is dropped when it ends."""

    def __init__(self, parent: QWidget, reduced_motion: bool) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.reduced_motion = reduced_motion
        self._picture: QPixmap | None = None
        self.progress = 0.0
        self._animation: QVariantAnimation | None = None  # built at the first shred, not with the window
        self.hide()

    @property
    def animation(self) -> QVariantAnimation:
        if self._animation is None:
            animation = QVariantAnimation(self)
            animation.setStartValue(0.0)
            animation.setEndValue(1.0)
            animation.setDuration(SHRED_CALM_MS if self.reduced_motion else SHRED_MS)
            animation.setEasingCurve(QEasingCurve.Type.InCubic)
            animation.valueChanged.connect(self._step)
            animation.finished.connect(self._done)
            self._animation = animation
        return self._animation

    @property
    def running(self) -> bool:
        return self._animation is not None and self._animation.state() == QVariantAnimation.State.Running

    def play(self, picture: QPixmap, where: QRect) -> None:
        self._picture = picture
        self.setGeometry(where)
        self.progress = 0.0
        self.show()
        self.raise_()
        self.animation.stop()
        self.animation.start()

    def _step(self, value: object) -> None:
        self.progress = float(value)  # type: ignore[arg-type]
        self.update()

    def _done(self) -> None:
        self._picture = None  # nothing of the picture outlives the animation
        self.hide()

    def paintEvent(self, event: object) -> None:
        if self._picture is None:
            return
        painter = QPainter(self)
        painter.setOpacity(max(0.0, 1.0 - self.progress))
        if self.reduced_motion:
            painter.drawPixmap(0, 0, self._picture)
            painter.end()
            return
        ratio = self._picture.devicePixelRatio()
        width = self.width() / SHRED_STRIPS
        for strip in range(SHRED_STRIPS):
            lag = (strip % 3) * 0.08 + (strip % 2) * 0.05  # neighbouring strips fall a little apart
            fall = max(0.0, self.progress - lag) / (1.0 - lag)
            dy = fall * self.height() * 1.1
            dx = (strip - SHRED_STRIPS / 2) * fall * width * 0.15
            source = QRectF(strip * width * ratio, 0, width * ratio, self._picture.height())
            painter.drawPixmap(QRectF(strip * width + dx, dy, width - 1, self.height()), self._picture, source)
        painter.end()


class ResetWindow(QWidget):
    finished = Signal(object)   # the recorded ResetSession

    def __init__(self, desk: Desk, session: ResetSession, chime: Callable[[], None] | None = None,
                 tone: Callable[[], None] | None = None) -> None:
        # On top while it runs: the agent asked for this break (a call starting closes it).
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.desk = desk
        self.session = session
        self._chime = chime
        self._tone = tone
        self.record_id: str | None = None
        self._last_phase: tuple[int, int] | None = None
        self._width_without_vent = 0
        settings = desk.settings()
        self.reduced_motion = settings.reduced_motion
        self.setWindowTitle(theme.window_title(f"Reset: {session.pattern.name}"))
        self.setWindowIcon(app_icon())
        self.setObjectName("resetWindow")
        self.setAccessibleName(f"Reset: {session.pattern.name}")

        root = QVBoxLayout(self)
        margin = theme.space(5)
        root.setContentsMargins(margin, margin, margin, margin)
        self.pages = QStackedWidget()
        root.addWidget(self.pages)

        # -- step 1: how are you right now?
        self.before_page = QWidget()
        before = QVBoxLayout(self.before_page)
        before.addStretch(1)
        self.mood_before: MoodTap | None = None  # only when the mood tap is on (Settings)
        if settings.mood_tap:
            self.mood_before = MoodTap("How are you right now?")
            self.mood_before.chosen.connect(self._mood_before_chosen)
            before.addWidget(self.mood_before)
        before.addStretch(1)
        self.skip_button = QPushButton("Skip")
        self.skip_button.setAccessibleName("Skip the mood question and start breathing")
        self.skip_button.clicked.connect(self.begin_breathing)
        before.addWidget(self.skip_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pages.addWidget(self.before_page)

        # -- step 2: the breathing (the circle on the left; the vent box opens to its right)
        self.breathing_page = QWidget()
        columns = QHBoxLayout(self.breathing_page)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(theme.space(5))
        left = QVBoxLayout()
        left.setSpacing(theme.space(2))
        self.title = plain_label(session.pattern.name)
        self.title.setFont(theme.font("heading"))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left.addWidget(self.title)
        self.hint = plain_label(session.pattern.description, wrap=True)
        self.hint.setFont(theme.font("caption"))
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self.hint, "muted")
        left.addWidget(self.hint)
        self.guide = BreathingWidget(reduced_motion=settings.reduced_motion)
        over = QVBoxLayout(self.guide)  # the phase word sits in the middle of the circle
        self.phase_label = plain_label("", wrap=True)
        self.phase_label.setFont(theme.font("display"))
        self.phase_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.phase_label.setAccessibleName("Breathing step")
        over.addStretch(1)
        over.addWidget(self.phase_label)
        over.addStretch(1)
        left.addWidget(self.guide, 1)
        self.countdown = plain_label("")
        self.countdown.setFont(theme.font("heading"))
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown.setAccessibleName("Time left")
        left.addWidget(self.countdown)
        buttons = QHBoxLayout()
        self.vent_button = QPushButton("Vent && shred")
        self.vent_button.setCheckable(True)
        self.vent_button.setAccessibleName("Vent and shred: type it out, then shred it")
        self.vent_button.toggled.connect(self._toggle_vent)
        buttons.addWidget(self.vent_button)
        buttons.addStretch(1)
        self.end_button = QPushButton("End now")
        self.end_button.setAccessibleName("End the reset now")
        self.end_button.clicked.connect(self.end_now)
        buttons.addWidget(self.end_button)
        left.addLayout(buttons)
        columns.addLayout(left, 1)

        self.vent_panel = QWidget()
        vent_layout = QVBoxLayout(self.vent_panel)
        vent_layout.setContentsMargins(0, 0, 0, 0)
        vent_intro = plain_label("Type what you need to get out. It is never saved.", wrap=True)
        vent_layout.addWidget(vent_intro)
        self.vent_edit = QPlainTextEdit()
        self.vent_edit.setUndoRedoEnabled(False)
        self.vent_edit.setPlaceholderText("Nobody will read this.")
        self.vent_edit.setAccessibleName("Vent: what you type here is never saved")
        vent_layout.addWidget(self.vent_edit, 1)
        self.shred_button = QPushButton("Shred it")
        self.shred_button.setAccessibleName("Shred what you typed")
        self.shred_button.clicked.connect(self.shred)
        vent_layout.addWidget(self.shred_button)
        self.shred_note = plain_label("")
        self.shred_note.setAccessibleName("Shred status")
        vent_layout.addWidget(self.shred_note)
        self.vent_panel.setFixedWidth(self.guide.minimum_side())
        self.vent_panel.hide()
        columns.addWidget(self.vent_panel)
        self.shred_effect = ShredEffect(self.vent_panel, settings.reduced_motion)
        self.pages.addWidget(self.breathing_page)

        # -- step 3: well done, and now?
        self.after_page = QWidget()
        after = QVBoxLayout(self.after_page)
        after.setSpacing(theme.space(5))
        after.addStretch(1)
        self.done_icon = QLabel()  # drawn when the reset ends (in the colour of how it ended)
        self.done_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        after.addWidget(self.done_icon)
        self.done_label = plain_label("", wrap=True)
        self.done_label.setFont(theme.font("title"))
        self.done_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done_label.setAccessibleName("Reset finished")
        after.addWidget(self.done_label)
        self.mood_after: MoodTap | None = None  # built when the breathing ends, if it is asked
        self._after_layout = after
        after.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close the reset window")
        self.close_button.clicked.connect(self.close)
        theme.set_role(self.close_button, "primary")
        after.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pages.addWidget(self.after_page)

        for button in (self.skip_button, self.vent_button, self.end_button, self.shred_button, self.close_button):
            button.setMinimumHeight(theme.space(6) + theme.space(3))
            button.setMinimumWidth(theme.space(7) * 2)

        self._close_later = QTimer(self)  # owned by the window: never fires on a closed one
        self._close_later.setSingleShot(True)
        self._close_later.setInterval(ACK_MS)
        self._close_later.timeout.connect(self.close)
        self._mood_timer = QTimer(self)   # the "before" question answers itself (not noted) after a while
        self._mood_timer.setSingleShot(True)
        self._mood_timer.timeout.connect(self._mood_before_timed_out)
        # The frame driver: Qt's animation timer ticks once per display frame while it runs. Reduced motion:
        # a slow timer for the countdown only.
        self.frames = QVariantAnimation(self)
        self.frames.setStartValue(0.0)
        self.frames.setEndValue(1.0)
        self.frames.setDuration(FRAME_DRIVER_MS)
        self.frames.setLoopCount(-1)
        self.frames.valueChanged.connect(lambda *_: self.tick())
        self.timer = QTimer(self)
        self.timer.setInterval(CALM_MS)
        self.timer.timeout.connect(self.tick)

        if self.mood_before is not None:
            self.pages.setCurrentWidget(self.before_page)
            self._mood_timer.start(MOOD_BEFORE_SECONDS * 1000)
            self.mood_before.buttons[3].setFocus()
        else:
            self.begin_breathing()
        self.resize(QSize(theme.space(7) * 10, theme.space(7) * 13).expandedTo(self.minimumSizeHint()))

    # -- running ----------------------------------------------------------------------------------
    @property
    def animating(self) -> bool:
        return self.frames.state() == QVariantAnimation.State.Running or self.timer.isActive()

    def begin_breathing(self) -> None:
        """Step 2: the breathing starts now (the planned time counts from here)."""
        if self.pages.currentWidget() is self.breathing_page or self.desk.resets.current is not self.session:
            return
        self._mood_timer.stop()
        if self.mood_before is not None and not self.mood_before.answered:
            self.mood_before.close_tap("How you felt before: not noted.")
        self.desk.resets.begin_breathing()
        self.pages.setCurrentWidget(self.breathing_page)
        self.end_button.setFocus()
        if self.reduced_motion:
            self.timer.start()
        else:
            self.frames.start()
        self.tick()

    def tick(self) -> None:
        if self.desk.resets.current is not self.session or self.pages.currentWidget() is not self.breathing_page:
            return
        now = self.desk.clock.monotonic()
        snap = self.session.snapshot(now)
        pattern = self.session.pattern
        self.guide.set_scale(breath_scale(pattern, snap.phase_index, snap.phase_progress, self.reduced_motion),
                             snap.elapsed / self.session.planned_seconds)
        if self.phase_label.text() != snap.phase.label:
            self.phase_label.setText(snap.phase.label)
        left = f"{mmss(snap.remaining)} left"
        if self.countdown.text() != left:
            self.countdown.setText(left)
        self._pace(int(snap.elapsed // pattern.cycle_seconds), snap.phase_index)
        done = self.desk.finish_reset_if_due()
        if done is not None:
            self._finished(done)

    def _pace(self, cycle: int, phase: int) -> None:
        """Audio pacing (Settings, off by default): a soft tone when the phase changes; never during a call."""
        key = (cycle, phase)
        if key == self._last_phase:
            return
        self._last_phase = key
        if (self._tone is not None and self.desk.settings().audio_pacing and not self.desk.calls.on_call
                and len(self.session.pattern.phases) > 1):
            self._tone()

    def end_now(self) -> None:
        if self.pages.currentWidget() is self.before_page:
            self._mood_timer.stop()
            self.desk.resets.begin_breathing()  # ended before any breathing: it lasted 0 s, not the question
        done = self.desk.end_reset()
        if done is not None:
            self._finished(done)

    def _finished(self, session: ResetSession) -> None:
        self._stop_timers()
        self.vent_button.setChecked(False)  # the box closes (shredding what it held); the window narrows again
        self.shred()
        self.record_id = getattr(session, "record_id", None)
        side = theme.space(7)
        icon = theme.icon("success", "success") if session.state == COMPLETED else theme.icon("breathe", "info")
        self.done_icon.setPixmap(icon.pixmap(side, side))
        if session.state == COMPLETED:
            self.done_label.setText(f"Well done. {mmss(session.actual_seconds)} just for you.")
            if self.desk.settings().chime and self._chime is not None:
                self._chime()
        elif session.state == INTERRUPTED:
            self.done_label.setText("The reset stopped while the computer was asleep. Take another any time.")
        else:
            self.done_label.setText(f"Ended after {mmss(session.actual_seconds)}. Every breath counts.")
        mood = self.desk.settings().mood_tap and self.record_id is not None and session.actual_seconds >= 1
        if mood and self.mood_after is None:
            self.mood_after = MoodTap("And now?")
            self.mood_after.chosen.connect(self._mood_after_chosen)
            self._after_layout.insertWidget(self._after_layout.indexOf(self.done_label) + 1, self.mood_after)
        self.pages.setCurrentWidget(self.after_page)
        (self.mood_after.buttons[3] if self.mood_after is not None else self.close_button).setFocus()
        announce(self.done_label, self.done_label.text())
        self.finished.emit(session)

    def _stop_timers(self) -> None:
        self.frames.stop()
        self.timer.stop()
        self._mood_timer.stop()

    # -- mood -------------------------------------------------------------------------------------
    def _mood_before_chosen(self, mood: int | None) -> None:
        if self.desk.resets.current is self.session:
            self.desk.resets.set_mood_before(mood)
        self._mood_timer.stop()
        QTimer.singleShot(MOOD_NEXT_MS, self, self.begin_breathing)

    def _mood_before_timed_out(self) -> None:
        self.begin_breathing()

    def _mood_after_chosen(self, mood: int | None) -> None:
        if mood is not None and self.record_id is not None:
            try:
                self.desk.resets.set_mood_after(self.record_id, mood)
            except CompanionError as exc:
                self.done_label.setText(str(exc))
                return
        self._close_later.start()  # the tap says "Noted privately" in place; then the window goes

    def _toggle_vent(self, on: bool) -> None:
        """The box opens beside the circle (the window grows), so the circle keeps its full size."""
        if on:
            self._width_without_vent = self.width()
            self.vent_panel.show()
            self.resize(self.width() + self.vent_panel.width() + self.breathing_page.layout().spacing(), self.height())
        else:
            self.vent_panel.hide()
            from PySide6.QtCore import QCoreApplication, QEvent

            for _ in range(3):  # the box's page, the pages, the window: each asks its parent to lay out again
                QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self.resize(self._width_without_vent, self.height())  # narrower again, as before the box
        self._fit_on_screen()
        if on:
            self.vent_edit.setFocus()  # type straight away; a space must not toggle the button
        else:
            self.shred()

    # -- vent & shred -----------------------------------------------------------------------------
    def shred(self) -> None:
        """The text only ever lives in the editor's document (never a model, file or log): clear it at once,
        then let the agent see it go."""
        document = self.vent_edit.document()
        lines = document.blockCount() if not document.isEmpty() else 0
        picture = self.vent_edit.grab() if lines and self.vent_panel.isVisible() else None
        self.vent_edit.clear()
        document.clearUndoRedoStacks()
        if lines:
            log.info("vent shredded (%d lines)", lines)  # the count only, never the words
            note = f"Shredded {lines} line{'s' if lines != 1 else ''}. Gone."
            self.shred_note.setText(note)
            announce(self.shred_note, note)
            if picture is not None:
                self.shred_effect.play(picture, self.vent_edit.geometry())

    # -- placing ----------------------------------------------------------------------------------
    def place(self) -> None:
        """Centre the window on the screen under the pointer (or the primary one), wholly inside its available
        area, clear of panels and docks: a window opened from the command line is placed like any other."""
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        size = self.size().boundedTo(area.size())
        self.resize(size)
        self.move(QPoint(area.center().x() - size.width() // 2, area.center().y() - size.height() // 2))

    def _fit_on_screen(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry()
        dx = min(0, area.right() - frame.right()) or max(0, area.left() - frame.left())
        dy = min(0, area.bottom() - frame.bottom()) or max(0, area.top() - frame.top())
        if dx or dy:
            self.move(self.pos() + QPoint(dx, dy))

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        QTimer.singleShot(0, self, self._fit_on_screen)  # the frame's size is known once it is mapped

    # -- closing ----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        page = self.pages.currentWidget()
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_5 and not self.vent_edit.hasFocus():
            tap = self.mood_before if page is self.before_page else self.mood_after if page is self.after_page \
                else None
            if tap is not None:
                tap.choose(key - Qt.Key.Key_0)
                return
        if key != Qt.Key.Key_Escape:
            super().keyPressEvent(event)
        elif page is not self.after_page:
            self.end_now()  # the first Esc ends the reset (it is recorded); the second closes the window
        else:
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.desk.resets.current is self.session:
            self.end_now()
        self.shred()
        self._stop_timers()
        self._close_later.stop()
        if self.shred_effect._animation is not None:
            self.shred_effect._animation.stop()
        super().closeEvent(event)
