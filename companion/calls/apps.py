"""The apps seen using the microphone, and which of them is the agent's softphone.

Remembered in the local database as one piece of app state (``state.mic_apps`` in the settings table, JSON),
so no schema change: per app its name, program file, the agent's answer (softphone yes / no / not said),
"keeps the mic open" and whether the agent was already asked.

Which apps count (``counts``):
- an app marked "keeps the mic open" never counts (detection is off for it: use the hook);
- once the agent confirmed at least one softphone, exactly the confirmed ones count;
- until then the shipped suggestions (common softphones, ``SUGGESTED``) count unless the agent said no.
A browser counts when the agent ticks it (web softphones: Genesys Cloud, Amazon Connect CCP, Five9).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from companion.calls.mic import MicUser

STATE_KEY = "mic_apps"

#: Common softphones, matched against the program file and the application name (case-insensitive).
SUGGESTED = ("zoiper", "microsip", "bria", "linphone", "3cx", "webex", "teams", "zoom")


@dataclass(frozen=True)
class MicApp:
    key: str
    name: str
    binary: str = ""
    softphone: bool | None = None   # the agent's answer; None: not said
    keeps_mic_open: bool = False
    asked: bool = False

    @property
    def suggested(self) -> bool:
        return is_suggested(self.name, self.binary)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "binary": self.binary, "softphone": self.softphone,
                "keeps_mic_open": self.keeps_mic_open, "asked": self.asked}

    @classmethod
    def from_json(cls, key: str, raw: Any) -> "MicApp | None":
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            return None
        softphone = raw.get("softphone")
        return cls(key, raw["name"], raw.get("binary") if isinstance(raw.get("binary"), str) else "",
                   softphone if isinstance(softphone, bool) else None,
                   raw.get("keeps_mic_open") is True, raw.get("asked") is True)


def is_suggested(name: str, binary: str) -> bool:
    text = f"{name} {binary}".lower()
    return any(token in text for token in SUGGESTED)


class MicApps:
    """The remembered apps, read from and written to the settings store (``get_state``/``set_state``)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._apps: dict[str, MicApp] = {}
        raw = store.get_state(STATE_KEY)
        if isinstance(raw, dict):
            for key, value in raw.items():
                app = MicApp.from_json(key, value)
                if app is not None:
                    self._apps[key] = app

    def _save(self) -> None:
        self._store.set_state(STATE_KEY, {key: app.to_json() for key, app in self._apps.items()})

    def all(self) -> list[MicApp]:
        return sorted(self._apps.values(), key=lambda a: (a.name.lower(), a.key))

    def get(self, key: str) -> MicApp | None:
        return self._apps.get(key)

    def remember(self, users: Iterable[MicUser]) -> list[MicApp]:
        """Apps seen for the first time are added (one write, only when something is new)."""
        new = []
        for user in users:
            if user.key not in self._apps:
                app = MicApp(user.key, user.name or user.binary or user.key, user.binary)
                self._apps[user.key] = app
                new.append(app)
        if new:
            self._save()
        return new

    def confirmed_any(self) -> bool:
        return any(a.softphone is True for a in self._apps.values())

    def counts(self, user: MicUser) -> bool:
        """Does this app holding the mic mean a call?"""
        app = self._apps.get(user.key)
        if app is not None and (app.keeps_mic_open or app.softphone is False):
            return False
        if app is not None and app.softphone is True:
            return True
        return not self.confirmed_any() and is_suggested(user.name, user.binary)

    def is_softphone(self, app: MicApp) -> bool:
        """Is this app ticked in Settings (what ``counts`` decides, ignoring "keeps the mic open")?"""
        if app.softphone is not None:
            return app.softphone
        return not self.confirmed_any() and app.suggested

    def needs_asking(self, key: str) -> bool:
        app = self._apps.get(key)
        return app is not None and app.softphone is None and not app.asked

    def mark_asked(self, key: str) -> None:
        self._change(key, asked=True)

    def decide(self, key: str, softphone: bool) -> None:
        self._change(key, softphone=softphone, asked=True)

    def set_keeps_mic_open(self, key: str, keeps: bool) -> None:
        self._change(key, keeps_mic_open=keeps)

    def apply(self, choices: dict[str, tuple[bool, bool]]) -> None:
        """From Settings: key -> (softphone, keeps the mic open), for the rows the agent changed. One write."""
        from dataclasses import replace

        for key, (softphone, keeps) in choices.items():
            app = self._apps.get(key)
            if app is not None:
                self._apps[key] = replace(app, softphone=softphone, keeps_mic_open=keeps, asked=True)
        self._save()

    def _change(self, key: str, **changes: Any) -> None:
        from dataclasses import replace

        app = self._apps.get(key)
        if app is None:
            return
        self._apps[key] = replace(app, **changes)
        self._save()
