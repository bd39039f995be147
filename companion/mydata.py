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
import threading
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from companion.config import write_state
from companion.db.sql import Tx
from companion.errors import InvalidInput

FORMAT = "agent-companion/my-data"
VERSION = 1


@dataclass(frozen=True)
class Part:
    name: str                 # file / JSON key
    label: str                # for the confirmation dialog
    table: str
    columns: tuple[str, ...]  # exported, in this order (the order of companion.db.models)


_STAMPS = ("id", "created_at", "updated_at")
PARTS = (
    Part("calls", "calls", "calls", ("ref", "started_at", "ended_at", "handle_seconds", "tough", *_STAMPS)),
    Part("checklist_runs", "checklist runs", "checklist_runs",
         ("call_id", "template_id", "template_version", "template_name", "started_at", "ended_at",
          "handle_seconds", "item_count", "ticked_count", "score", "outcome", "obstacle_text", *_STAMPS)),
    Part("checklist_run_items", "checklist items (ticked or not)", "checklist_run_items",
         ("id", "run_id", "position", "item_key", "ticked_at")),
    Part("resets", "resets (with moods)", "resets",
         ("trigger", "pattern", "planned_seconds", "actual_seconds", "outcome", "started_at", "ended_at",
          "mood_before", "mood_after", "call_id", *_STAMPS)),
    Part("kudos", "kudos sent and received", "kudos",
         ("sender", "recipient", "category", "message", "call_ref", "team", "sent_at", "received_at", "read_at",
          *_STAMPS)),
    Part("obstacles", "obstacles you logged", "obstacles",
         ("author", "mine", "anonymous", "category", "text", "team", "logged_at", "status", "reply", "acted_by",
          "acted_at", *_STAMPS)),
    Part("obstacle_votes", "+1s you gave", "obstacle_votes", ("obstacle_id", "voter", *_STAMPS)),
    Part("breath_answers", "answers to group deep breaths", "broadcasts",
         ("kind", "sender", "team", "sent_at", "expires_at", "invited_at", "response", "responded_at",
          "joined_count", *_STAMPS)),
    Part("notifications", "notifications", "notifications",
         ("kind", "title", "body", "payload", "shown_at", "shown_via", "read_at", "held_reason", "expires_at",
          *_STAMPS)),
)


PARTS_BY_NAME = {p.name: p for p in PARTS}


def _where(part: Part, agent_name: str) -> tuple[str, tuple[str, ...]]:
    """The SQL condition that picks my rows of ``part``, and its parameters."""
    if part.table == "kudos":
        if not agent_name:
            return "0", ()
        return "sender = ? OR recipient = ?", (agent_name, agent_name)
    if part.table == "obstacles":
        return "mine = 1", ()
    if part.table == "obstacle_votes":
        if not agent_name:
            return "0", ()
        return "voter = ?", (agent_name,)
    if part.table == "broadcasts":  # the invitations I answered (joined, declined, missed), not the ones I sent
        return "response IS NOT NULL AND sender != ?", (agent_name,)
    return "1", ()


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def collect(db: Any, agent_name: str) -> dict[str, list[dict[str, Any]]]:
    """Every personal row, as plain dicts (column name -> JSON-ready value)."""
    data: dict[str, list[dict[str, Any]]] = {}
    with db.reading() as s:
        for part in PARTS:
            where, params = _where(part, agent_name)
            columns = ", ".join(f'"{c}"' for c in part.columns)
            rows = s.all(f"SELECT {columns} FROM {part.table} WHERE {where}", params)
            data[part.name] = [{c: _value(row[c]) for c in part.columns} for row in rows]
    return data


def counts(db: Any, agent_name: str) -> dict[str, int]:
    with db.reading() as s:
        return {part.name: _count(s, part, agent_name) for part in PARTS}


def _count(session: Tx, part: Part, agent_name: str) -> int:
    where, params = _where(part, agent_name)
    return session.scalar(f"SELECT count(*) FROM {part.table} WHERE {where}", params) or 0


def ticked_items(db: Any) -> int:
    """How many of the checklist items counted under ``checklist_run_items`` were ticked: the confirmation
    says both, exactly ("16 checklist items, 5 of them ticked")."""
    with db.reading() as s:
        return s.scalar("SELECT count(*) FROM checklist_run_items WHERE ticked_at IS NOT NULL") or 0


def describe(counts_: dict[str, int]) -> list[str]:
    """Lines for the confirmation: what will go, e.g. '12 calls'."""
    labels = {p.name: p.label for p in PARTS}
    return [f"{n} {labels[name]}" for name, n in counts_.items()]


def _private_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a new private (0600) file, then put it in place: an existing file there
    (0644, a hard link, a symlink someone planted) is replaced, never written through or left readable."""
    import tempfile

    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)  # 0600, O_EXCL
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


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
        files[f"{part.name}.csv"] = to_csv(data[part.name], list(part.columns))
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


DELIVERY_WAIT = 10.0  # seconds Delete my data waits for a delivery to the team hub in progress


class DeliveryInProgress(InvalidInput):
    """Delete my data met a batch on its way to the team hub (Desk.delivery is held): nothing was deleted."""
DELETED_BEFORE_STATE = "mydata.deleted_before"  # companion.inbound skips my records from before it


def delete_all(db: Any, agent_name: str, *, on_call: bool = False, in_reset: bool = False,
               delivery: threading.Lock | None = None, wait: float = DELIVERY_WAIT) -> dict[str, int]:
    """Remove every personal row in one transaction; returns how many of each went. In the same transaction
    the outbox items of what goes are removed (nothing of it is pushed later) and the payloads of items
    already pushed are cleared. Settings, the roster and checklist templates stay; what already reached the
    team hub stays there. Refused during a call and during a reset (they are being recorded)."""
    if on_call:
        raise InvalidInput("You're on a call. Delete your data when the call has ended.")
    if in_reset:
        raise InvalidInput("A reset is running. Delete your data when it has ended.")
    # The sync worker holds ``delivery`` from reading the outbox until the hub has committed what it read:
    # waiting for it means nothing read before the delete can still reach the hub after it.
    if delivery is not None and not (delivery.acquire(timeout=wait) if wait > 0 else delivery.acquire(False)):
        raise DeliveryInProgress("Agent Companion is delivering to your team hub right now. Try again in a moment.")
    try:
        return _delete_all(db, agent_name)
    finally:
        if delivery is not None:
            delivery.release()


def _delete_all(db: Any, agent_name: str) -> dict[str, int]:
    removed: dict[str, int] = {}
    mine = "SELECT id FROM obstacles WHERE mine = 1"
    kudos, kudos_params = _where(PARTS_BY_NAME["kudos"], agent_name)
    my_votes, votes_params = _where(PARTS_BY_NAME["obstacle_votes"], agent_name)
    votes = f"SELECT id FROM obstacle_votes WHERE ({my_votes}) OR obstacle_id IN ({mine})"
    with db.session() as s:
        # the outbox first, while the records it names are still here to be matched
        s.delete("outbox", f"(kind = 'kudos' AND record_id IN (SELECT id FROM kudos WHERE {kudos}))"
                           f" OR (kind = 'obstacle' AND record_id IN ({mine}))"
                           f" OR (kind = 'obstacle_vote' AND record_id IN ({votes}))"
                           " OR kind = 'breath_join'",  # only my own answers are ever enqueued as joins
                 (*kudos_params, *votes_params))
        s.update("outbox", {"payload": "{}"}, "pushed_at IS NOT NULL")
        # my +1s, and every +1 on my obstacles (children of what goes)
        removed["obstacle_votes"] = s.delete("obstacle_votes", my_votes, votes_params)
        s.delete("obstacle_votes", f"obstacle_id IN ({mine})")
        # children first, so the result does not depend on the foreign-key actions
        for part in sorted(PARTS, key=lambda p: 0 if p.table == "checklist_run_items" else
                           1 if p.table in ("checklist_runs", "resets") else 2):
            if part.table == "obstacle_votes":
                continue
            removed[part.name] = s.delete(part.table, *_where(part, agent_name))
        # The team hub keeps its copies: a later full pull (leave and join again) must not bring mine back.
        write_state(s, DELETED_BEFORE_STATE, datetime.now(timezone.utc).isoformat())
    return {p.name: removed[p.name] for p in PARTS}
