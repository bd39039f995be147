"""The optional end-of-reset chime, played by the platform's own player (no Qt multimedia needed)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable


def play(wav: Path, platform: str = sys.platform, which: Callable[[str], str | None] = shutil.which,
         spawn: Callable[..., object] = subprocess.Popen) -> bool:
    """Start playing wav without waiting; False when this machine has no way to play it."""
    if platform == "win32":  # pragma: no cover - Windows only
        import winsound

        winsound.PlaySound(str(wav), winsound.SND_FILENAME | winsound.SND_ASYNC)
        return True
    players = (["afplay"],) if platform == "darwin" else (["paplay"], ["pw-play"], ["aplay", "-q"])
    for player in players:
        if which(player[0]):
            try:
                spawn([*player, str(wav)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError:
                continue
            return True
    return False
