"""Fairness, gently: who has not been thanked yet this month.

Recognition tends to flow to the same few people. Send kudos can mention, in one quiet line, the teammates
nobody has thanked yet this calendar month, ordered by name: never a count, never a ranking, never who got
the most. It is a setting (``Settings.kudos_suggest_quiet``, on by default) and only applies to teams of
:data:`MIN_TEAM` or more (in a smaller team the line would single a person out).
"""
from __future__ import annotations

from datetime import datetime, time
from typing import Iterable, Protocol

MIN_TEAM = 5  # people on the team, me included


class _Mate(Protocol):
    name: str
    display_name: str


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The first instant of ``now``'s calendar month (local time) and of the month after."""
    day = now.astimezone().date().replace(day=1)
    after = day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)
    # naive local midnight -> aware: each bound gets its own UTC offset (a month can cross a DST change)
    first, following = (datetime.combine(d, time(0)).astimezone() for d in (day, after))
    return first, following


def not_thanked(mates: Iterable[_Mate], thanked: set[str], me: str | None) -> list:
    """The ``mates`` (me left out) whose name is not in ``thanked``, by display name, case-insensitively; empty
    when the team (the mates and me) has fewer than :data:`MIN_TEAM` people."""
    others = {m.name: m for m in mates if m.name != me}
    if len(others) + 1 < MIN_TEAM:
        return []
    quiet = [m for n, m in others.items() if n not in thanked]
    return sorted(quiet, key=lambda m: (m.display_name.casefold(), m.name))
