from datetime import timedelta

import pytest

from companion.reset.patterns import DRIFT, EXHALE, HOLD, INHALE, LARGE, PATTERNS, REST, SMALL, breath_scale
from companion.reset.session import COMPLETED, ENDED_EARLY, GAP_SECONDS, INTERRUPTED, RUNNING, ResetSession
from tests.fakes import START, FakeClock


def make(pattern="box", seconds=60, clock=None):
    clock = clock or FakeClock()
    return clock, ResetSession(PATTERNS[pattern], seconds, clock.monotonic(), clock.now(), "tray")


def breathe(clock, session, seconds, step=5.0):
    """Let time pass the way the ui's timer sees it: in small steps, ticking each one."""
    while seconds > 0:
        clock.advance(min(step, seconds))
        seconds -= step
        snap = session.tick(clock.monotonic())
    return snap


def test_patterns_are_well_formed_data():
    assert set(PATTERNS) == {"box", "478", "sigh", "decompress"}
    for pattern in PATTERNS.values():
        assert pattern.phases and pattern.cycle_seconds > 0
        assert all(p.kind in (INHALE, HOLD, EXHALE, REST) and p.seconds > 0 and p.label for p in pattern.phases)
    assert [p.seconds for p in PATTERNS["box"].phases] == [4, 4, 4, 4]
    assert [p.seconds for p in PATTERNS["478"].phases] == [4, 7, 8]


@pytest.mark.parametrize("at, label, index", [(0, "Breathe in", 0), (4.5, "Hold", 1), (9, "Breathe out", 2),
                                              (13, "Hold", 3), (16.5, "Breathe in", 0)])
def test_box_phases_follow_the_clock(at, label, index):
    clock, session = make()
    snap = breathe(clock, session, at) if at else session.tick(clock.monotonic())
    assert (snap.phase.label, snap.phase_index, snap.state) == (label, index, RUNNING)
    assert snap.remaining == pytest.approx(60 - at)


def test_478_phase_progress_and_remaining():
    clock, session = make("478", 120)
    clock.advance(4 + 3.5)
    snap = session.tick(clock.monotonic())
    assert snap.phase.kind == HOLD
    assert snap.phase_progress == pytest.approx(0.5)
    assert snap.phase_remaining == pytest.approx(3.5)


def test_completes_at_planned_time_in_small_steps():
    clock, session = make(seconds=60)
    for _ in range(59):
        clock.advance(1)
        assert not session.tick(clock.monotonic()).finished
    clock.advance(1)
    snap = session.tick(clock.monotonic())
    assert snap.state == COMPLETED and session.actual_seconds == 60
    clock.advance(30)
    assert session.tick(clock.monotonic()).state == COMPLETED  # stays finished
    assert session.actual_seconds == 60


def test_end_early_records_elapsed():
    clock, session = make(seconds=180)
    breathe(clock, session, 42, step=6)
    snap = session.end_early(clock.monotonic())
    assert snap.state == ENDED_EARLY and session.actual_seconds == pytest.approx(42)
    assert session.ended_at == START + timedelta(seconds=42)


def test_suspend_interrupts_at_last_seen_moment():
    clock, session = make(seconds=300)
    breathe(clock, session, 20)
    clock.advance(3600)  # laptop lid closed
    snap = session.tick(clock.monotonic())
    assert snap.state == INTERRUPTED
    assert session.actual_seconds == pytest.approx(20)


def test_gap_just_under_threshold_is_not_a_suspend():
    clock, session = make(seconds=300)
    clock.advance(GAP_SECONDS - 0.5)
    assert session.tick(clock.monotonic()).state == RUNNING


def test_wall_clock_jump_does_not_change_the_session():
    clock, session = make(seconds=60)
    clock.advance(10)
    session.tick(clock.monotonic())
    clock.jump_wall_clock(-3600)  # daylight saving or NTP correction
    clock.advance(10)
    snap = session.tick(clock.monotonic())
    assert snap.state == RUNNING and snap.elapsed == pytest.approx(20) and snap.remaining == pytest.approx(40)


def test_monotonic_going_backwards_is_clamped():
    clock, session = make(seconds=60)
    snap = session.snapshot(clock.monotonic() - 5)
    assert snap.elapsed == 0 and snap.remaining == 60


def test_invalid_plan_refused():
    with pytest.raises(ValueError):
        ResetSession(PATTERNS["box"], 0, 0.0, FakeClock().now(), "tray")


def test_breath_scale_grows_holds_and_shrinks():
    box = PATTERNS["box"]
    inhale = [breath_scale(box, 0, p / 10) for p in range(11)]
    assert inhale == sorted(inhale) and inhale[0] == SMALL and inhale[-1] == LARGE
    assert breath_scale(box, 1, 0.5) == LARGE           # hold after the inhale: full
    exhale = [breath_scale(box, 2, p / 10) for p in range(11)]
    assert exhale == sorted(exhale, reverse=True) and exhale[-1] == pytest.approx(SMALL)
    assert breath_scale(box, 3, 0.5) == SMALL           # hold after the exhale: empty
    sway = [breath_scale(PATTERNS["decompress"], 0, p / 20) for p in range(21)]
    assert sway[0] == pytest.approx(DRIFT) and sway[-1] == pytest.approx(DRIFT)  # one slow sway per cycle
    assert DRIFT - 0.06 < min(sway) < DRIFT < max(sway) < DRIFT + 0.06


@pytest.mark.parametrize("key", ["box", "478", "sigh", "decompress"])
def test_breath_scale_never_jumps_and_eases_in_and_out(key):
    """Drawn every frame, the circle must never jump: the size is continuous across every phase change
    (also from the last phase back to the first), and a breath starts and ends slowly (eased)."""
    pattern = PATTERNS[key]
    phases = len(pattern.phases)
    for index in range(phases):
        end = breath_scale(pattern, index, 1.0)
        start_of_next = breath_scale(pattern, (index + 1) % phases, 0.0)
        assert end == pytest.approx(start_of_next), (key, index)
    box = PATTERNS["box"]
    early = breath_scale(box, 0, 0.05) - breath_scale(box, 0, 0.0)
    middle = breath_scale(box, 0, 0.55) - breath_scale(box, 0, 0.5)
    assert 0 < early < middle / 3


def test_a_rest_after_an_exhale_keeps_the_circle_small():
    sigh = PATTERNS["sigh"]  # in, a little more, long out, rest: the rest must not jump back to DRIFT
    assert breath_scale(sigh, 3, 0.5) == SMALL


def test_sigh_second_inhale_tops_up():
    sigh = PATTERNS["sigh"]
    first_end = breath_scale(sigh, 0, 1.0)
    second = [breath_scale(sigh, 1, p / 4) for p in range(5)]
    assert first_end < LARGE and second[0] == pytest.approx(first_end) and second[-1] == LARGE


def test_reduced_motion_keeps_the_circle_still():
    box = PATTERNS["box"]
    assert {breath_scale(box, i, p / 5, reduced_motion=True) for i in range(4) for p in range(6)} == {DRIFT}
