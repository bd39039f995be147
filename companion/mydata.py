"""Export my data, delete my data: everything personal on this desk.

Personal here means: calls, checklist runs and their items, resets (with moods), kudos I sent or received,
obstacles I logged, my +1s on obstacles, my answers to group deep-breath invitations, and notifications.
Settings, the roster and checklist templates are not personal records and stay.

Deleting removes those rows in one transaction (all or nothing), and in the same transaction the outbox
items that would carry them to the team hub (so nothing of it is pushed afterwards); items already pushed
keep no copy of what they carried (their payload is cleared). What already reached the team hub (kudos,
obstacles, +1s) stays there, visible to the team by design: this desk cannot take it back.
"""
from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, false, or_, select, update
from sqlalchemy.orm import DeclarativeBase

from companion.db.models import (
    Broadcast,
    CallRecord,
    ChecklistRun,
    ChecklistRunItem,
    Kudos,
    Notification,
    Obstacle,
    ObstacleVote,
    OutboxItem,
    ResetSession,
)
from companion.config import write_state
from companion.errors import InvalidInput

FORMAT = "agent-companion/my-data"
VERSION = 1


@dataclass(frozen=True)
class Part:
    name: str          # file / JSON key
    label: str         # for the confirmation dialog
    model: type[DeclarativeBase]


PARTS = (
    Part("calls", "calls", CallRecord),
    Part("checklist_runs", "checklist runs", ChecklistRun),
    Part("checklist_run_items", "checklist items ticked", ChecklistRunItem),
    Part("resets", "resets (with moods)", ResetSession),
    Part("kudos", "kudos sent and received", Kudos),
    Part("obstacles", "obstacles you logged", Obstacle),
    Part("obstacle_votes", "+1s you gave", ObstacleVote),
    Part("breath_answers", "answers to group deep breaths", Broadcast),
    Part("notifications", "notifications", Notification),
)


PARTS_BY_NAME = {p.name: p for p in PARTS}


def _where(part: Part, agent_name: str) -> list[Any]:
    if part.model is Kudos:
        if not agent_name:
            return [false()]
        return [or_(Kudos.sender == agent_name, Kudos.recipient == agent_name)]
    if part.model is Obstacle:
        return [Obstacle.mine.is_(True)]
    if part.model is ObstacleVote:
        if not agent_name:
            return [false()]
        return [ObstacleVote.voter == agent_name]
    if part.model is Broadcast:  # the invitations I answered (joined, declined, missed), not the ones I sent
        return [Broadcast.response.is_not(None), Broadcast.sender != agent_name]
    return []


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def collect(db: Any, agent_name: str) -> dict[str, list[dict[str, Any]]]:
    """Every personal row, as plain dicts (column name -> JSON-ready value)."""
    data: dict[str, list[dict[str, Any]]] = {}
    with db.reading() as s:
        for part in PARTS:
            columns = [c.key for c in part.model.__table__.columns]
            rows = s.scalars(select(part.model).where(*_where(part, agent_name)))
            data[part.name] = [{c: _value(getattr(row, c)) for c in columns} for row in rows]
    return data


def counts(db: Any, agent_name: str) -> dict[str, int]:
    from sqlalchemy import func

    with db.reading() as s:
        return {part.name: s.scalar(select(func.count()).select_from(part.model)
                                    .where(*_where(part, agent_name))) or 0 for part in PARTS}


def describe(counts_: dict[str, int]) -> list[str]:
    """Lines for the confirmation: what will go, e.g. '12 calls'."""
    labels = {p.name: p.label for p in PARTS}
    return [f"{n} {labels[name]}" for name, n in counts_.items()]


def _private_write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def to_json(data: dict[str, list[dict[str, Any]]], exported_at: datetime) -> bytes:
    doc = {"format": FORMAT, "version": VERSION, "exported_at": exported_at.isoformat(), **data}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        # A cell starting with = + - @ would be a formula in a spreadsheet: prefix it so it stays text.
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v)
                         for k, v in row.items()})
    return out.getvalue().encode("utf-8")


def export(db: Any, agent_name: str, target: Path, exported_at: datetime) -> Path:
    """Write everything personal to ``target``: a .zip (one CSV per table plus my-data.json) or a folder
    (the same files in it). Files are private to the user. Returns the path written."""
    data = collect(db, agent_name)
    files: dict[str, bytes] = {"my-data.json": to_json(data, exported_at)}
    for part in PARTS:
        columns = [c.key for c in part.model.__table__.columns]
        files[f"{part.name}.csv"] = to_csv(data[part.name], columns)
    target = Path(target)
    if target.suffix.lower() == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(name, content)
        _private_write(target, buffer.getvalue())
        return target
    if target.exists() and not target.is_dir():
        raise InvalidInput(f"{target} is a file; choose a folder or a .zip name.")
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, content in files.items():
        _private_write(target / name, content)
    return target


DELETED_BEFORE_STATE = "mydata.deleted_before"  # companion.team.inbound skips my records from before it


def delete_all(db: Any, agent_name: str, *, on_call: bool = False, in_reset: bool = False) -> dict[str, int]:
    """Remove every personal row in one transaction; returns how many of each went. In the same transaction
    the outbox items of what goes are removed (nothing of it is pushed later) and the payloads of items
    already pushed are cleared. Settings, the roster and checklist templates stay; what already reached the
    team hub stays there. Refused during a call and during a reset (they are being recorded)."""
    if on_call:
        raise InvalidInput("You're on a call. Delete your data when the call has ended.")
    if in_reset:
        raise InvalidInput("A reset is running. Delete your data when it has ended.")
    removed: dict[str, int] = {}
    mine = select(Obstacle.id).where(Obstacle.mine.is_(True)).scalar_subquery()
    votes = select(ObstacleVote.id).where(or_(*_where(PARTS_BY_NAME["obstacle_votes"], agent_name),
                                              ObstacleVote.obstacle_id.in_(mine))).scalar_subquery()
    with db.session() as s:
        # the outbox first, while the records it names are still here to be matched
        s.execute(delete(OutboxItem).where(or_(
            and_(OutboxItem.kind == "kudos",
                 OutboxItem.record_id.in_(select(Kudos.id).where(*_where(PARTS_BY_NAME["kudos"], agent_name))
                                          .scalar_subquery())),
            and_(OutboxItem.kind == "obstacle", OutboxItem.record_id.in_(mine)),
            and_(OutboxItem.kind == "obstacle_vote", OutboxItem.record_id.in_(votes)),
            OutboxItem.kind == "breath_join",  # only my own answers are ever enqueued as joins
        )))
        s.execute(update(OutboxItem).where(OutboxItem.pushed_at.is_not(None)).values(payload="{}"))
        # my +1s, and every +1 on my obstacles (children of what goes)
        removed["obstacle_votes"] = s.execute(
            delete(ObstacleVote).where(*_where(PARTS_BY_NAME["obstacle_votes"], agent_name))).rowcount or 0
        s.execute(delete(ObstacleVote).where(ObstacleVote.obstacle_id.in_(mine)))
        # children first, so the result does not depend on the foreign-key actions
        for part in sorted(PARTS, key=lambda p: 0 if p.model is ChecklistRunItem else
                           1 if p.model in (ChecklistRun, ResetSession) else 2):
            if part.model is ObstacleVote:
                continue
            result = s.execute(delete(part.model).where(*_where(part, agent_name)))
            removed[part.name] = result.rowcount or 0
        # The team hub keeps its copies: a later full pull (leave and join again) must not bring mine back.
        write_state(s, DELETED_BEFORE_STATE, datetime.now(timezone.utc).isoformat())
    return {p.name: removed[p.name] for p in PARTS}
