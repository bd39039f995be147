"""The agent's settings: defaults, validation, and storage in the local database (settings table).

No secret is ever a setting: credentials live in the OS keyring (companion.secrets).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from companion.db.sql import Tx, utcnow
from companion.errors import InvalidInput
from companion.names import validate_name
from companion.reset.patterns import PATTERNS


PANEL_CORNERS = {"top_right": "Top right", "top_left": "Top left", "bottom_right": "Bottom right",
                 "bottom_left": "Bottom left"}


@dataclass(frozen=True)
class Settings:
    notifications_per_hour: int = 4
    long_call_minutes: float = 8.0
    offer_reset_after_calls: bool = True
    default_pattern: str = "box"
    reduced_motion: bool = False
    chime: bool = False
    mood_tap: bool = True
    agent_name: str = ""  # my name on the team (the hub login role when joined); "" until set
    panel_corner: str = "top_right"  # where the Moment of Truth panel opens during a call (PANEL_CORNERS)
    kudos_daily_cap: int = 10  # kudos I may give per day (local midnight to midnight), 1-50
    # Presence hooks (companion.presence): commands run when a reset starts / ends ("" = none). IT's
    # operations config can set them instead (its values win and lock these).
    reset_start_hook: str = ""
    reset_end_hook: str = ""
    # Automatic call detection (issue 13, companion.calls.detector): the softphone holding the microphone
    call_detection: bool = True
    detect_start_seconds: float = 2.0  # a call starts after the softphone held the mic this long, 0.5-30
    detect_end_seconds: float = 4.0    # ... and ends after it released it this long, 1-60
    audio_pacing: bool = False  # a soft tone at each breathing phase change (never during a call)
    kudos_suggest_quiet: bool = True  # Send kudos names teammates not thanked yet this month (teams of 5+)
    # Autostart is not a stored setting: the OS entry itself (companion.autostart) is the truth.

    def validated(self) -> "Settings":
        if not 1 <= self.notifications_per_hour <= 30:
            raise InvalidInput("Notifications per hour must be between 1 and 30.")
        if not 1 <= self.long_call_minutes <= 120:
            raise InvalidInput("A long call must be set between 1 and 120 minutes.")
        if self.default_pattern not in PATTERNS:
            raise InvalidInput(f"Unknown breathing pattern {self.default_pattern!r}.")
        if self.panel_corner not in PANEL_CORNERS:
            raise InvalidInput(f"Unknown screen corner {self.panel_corner!r} for the checklist panel.")
        if not 1 <= self.kudos_daily_cap <= 50:
            raise InvalidInput("The daily kudos limit must be between 1 and 50.")
        if self.reset_start_hook or self.reset_end_hook:
            from companion.presence import validate_command

            validate_command(self.reset_start_hook)
            validate_command(self.reset_end_hook)
        if not 0.5 <= self.detect_start_seconds <= 30:
            raise InvalidInput("A detected call must start after 0.5 to 30 seconds of the softphone using the "
                               "microphone.")
        if not 1 <= self.detect_end_seconds <= 60:
            raise InvalidInput("A detected call must end after 1 to 60 seconds without the microphone.")
        if self.agent_name:
            validate_name(self.agent_name, "Your name")
        return self

    def with_changes(self, **changes: Any) -> "Settings":
        return replace(self, **changes).validated()


_TYPES = {f.name: f.type for f in fields(Settings)}


def _coerce(name: str, raw: Any, default: Any) -> Any:
    kind = type(default)
    if kind is bool:
        return raw if isinstance(raw, bool) else default
    if kind is int:
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else default
    if kind is float:
        return float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else default
    return raw if isinstance(raw, kind) else default


class SettingsStore:
    """Reads and writes Settings in the database. Unknown or mistyped stored values fall back to defaults."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def load(self) -> Settings:
        defaults = Settings()
        values: dict[str, Any] = {}
        with self._db.reading() as s:
            for row in s.all('SELECT "key", value FROM settings'):
                if row.key in _TYPES:
                    try:
                        raw = json.loads(row.value)
                    except ValueError:
                        continue
                    values[row.key] = _coerce(row.key, raw, getattr(defaults, row.key))
        try:
            return replace(defaults, **values).validated()
        except InvalidInput:
            return defaults

    def save(self, settings: Settings) -> Settings:
        settings.validated()
        with self._db.session() as s:
            for key, value in asdict(settings).items():
                _put(s, key, json.dumps(value))
        return settings

    # Small pieces of app state that must survive a restart (e.g. "notifications paused until").
    def get_state(self, key: str) -> Any:
        with self._db.reading() as s:
            return read_state(s, key)

    def set_state(self, key: str, value: Any) -> None:
        with self._db.session() as s:
            write_state(s, key, value)


def read_state(session: Tx, key: str) -> Any:
    """A piece of app state (settings row ``state.<key>``, JSON) inside an open session; None if unset or
    unreadable. For code that reads it within a unit of work of its own; others use SettingsStore."""
    raw = session.scalar('SELECT value FROM settings WHERE "key" = ?', (f"state.{key}",))
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def write_state(session: Tx, key: str, value: Any) -> None:
    """Set (or, with None, remove) a piece of app state inside an open session: it commits with the rest."""
    if value is None:
        session.delete("settings", '"key" = ?', (f"state.{key}",))
    else:
        _put(session, f"state.{key}", json.dumps(value))


def _put(session: Tx, key: str, value: str) -> None:
    session.execute('INSERT INTO settings ("key", value, updated_at) VALUES (?, ?, ?) '
                    'ON CONFLICT ("key") DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
                    (key, value, utcnow()))
