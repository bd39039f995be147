"""My week: the last seven local days at a glance, aggregated in SQL (a year of calls stays fast).

Per day: calls and average handle time, resets, checklist runs and their average Moment of Truth score;
per checklist item: the share of calls it was ticked on, per day and for the week; kudos sent and received;
how the agent rated the moments. Nothing here leaves the desk.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

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
    average_handle: float | None = None  # seconds, over the week's ended calls

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


def _day_index(column: str, bounds: list[datetime]) -> str:
    """SQL for the index of the day ``column`` falls on: ``CASE WHEN column < :b1 THEN 0 ... END`` (the
    parameters ``b1`` ... are the bounds after the first, see ``_bound_params``)."""
    whens = " ".join(f"WHEN {column} < :b{index + 1} THEN {index}" for index in range(len(bounds) - 1))
    return f"(CASE {whens} ELSE {len(bounds) - 1} END)"


def _bound_params(bounds: list[datetime]) -> dict[str, datetime]:
    """The named parameters of the week's queries: ``start``, ``end`` and the day bounds ``b1`` ..."""
    return {"start": bounds[0], "end": bounds[-1], **{f"b{i}": bound for i, bound in enumerate(bounds) if i}}


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
    params = _bound_params(bounds)
    with db.reading() as s:
        for row in s.all(f"SELECT {_day_index('started_at', bounds)} AS day, count(*) AS n, "
                         "avg(handle_seconds) AS handle FROM calls "
                         "WHERE started_at >= :start AND started_at < :end GROUP BY day", params):
            calls[row.day] = (row.n, row.handle)
        for row in s.all(f"SELECT {_day_index('started_at', bounds)} AS day, count(*) AS n, "
                         "coalesce(sum(actual_seconds), 0.0) AS seconds FROM resets "
                         "WHERE started_at >= :start AND started_at < :end GROUP BY day", params):
            resets[row.day] = (row.n, row.seconds)
        run_day = _day_index("checklist_runs.started_at", bounds)
        in_week = "checklist_runs.started_at >= :start AND checklist_runs.started_at < :end"
        for row in s.all(f"SELECT {run_day} AS day, count(*) AS n, avg(score) AS average FROM checklist_runs "
                         f"WHERE {in_week} GROUP BY day", params):
            runs[row.day] = (row.n, row.average)
        for row in s.all(f"SELECT checklist_run_items.item_key AS item_key, {run_day} AS day, count(*) AS n, "
                         "count(checklist_run_items.ticked_at) AS ticked FROM checklist_run_items "
                         "JOIN checklist_runs ON checklist_runs.id = checklist_run_items.run_id "
                         f"WHERE {in_week} GROUP BY checklist_run_items.item_key, day", params):
            items.setdefault(row.item_key, {})[row.day] = (row.n, row.ticked)
        week_handle = s.scalar("SELECT avg(handle_seconds) FROM calls "
                               "WHERE started_at >= :start AND started_at < :end", params)
        outcomes = {row.outcome: row.n for row in s.all(
            f"SELECT outcome, count(*) AS n FROM checklist_runs WHERE {in_week} AND outcome IS NOT NULL "
            "GROUP BY outcome", params)}
        sent = received = 0
        if agent_name:
            mine = {**params, "agent": agent_name}
            in_kudos_week = "sent_at >= :start AND sent_at < :end"
            sent = s.scalar(f"SELECT count(*) FROM kudos WHERE sender = :agent AND {in_kudos_week}", mine) or 0
            received = s.scalar(f"SELECT count(*) FROM kudos WHERE recipient = :agent AND {in_kudos_week}",
                                mine) or 0
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
    return WeekSummary(start, end, day_figures, tuple(item_figures), sent, received, outcomes, week_handle)
