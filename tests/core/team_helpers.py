"""Small helpers for the team tests: name the agent, fill the roster, join a (pretend) hub."""
from __future__ import annotations


def name_me(desk, name: str = "alex") -> None:
    desk.set_agent_name(name)


def add_mates(desk, *names: str) -> None:
    for name in names:
        desk.roster.add_local(name, name.capitalize())


def join_hub(desk, *, team: str = "blue", lead: bool = False, user: str | None = None) -> None:
    user = user or desk.settings().agent_name
    desk.store.set_state("team.hub", {"url": "postgresql://hub/db", "user": user, "team": team, "lead": lead})
