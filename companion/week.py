"""My week: the last seven local days at a glance, aggregated in SQL (a year of calls stays fast).

Per day: calls and average handle time, resets, checklist runs and their average Moment of Truth score;
per checklist item: the share of calls it was ticked on, per day and for the week; kudos sent and received;
how the agent rated the moments. Nothing here leaves the desk.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, case, func, select

from companion.db.models import CallRecord, ChecklistRun, ChecklistRunItem, Kudos, ResetSession

DAYS = 7


@dataclass(frozen=True)
class DayFigures:
    day: date
    calls: int = 0
    average_handle: float | None = None
    resets: int = 0
    reset_seconds: float = 0.0
    runs: int = 0
    average_score: float | None = None  # 0-1


@dataclass(frozen=True)
class ItemFigures:
    key: str
    text: str
    per_day: tuple[float | None, ...]  # share of runs the item was ticked on, per day (None: no runs)
    week: float | None
    runs: int


@dataclass(frozen=True)
class WeekSummary:
    start: datetime  # UTC
    end: datetime
    days: tuple[DayFigures, ...]
    items: tuple[ItemFigures, ...]
    kudos_sent: int
    kudos_received: int
    outcomes: dict[str, int]

    @property
    def calls(self) -> int:
        return sum(d.calls for d in self.days)

    @property
    def resets(self) -> int:
        return sum(d.resets for d in self.days)

    @property
    def runs(self) -> int:
        return sum(d.runs for d in self.days)

    @property
    def average_score(self) -> float | None:
        scored = [(d.runs, d.average_score) for d in self.days if d.runs and d.average_score is not None]
        total = sum(n for n, _ in scored)
        return sum(n * s for n, s in scored) / total if total else None


def week_bounds(moment: datetime, days: int = DAYS) -> list[datetime]:
    """days + 1 UTC instants: the local midnights from (days - 1) days before ``moment``'s local day to the
    next midnight. Naive local midnights are resolved with the system's zone rules, so DST is respected."""
    today = moment.astimezone().date()
    bounds = []
    for offset in range(days - 1, -2, -1):
        day = today - timedelta(days=offset)
        bounds.append(datetime(day.year, day.month, day.day).astimezone().astimezone(timezone.utc))
    return bounds


def _day_index(column: Any, bounds: list[datetime]) -> ColumnElement[int]:
    return case(*[(column < bound, index) for index, bound in enumerate(bounds[1:])], else_=len(bounds) - 1)


def summarise_week(db: Any, local_moment: datetime, agent_name: str = "",
                   item_texts: dict[str, str] | None = None) -> WeekSummary:
    """Aggregate the week ending on ``local_moment``'s day. ``item_texts`` names the items (key -> text),
    in the order to show them; other keys found in the runs follow, by key."""
    bounds = week_bounds(local_moment)
    start, end = bounds[0], bounds[-1]
    days = [b.astimezone().date() for b in bounds[:-1]]
    calls: dict[int, tuple[int, float | None]] = {}
    resets: dict[int, tuple[int, float]] = {}
    runs: dict[int, tuple[int, float | None]] = {}
    items: dict[str, dict[int, tuple[int, int]]] = {}
    with db.reading() as s:
        day = _day_index(CallRecord.started_at, bounds).label("day")
        for index, count, handle in s.execute(
                select(day, func.count(), func.avg(CallRecord.handle_seconds))
                .where(CallRecord.started_at >= start, CallRecord.started_at < end).group_by(day)):
            calls[index] = (count, handle)
        day = _day_index(ResetSession.started_at, bounds).label("day")
        for index, count, seconds in s.execute(
                select(day, func.count(), func.coalesce(func.sum(ResetSession.actual_seconds), 0.0))
                .where(ResetSession.started_at >= start, ResetSession.started_at < end).group_by(day)):
            resets[index] = (count, seconds)
        day = _day_index(ChecklistRun.started_at, bounds).label("day")
        in_week = (ChecklistRun.started_at >= start, ChecklistRun.started_at < end)
        for index, count, avg in s.execute(select(day, func.count(), func.avg(ChecklistRun.score))
                                           .where(*in_week).group_by(day)):
            runs[index] = (count, avg)
        for key, index, count, ticked in s.execute(
                select(ChecklistRunItem.item_key, day, func.count(), func.count(ChecklistRunItem.ticked_at))
                .join(ChecklistRun, ChecklistRun.id == ChecklistRunItem.run_id)
                .where(*in_week).group_by(ChecklistRunItem.item_key, day)):
            items.setdefault(key, {})[index] = (count, ticked)
        outcomes = {outcome: count for outcome, count in s.execute(
            select(ChecklistRun.outcome, func.count()).where(*in_week, ChecklistRun.outcome.is_not(None))
            .group_by(ChecklistRun.outcome))}
        sent = received = 0
        if agent_name:
            in_kudos_week = (Kudos.sent_at >= start, Kudos.sent_at < end)
            sent = s.scalar(select(func.count()).select_from(Kudos)
                            .where(Kudos.sender == agent_name, *in_kudos_week)) or 0
            received = s.scalar(select(func.count()).select_from(Kudos)
                                .where(Kudos.recipient == agent_name, *in_kudos_week)) or 0
    day_figures = tuple(
        DayFigures(d, *calls.get(i, (0, None)), *resets.get(i, (0, 0.0)), *runs.get(i, (0, None)))
        for i, d in enumerate(days))
    texts = dict(item_texts or {})
    order = [k for k in texts if k in items] + sorted(k for k in items if k not in texts)
    item_figures = []
    for key in order:
        per = items[key]
        total = sum(c for c, _ in per.values())
        ticked = sum(t for _, t in per.values())
        item_figures.append(ItemFigures(
            key, texts.get(key, key),
            tuple((per[i][1] / per[i][0]) if i in per and per[i][0] else None for i in range(len(days))),
            ticked / total if total else None, total))
    return WeekSummary(start, end, day_figures, tuple(item_figures), sent, received, outcomes)
