"""The call detector's decisions on the fake clock: debounce, precedence of explicit commands, which apps count,
the one-time question, and an unavailable sound server."""
from __future__ import annotations

import pytest

from companion.calls.apps import MicApps
from companion.calls.detector import ASK, END, START, UNAVAILABLE, WATCHING, CallDetector
from companion.calls.mic import Backoff, MicUser, app_key
from companion.errors import InvalidInput

ZOIPER = MicUser("zoiper5", "Zoiper5", "zoiper5", 4242)
FIREFOX = MicUser("firefox", "Firefox", "firefox", 77)
RECORDER = MicUser("audacity", "Audacity", "audacity", 99)


class Harness:
    """The detector beside a real desk; decisions are carried out as the ui does."""

    def __init__(self, desk, clock):
        self.desk, self.clock = desk, clock
        self.apps = MicApps(desk.store)
        self.detector = CallDetector(clock, desk.settings, self.apps, lambda: desk.calls.on_call)
        self.log: list[tuple[str, str]] = []

    def run(self, decisions):
        for d in decisions:
            self.log.append((d.action, d.app.key if d.app else ""))
            if d.action == START:
                self.desk.start_call(None)
            elif d.action == END:
                self.desk.end_call()
        return decisions

    def see(self, *users):
        return self.run(self.detector.observe(list(users)))

    def wait(self, seconds):
        """Time passes; the ui's timer fires at each due time on the way."""
        end = self.clock.monotonic() + seconds
        while True:
            due = self.detector.next_due()
            if due is None or due > end:
                break
            self.clock.advance(max(0.0, due - self.clock.monotonic()))
            self.run(self.detector.due())
        self.clock.advance(end - self.clock.monotonic())

    @property
    def on_call(self):
        return self.desk.calls.on_call


@pytest.fixture
def h(desk, clock):
    return Harness(desk, clock)


def test_a_suggested_softphone_starts_a_call_after_two_seconds_and_ends_it_four_after_release(h):
    h.see(ZOIPER)
    h.wait(1.9)
    assert not h.on_call
    h.wait(0.1)
    assert h.on_call and h.desk.notifications.on_call  # notifications held, as with `companion call start`
    h.see()
    h.wait(3.9)
    assert h.on_call
    h.wait(0.1)
    assert not h.on_call
    assert h.log == [(START, "zoiper5"), (END, "zoiper5")]
    assert h.detector.next_due() is None  # nothing armed once it is over


def test_a_one_second_blip_does_not_split_a_call(h):
    h.see(ZOIPER)
    h.wait(5)
    h.see()
    h.wait(1)
    h.see(ZOIPER)
    h.wait(30)
    assert h.on_call and [a for a, _ in h.log] == [START]
    with h.desk.db.reading() as s:
        assert s.scalar("SELECT count(*) FROM calls") == 1


def test_a_short_grab_of_the_mic_is_not_a_call(h):
    h.see(ZOIPER)
    h.wait(1.5)
    h.see()
    h.wait(10)
    assert h.log == [] and not h.on_call


def test_the_debounce_follows_the_settings(h):
    h.desk.save_settings(h.desk.settings().with_changes(detect_start_seconds=5, detect_end_seconds=10))
    h.see(ZOIPER)
    h.wait(4.9)
    assert not h.on_call
    h.wait(0.1)
    assert h.on_call
    h.see()
    h.wait(9.9)
    assert h.on_call
    h.wait(0.1)
    assert not h.on_call


def test_debounce_settings_are_validated(desk):
    with pytest.raises(InvalidInput, match="0.5 to 30"):
        desk.settings().with_changes(detect_start_seconds=0.1)
    with pytest.raises(InvalidInput, match="1 to 60"):
        desk.settings().with_changes(detect_end_seconds=120)


def test_an_app_that_is_not_the_softphone_is_ignored(h):
    h.see(RECORDER)
    h.wait(15)
    assert not h.on_call and h.log == []


def test_once_the_agent_confirms_a_softphone_only_confirmed_apps_count(h):
    h.see(FIREFOX)
    h.see()
    h.apps.decide("firefox", True)  # a web softphone in the browser
    h.see(ZOIPER)  # a suggestion no longer counts
    h.wait(10)
    assert not h.on_call
    h.see(FIREFOX)
    h.wait(2)
    assert h.on_call and h.log[-1] == (START, "firefox")


def test_no_stops_a_suggestion_and_keeps_the_mic_open_turns_detection_off_for_an_app(h):
    h.see(ZOIPER)
    h.see()
    h.apps.decide("zoiper5", False)
    h.see(ZOIPER)
    h.wait(10)
    assert not h.on_call
    h.see()
    h.apps.decide("zoiper5", True)
    h.apps.set_keeps_mic_open("zoiper5", True)  # Amazon Connect style: the hook says when calls start
    h.see(ZOIPER)
    h.wait(60)
    assert not h.on_call
    assert MicApps(h.desk.store).get("zoiper5").keeps_mic_open  # remembered in the database


def test_an_explicit_call_is_never_ended_by_the_detector(h):
    h.desk.start_call("A1")
    h.detector.explicit_start()
    h.see(ZOIPER)
    h.wait(5)
    h.see()
    h.wait(60)
    assert h.on_call and h.desk.calls.current_ref == "A1" and h.log == []


def test_an_explicit_start_takes_over_a_detected_call(h):
    h.see(ZOIPER)
    h.wait(3)
    assert h.on_call
    h.desk.start_call(None)  # the hook's `call start`: the same call goes on, now it is the hook's
    h.detector.explicit_start()
    h.see()
    h.wait(60)
    assert h.on_call


def test_an_explicit_end_wins_and_no_new_call_until_the_softphone_lets_go(h):
    h.see(ZOIPER)
    h.wait(3)
    h.desk.end_call()  # `companion call end` (or the tray) while the softphone still holds the mic
    h.detector.explicit_end()
    h.wait(60)
    assert not h.on_call
    h.see()
    h.wait(1)
    h.see(ZOIPER)
    h.wait(2)
    assert h.on_call  # the next call is detected again


def test_an_unknown_app_is_asked_about_once_after_twenty_seconds(h):
    h.see(RECORDER)
    h.wait(19.9)
    assert h.log == []
    h.wait(0.1)
    assert h.log == [(ASK, "audacity")]
    h.see()
    h.see(RECORDER)
    h.wait(60)
    assert h.log == [(ASK, "audacity")]  # once, ever
    assert not MicApps(h.desk.store).needs_asking("audacity")


def test_no_question_during_a_call(h):
    h.desk.start_call("A1")
    h.detector.explicit_start()
    h.see(RECORDER)
    h.wait(60)
    assert h.log == []
    h.desk.end_call()
    h.detector.explicit_end()
    h.run(h.detector.due())
    assert h.log == [(ASK, "audacity")]


def test_while_the_sound_server_is_gone_nothing_starts_or_ends(h):
    h.see(ZOIPER)
    h.wait(3)
    assert h.on_call
    h.detector.set_status(False, "connection refused")
    assert h.detector.status == UNAVAILABLE and "unavailable" in h.detector.describe()
    h.wait(60)
    assert h.on_call  # no information is not "the softphone let go"
    h.detector.set_status(True, "PulseAudio")
    h.see()  # back: the softphone is gone
    assert h.detector.status == WATCHING
    h.wait(4)
    assert not h.on_call


def test_detection_switched_off_decides_nothing(h):
    h.desk.save_settings(h.desk.settings().with_changes(call_detection=False))
    h.see(ZOIPER)
    assert h.detector.next_due() is None
    h.wait(30)
    assert not h.on_call and "off" in h.detector.describe()


def test_apps_seen_are_remembered_with_their_names(h):
    h.see(MicUser(app_key("", "Google Chrome"), "Google Chrome", "", None), ZOIPER)
    names = [(a.key, a.name, h.apps.is_softphone(a)) for a in MicApps(h.desk.store).all()]
    assert names == [("google chrome", "Google Chrome", False), ("zoiper5", "Zoiper5", True)]


def test_backoff_doubles_up_to_its_limit_and_resets():
    b = Backoff(first=0.5, limit=3)
    assert [b.next() for _ in range(5)] == [0.5, 1, 2, 3, 3]
    b.reset()
    assert b.next() == 0.5


def test_the_backend_is_chosen_by_operating_system():
    from companion.calls.mic import NoBackend, for_platform

    assert type(for_platform("linux")).__name__ == "PulseBackend"
    assert type(for_platform("win32")).__name__ == "ConsentStoreBackend"
    assert type(for_platform("darwin")).__name__ == "CoreAudioBackend"
    other = for_platform("sunos5")
    assert isinstance(other, NoBackend)
    said = []
    other.start(lambda users: None, lambda available, detail: said.append((available, detail)))
    assert said == [(False, "call detection is not available on sunos5")]


def test_no_question_during_a_reset(desk, clock):
    apps = MicApps(desk.store)
    detector = CallDetector(clock, desk.settings, apps, lambda: desk.calls.on_call,
                            busy=lambda: desk.resets.current is not None)
    desk.start_reset(1, None, "tray")
    detector.observe([RECORDER])
    clock.advance(30)
    assert detector.due() == [] and detector.next_due() is None  # nothing armed: no hot loop either
    desk.end_reset()
    assert detector.next_due() <= clock.monotonic()
    assert [d.action for d in detector.due()] == [ASK]


def test_a_start_that_could_not_be_carried_out_is_retried_after_the_debounce(h):
    h.detector.observe([ZOIPER])
    h.clock.advance(2)
    [decision] = h.detector.due()
    h.detector.retry_later(decision)  # e.g. the database was busy
    assert h.detector.due() == [] and not h.detector.owned
    assert h.detector.next_due() == h.clock.monotonic() + 2
    h.wait(2)
    assert h.on_call
