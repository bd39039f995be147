"""The team roster (``teammates``): recipients for kudos, typed in by hand when alone, or the hub's.

Hand-typed entries have source ``local``; the hub's roster (``inbound.apply_roster``) has source ``hub``
and cannot be changed here. Once a hub roster has arrived, hand-typed entries are inactive (kept, never
deleted): only the hub's teammates are offered, since the hub refuses kudos to anyone else.
"""
from __future__ import annotations

from dataclasses import dataclass

from companion.clock import Clock
from companion.db.engine import Database
from companion.errors import InvalidInput
from companion.names import validate_name
from companion.team import store
from companion.team.text import plain_text

MAX_DISPLAY = 100


@dataclass(frozen=True)
class Mate:
    name: str
    display_name: str
    team: str | None
    is_lead: bool
    source: str
    active: bool = True   # False: kept for history, not offered (left the hub's roster, or hand-typed on a hub)

    @property
    def label(self) -> str:
        """How the autocomplete shows a teammate: "Dana Scully (dana)"."""
        return f"{self.display_name} ({self.name})"


def validate_display_name(value: object) -> str:
    return plain_text(value, "A display name", MAX_DISPLAY)


class Roster:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def mates(self, *, include_inactive: bool = False) -> list[Mate]:
        with self._db.reading() as s:
            return [Mate(t.name, t.display_name, t.team, t.is_lead, t.source, t.active)
                    for t in store.teammates(s, include_inactive=include_inactive)]

    def find(self, name: str) -> Mate | None:
        """An active teammate by name."""
        with self._db.reading() as s:
            t = store.active_teammate(s, name)
            return None if t is None else Mate(t.name, t.display_name, t.team, t.is_lead, t.source)

    def display_names(self) -> dict[str, str]:
        """Every name the roster knows (also inactive ones: old kudos keep their display name)."""
        return {m.name: m.display_name for m in self.mates(include_inactive=True)}

    def team_size(self, team: str | None) -> int:
        """Active agents on the roster in ``team`` (all of them when no team is known)."""
        return sum(1 for m in self.mates() if team is None or m.team == team)

    def add_local(self, name: str, display_name: str) -> Mate:
        name = validate_name(name, "A teammate's name")
        display = validate_display_name(display_name)
        now = self._clock.now()
        local = {"display_name": display, "active": True, "source": "local", "is_lead": False, "updated_at": now}
        with self._db.session() as s:
            existing = store.teammate(s, name)
            if existing is not None and existing.source == "hub":
                raise InvalidInput(f"{name} comes from the team hub's roster and cannot be changed here.")
            if existing is not None and existing.active:
                raise InvalidInput(f"{name} is already on your roster.")
            if existing is None:
                store.insert_teammate(s, {"name": name, "created_at": now, **local})
            else:  # hand-typed earlier, made inactive by a hub roster: offered again
                store.update_teammate(s, existing.id, local)
        return Mate(name, display, None, False, "local")

    def restore_local(self) -> int:
        """After leaving a team hub: the hand-typed teammates it made inactive are offered again (the hub's
        entries stay as they were). Returns how many came back."""
        now = self._clock.now()
        with self._db.session() as s:
            return store.set_local_active(s, True, now)

    def remove_local(self, name: str) -> None:
        with self._db.session() as s:
            row = store.teammate(s, name)
            if row is None:
                raise InvalidInput(f"{name!r} is not on your roster.")
            if row.source == "hub":
                raise InvalidInput(f"{name} comes from the team hub's roster and cannot be removed here.")
            store.delete_teammate(s, row.id)
