"""Who I am on the team: my name (Settings.agent_name) and, when joined, the hub settings (app state
``team.hub``: url, user, team, lead; docs/team-hub.md). Alone there is no team and no lead."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from companion.config import Settings, SettingsStore
from companion.errors import InvalidInput

HUB_STATE = "team.hub"


class NameNeeded(InvalidInput):
    """The agent has not told us their name yet: the ui asks for it (and saves it) before retrying."""

    def __init__(self) -> None:
        super().__init__("Tell Agent Companion your name on the team first (Settings → Team).")


@dataclass(frozen=True)
class Hub:
    user: str
    team: str | None
    lead: bool


class Identity:
    def __init__(self, store: SettingsStore, settings: Callable[[], Settings]) -> None:
        self._store = store
        self._settings = settings

    def hub(self) -> Hub | None:
        raw: Any = self._store.get_state(HUB_STATE)
        if not isinstance(raw, dict) or not isinstance(raw.get("user"), str):
            return None
        team = raw.get("team")
        return Hub(raw["user"], team if isinstance(team, str) else None, raw.get("lead") is True)

    def name(self) -> str:
        return self._settings().agent_name

    def require_name(self) -> str:
        name = self.name()
        if not name:
            raise NameNeeded()
        return name

    def team(self) -> str | None:
        hub = self.hub()
        return hub.team if hub else None

    def is_lead(self) -> bool:
        hub = self.hub()
        return hub is not None and hub.lead
