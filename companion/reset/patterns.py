"""Breathing patterns as data. A pattern is a cycle of timed phases; the session repeats it."""
from __future__ import annotations

import math
from dataclasses import dataclass

INHALE, HOLD, EXHALE, REST = "inhale", "hold", "exhale", "rest"


@dataclass(frozen=True)
class Phase:
    kind: str        # inhale | hold | exhale | rest: drives the animation (grow, still, shrink, drift)
    seconds: float
    label: str       # what the reset window says


@dataclass(frozen=True)
class Pattern:
    key: str
    name: str
    description: str
    phases: tuple[Phase, ...]

    @property
    def cycle_seconds(self) -> float:
        return sum(p.seconds for p in self.phases)


PATTERNS: dict[str, Pattern] = {p.key: p for p in (
    Pattern("box", "Box breathing 4-4-4-4",
            "In for four, hold for four, out for four, hold for four.",
            (Phase(INHALE, 4, "Breathe in"), Phase(HOLD, 4, "Hold"),
             Phase(EXHALE, 4, "Breathe out"), Phase(HOLD, 4, "Hold"))),
    Pattern("478", "4-7-8 breathing",
            "In through the nose for four, hold for seven, out through the mouth for eight.",
            (Phase(INHALE, 4, "Breathe in"), Phase(HOLD, 7, "Hold"), Phase(EXHALE, 8, "Breathe out slowly"))),
    Pattern("sigh", "Physiological sigh",
            "Two inhales through the nose, the second short, then a long, slow exhale.",
            (Phase(INHALE, 2, "Breathe in"), Phase(INHALE, 1, "A little more"),
             Phase(EXHALE, 6, "Long breath out"), Phase(REST, 2, "Rest"))),
    Pattern("decompress", "Decompress",
            "No counting. Look away from the screen, drop your shoulders, breathe as you like.",
            (Phase(REST, 10, "Look away from the screen; let your shoulders drop"),)),
)}

# Tray menu presets: (label, pattern, minutes)
PRESETS: tuple[tuple[str, str | None, int], ...] = (
    ("1-minute breath", None, 1),          # None: the agent's default pattern
    ("3-minute reset", None, 3),
    ("5-minute decompress", "decompress", 5),
)

MIN_MINUTES, MAX_MINUTES = 1, 5


def validate_minutes(value: object) -> int:
    """A reset lasts a whole number of minutes, 1 to 5 (the CLI, the socket and the service agree)."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_MINUTES <= value <= MAX_MINUTES:
        from companion.errors import InvalidInput

        raise InvalidInput(f"A reset lasts a whole number of minutes from {MIN_MINUTES} to {MAX_MINUTES}.")
    return value

SMALL, LARGE, DRIFT = 0.45, 1.0, 0.72
DRIFT_SWAY = 0.05  # a rest-only pattern (decompress) sways this much around DRIFT, once per cycle


def ease(progress: float) -> float:
    """Sine ease-in-out: a breath starts and ends slowly, like a real one (0 -> 0, 1 -> 1, monotonic)."""
    return (1 - math.cos(math.pi * min(1.0, max(0.0, progress)))) / 2


def breath_scale(pattern: Pattern, phase_index: int, progress: float, reduced_motion: bool = False) -> float:
    """How full the breathing circle is (SMALL..LARGE) at a point of the cycle: it grows on the inhale,
    stays on a hold, shrinks on the exhale; a rest keeps the size the breath before it ended on, and a
    pattern of rest alone sways gently around DRIFT. Eased, and continuous across phase changes (no jump
    when the phase changes), so the ui can draw it every frame. Reduced motion: always the same size."""
    if reduced_motion:
        return DRIFT
    progress = min(1.0, max(0.0, progress))
    phases = pattern.phases
    kind = phases[phase_index].kind
    if kind == INHALE:
        start = SMALL
        if phase_index > 0 and phases[phase_index - 1].kind == INHALE:  # a second, topping-up inhale
            start = SMALL + (LARGE - SMALL) * 0.7
        end = LARGE if phase_index + 1 >= len(phases) or phases[phase_index + 1].kind != INHALE else \
            SMALL + (LARGE - SMALL) * 0.7
        return start + (end - start) * ease(progress)
    if kind == EXHALE:
        return LARGE - (LARGE - SMALL) * ease(progress)
    before = next((p.kind for p in reversed(phases[:phase_index]) if p.kind not in (HOLD, REST)), None)
    if before is None and kind == REST:
        return DRIFT + DRIFT_SWAY * math.sin(2 * math.pi * progress)
    return LARGE if before == INHALE else SMALL
