#!/usr/bin/env python3
"""Writes the reset window's pacing tone, resources/sounds/pace.wav, with the standard library only.

A soft, short tone for each breathing phase change (Settings: "Soft tone at each breathing step"): a low
sine (G4, 392 Hz) with a touch of its octave for warmth, a slow attack and a long exponential release, at
a quarter of full scale so it never startles an agent with a headset on. Run it again to rebuild the file;
the output is byte-for-byte the same each time (tests/core/test_sound.py checks the shipped file is).

    python scripts/make_tones.py [OUTPUT]
"""
from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050
SECONDS = 0.6
FREQUENCY = 392.0
PEAK = 0.25            # of full scale
ATTACK = 0.06          # seconds
DEFAULT = Path(__file__).resolve().parents[1] / "resources" / "sounds" / "pace.wav"


def samples() -> list[int]:
    out = []
    total = int(RATE * SECONDS)
    for n in range(total):
        t = n / RATE
        attack = min(1.0, t / ATTACK)
        release = math.exp(-5.0 * max(0.0, t - ATTACK) / (SECONDS - ATTACK))
        fade = min(1.0, (total - n) / (RATE * 0.02))  # the last 20 ms go to silence: no click at the end
        tone = math.sin(2 * math.pi * FREQUENCY * t) + 0.2 * math.sin(2 * math.pi * 2 * FREQUENCY * t)
        out.append(round(32767 * PEAK * attack * release * fade * tone / 1.2))
    return out


def write(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples()))
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
