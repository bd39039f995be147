"""Call detection in the ui: a backend's reports reach the detector through the bridge; a detected call does
what `companion call start` does; explicit commands win; the quiet "Is <app> your softphone?" card; the tray and
Settings say when detection is unavailable; Settings lists the apps with a tick box each."""
from __future__ import annotations

import pytest

from companion.calls.apps import MicApps
from companion.calls.mic import MicUser
from companion.ipc import Request
from ui.detection import ASK_KIND, CallDetection

ZOIPER = MicUser("zoiper5", "Zoiper5", "zoiper5", 4242)
AUDACITY = MicUser("audacity", "Audacity", "audacity", 99)


class FakeBackend:
    """Reports from a thread in the real app; here the test says what the OS would say."""

    name = "fake"

    def __init__(self):
        self.started = self.stopped = 0
        self.on_users = self.on_status = None

    def start(self, on_users, on_status):
        self.started += 1
        self.on_users, self.on_status = on_users, on_status
        on_status(True, "FakeAudio 1.0")

    def stop(self):
        self.stopped += 1


@pytest.fixture
def backend():
    return FakeBackend()


@pytest.fixture
def detection(controller, backend):
    d = CallDetection(controller, backend_factory=lambda: backend)
    controller.detection = d
    d.start()
    return d


def fire_when_due(detection, clock):
    """The single-shot timer is armed for the detector's next due time; let that time come and fire it."""
    assert detection._timer.isActive()
    due = detection.detector.next_due()
    assert abs(detection._timer.interval() - ((due - clock.monotonic()) * 1000 + 20)) <= 2
    clock.advance(due - clock.monotonic())
    detection._due()


def test_a_detected_call_opens_the_panel_and_holds_notifications(controller, detection, backend, desk, clock):
    backend.on_users([ZOIPER])
    assert not desk.calls.on_call
    fire_when_due(detection, clock)
    assert desk.calls.on_call and desk.notifications.on_call
    assert controller.windows["checklist_panel"].isVisible()
    assert controller.tray.state == "on_call"
    backend.on_users([])
    fire_when_due(detection, clock)
    assert not desk.calls.on_call and not desk.notifications.on_call
    assert not detection._timer.isActive()  # nothing armed when nothing is due


def test_an_explicit_end_wins_over_the_microphone(controller, detection, backend, desk, clock):
    backend.on_users([ZOIPER])
    fire_when_due(detection, clock)
    ok, text, _ = controller.handle_request(Request("call.end", {}))
    assert ok and not desk.calls.on_call
    clock.advance(60)
    detection._due()
    assert not desk.calls.on_call and not detection._timer.isActive()


def test_a_call_started_by_command_is_not_ended_by_the_detector(controller, detection, backend, desk, clock):
    ok, _, _ = controller.handle_request(Request("call.start", {"ref": "A7"}))
    backend.on_users([ZOIPER])
    backend.on_users([])
    clock.advance(60)
    detection._due()
    assert desk.calls.on_call and desk.calls.current_ref == "A7"


def test_an_unknown_app_gets_one_quiet_question(controller, detection, backend, desk, clock):
    backend.on_users([AUDACITY])
    fire_when_due(detection, clock)
    cards = [t for t in controller.toasts.visible if t.kind == ASK_KIND]
    assert len(cards) == 1 and cards[0].windowTitle() == "Is Audacity your softphone?"
    from PySide6.QtCore import Qt

    assert cards[0].testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)  # never takes the focus
    cards[0].buttons["yes"].click()
    assert MicApps(desk.store).get("audacity").softphone is True
    fire_when_due(detection, clock)  # Audacity, still on the mic, now counts: 2 s later it is a call
    assert desk.calls.on_call


def test_unavailable_detection_is_said_in_the_tray_and_the_rest_works(controller, detection, backend, desk):
    backend.on_status(False, "no sound server (connection refused)")
    assert controller.status()["detection"] == "unavailable"
    assert "call detection unavailable" in controller.tray.standin.state_label.text()
    controller.start_call(None)  # calls from the tray still work
    assert desk.calls.on_call
    backend.on_status(True, "FakeAudio 1.0")
    assert "unavailable" not in controller.tray.standin.state_label.text()


def test_settings_list_the_apps_and_store_only_what_the_agent_changed(controller, detection, backend, desk):
    backend.on_users([ZOIPER, AUDACITY])
    backend.on_users([])
    window = controller.open_settings()
    section = window.detection
    assert "Call detection is on (FakeAudio 1.0)" in section.status.text()
    zoiper_mine, zoiper_keeps, _, _ = section.rows["zoiper5"]
    audacity_mine, _, _, _ = section.rows["audacity"]
    assert zoiper_mine.isChecked() and "suggested" in zoiper_mine.text() and not audacity_mine.isChecked()
    zoiper_keeps.setChecked(True)  # its softphone keeps the mic open: detection off for it
    assert window.save()
    apps = MicApps(desk.store)
    assert apps.get("zoiper5").keeps_mic_open and apps.get("zoiper5").softphone is True
    assert apps.get("audacity").softphone is None  # untouched rows stay as they were


def test_switching_detection_off_in_settings_stops_the_backend(controller, detection, backend, desk):
    window = controller.open_settings()
    window.detection.enabled.setChecked(False)
    window.detection.end_seconds.setValue(10)
    assert window.save()
    assert backend.stopped == 1 and not desk.settings().call_detection and desk.settings().detect_end_seconds == 10
    assert controller.status()["detection"] == "off"
    window = controller.open_settings()
    window.detection.enabled.setChecked(True)
    assert window.save()
    assert backend.started == 2 and controller.status()["detection"] == "on"


def test_pulsectl_is_not_on_the_path_to_the_tray():
    """Start-up stays fast: libpulse and pulsectl load when detection starts, after the services are ready."""
    import subprocess
    import sys

    code = ("import sys, ui.app, ui.controller, ui.tray, ui.bridge, ui.detection, companion.calls.detector\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulsectl', 'ctypes'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_no_question_while_notifications_are_paused(controller, detection, backend, desk, clock):
    controller.pause(30)
    backend.on_users([AUDACITY])
    clock.advance(25)
    detection._due()
    assert not [t for t in controller.toasts.visible if t.kind == ASK_KIND] and not detection._timer.isActive()
    controller.resume()  # the pause ends: the question is due at once (it has been 20 s)
    assert detection._timer.isActive() and detection._timer.interval() == 0
    detection._due()
    assert [t for t in controller.toasts.visible if t.kind == ASK_KIND]
