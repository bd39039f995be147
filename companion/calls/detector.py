"""Automatic call detection: "the softphone holds the microphone" becomes call start and call end.

The detector is pure decision-making on the injected clock: a backend (companion.calls.mic_*) reports which
apps hold a microphone, the ui hands each report to ``observe`` on the GUI thread, runs what it returns, and
arms one single-shot timer for ``next_due`` (timers live in the ui; there is no polling). It never touches
audio: it only sees which apps have a capture stream open.

Debounce (both in Settings): a call starts once the softphone held the mic for ``detect_start_seconds``
(default 2 s) and ends once it released it for ``detect_end_seconds`` (default 4 s), so a hold or a transfer
that drops the stream for a second does not split a call.

Precedence - an explicit ``companion call start/end`` (a softphone hook, a script) or the tray always wins:
- the detector starts a call only when none is in progress, and ends only a call it started itself;
- an explicit ``call start`` takes over the call in progress (even a detected one): the detector will not end it;
- an explicit ``call end`` ends any call, a detected one too; if the softphone still holds the mic then, no new
  call is detected until it has released it (the agent said the call is over: believe them);
- while the sound server cannot be watched nothing starts or ends; once it is back, its report decides.

The first time an app nobody has decided about holds the mic for ``ASK_AFTER`` seconds (and no call is in
progress), the detector asks once whether it is the softphone (``Decision(ASK)``: the ui shows a quiet card).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from companion.calls.apps import MicApps
from companion.calls.mic import MicUser
from companion.clock import Clock
from companion.config import Settings

START, END, ASK = "start", "end", "ask"
ASK_AFTER = 20.0

# Detection status (what Settings and the tray say)
OFF, STARTING, WATCHING, UNAVAILABLE = "off", "starting", "on", "unavailable"


@dataclass(frozen=True)
class Decision:
    action: str        # START | END | ASK
    app: MicUser | None = None


class CallDetector:
    def __init__(self, clock: Clock, settings: Callable[[], Settings], apps: MicApps,
                 on_call: Callable[[], bool], busy: Callable[[], bool] | None = None) -> None:
        self._clock = clock
        self._settings = settings
        self.apps = apps
        self._on_call = on_call
        self._busy = busy or (lambda: False)  # e.g. a reset is running: no question then either
        self.status = STARTING if settings().call_detection else OFF
        self.detail = ""
        self.users: list[MicUser] = []
        self._held_since: float | None = None      # a softphone has held the mic since (monotonic)
        self._released_since: float | None = None  # ... released it since, after holding it
        self._holder: MicUser | None = None
        self.owned = False        # the call in progress was started by the detector
        self._suppressed = False  # an explicit end while the softphone held the mic: wait for its release
        self._unknown_since: dict[str, float] = {}  # apps to ask about, holding the mic since

    # -- reports from the backend (on the GUI thread) ----------------------------------------------
    def observe(self, users: Sequence[MicUser]) -> list[Decision]:
        now = self._clock.monotonic()
        self.users = list(users)
        self.status = WATCHING if self.enabled else OFF  # the detail (which sound system) stays
        self.apps.remember(users)
        holders = [u for u in users if self.apps.counts(u)]
        if holders:
            if self._held_since is None:
                self._held_since = now
            self._holder = holders[0]
            self._released_since = None
        else:
            if self._held_since is not None or (self.owned and self._released_since is None):
                self._released_since = now
            self._held_since = None
            self._suppressed = False  # the mic was released: the next hold is a new call
        present = {u.key for u in users}
        for key in [k for k in self._unknown_since if k not in present]:
            del self._unknown_since[key]
        for user in users:
            if self.apps.needs_asking(user.key):
                self._unknown_since.setdefault(user.key, now)
        return self.due()

    def set_status(self, available: bool, detail: str = "") -> None:
        """The backend can (or cannot) watch the sound system. While it cannot, nothing starts or ends."""
        if available:
            self.status, self.detail = (WATCHING if self.enabled else OFF), detail
            return
        self.status, self.detail = (UNAVAILABLE if self.enabled else OFF), detail
        self.users = []
        self._held_since = self._released_since = None
        self._unknown_since.clear()

    # -- explicit commands (companion call start/end, the tray) ------------------------------------
    def explicit_start(self) -> None:
        """A call was started by command or from the tray: it is theirs; the detector will not end it."""
        self.owned = False
        self._released_since = None

    def explicit_end(self) -> None:
        """A call was ended by command or from the tray: if the softphone still holds the mic, no new call is
        detected until it lets go."""
        self.owned = False
        self._released_since = None
        if self._held_since is not None:
            self._suppressed = True

    # -- decisions ---------------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self._settings().call_detection

    def next_due(self) -> float | None:
        """When (monotonic) something may be decided next, or None: the ui's single-shot timer."""
        if not self.enabled:
            return None
        s = self._settings()
        on_call = self._on_call()
        times = []
        if not on_call and self._held_since is not None and not self._suppressed:
            times.append(self._held_since + s.detect_start_seconds)
        if self.owned and on_call and self._released_since is not None:
            times.append(self._released_since + s.detect_end_seconds)
        if not on_call and not self._busy():
            times.extend(since + ASK_AFTER for since in self._unknown_since.values())
        return min(times) if times else None

    def due(self) -> list[Decision]:
        """What is due now. The ui carries out each decision (a START or END exactly as ``companion call
        start``/``end`` would, an ASK as a card); the detector assumes it did."""
        if not self.enabled:
            return []
        now = self._clock.monotonic()
        s = self._settings()
        on_call = self._on_call()
        if self.owned and not on_call:
            self.owned = False  # ended elsewhere (e.g. Delete my data, a crash recovery)
        decisions = []
        if (not on_call and self._held_since is not None and not self._suppressed
                and now - self._held_since >= s.detect_start_seconds):
            self.owned, on_call = True, True
            decisions.append(Decision(START, self._holder))
        elif (self.owned and on_call and self._released_since is not None
              and now - self._released_since >= s.detect_end_seconds):
            self.owned, on_call = False, False
            self._released_since = None
            decisions.append(Decision(END, self._holder))
        if not on_call and not self._busy():
            for key, since in list(self._unknown_since.items()):
                if now - since >= ASK_AFTER:
                    del self._unknown_since[key]
                    if self.apps.needs_asking(key):
                        self.apps.mark_asked(key)
                        user = next((u for u in self.users if u.key == key), None)
                        if user is not None:
                            decisions.append(Decision(ASK, user))
        return decisions

    def retry_later(self, decision: Decision) -> None:
        """The ui could not carry out a START or END (e.g. the database was busy): try again after the same
        debounce instead of at once (no hot loop)."""
        now = self._clock.monotonic()
        if decision.action == START:
            self.owned = False
            if self._held_since is not None:
                self._held_since = now
        elif decision.action == END and self._on_call():
            self.owned = True
            self._released_since = now

    # -- what Settings and the tray show -----------------------------------------------------------
    def describe(self) -> str:
        if not self.enabled:
            return "Call detection is off."
        if self.status == UNAVAILABLE:
            reason = f" ({self.detail})" if self.detail else ""
            return f"Call detection is unavailable{reason}; it keeps trying. Start and end calls from the tray."
        if self.status == STARTING:
            return "Call detection is starting."
        using = ", ".join(sorted({u.name for u in self.users})) or "no app"
        source = f" ({self.detail})" if self.detail else ""
        return f"Call detection is on{source}. Using the microphone now: {using}."
