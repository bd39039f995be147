"""The agent's checklist templates in the local database: list, create, edit, reorder, archive, import,
export, and which one the panel uses.

A template row keeps the validated template document (its items in order) as JSON, so what is stored is
exactly what can be exported again. Team templates (published by a lead, companion.checklists.publish)
are read-only here: the agent may use, reorder or archive them, not edit them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from companion.checklists.templates import Template, dump, parse, validate
from companion.clock import Clock
from companion.config import SettingsStore
from companion.db.engine import Database
from companion.db.sql import Row, Tx, placeholders
from companion.errors import InvalidInput

ACTIVE_STATE = "checklists.active"  # app state: the id of the template the panel uses
MAX_TEMPLATES = 200


@dataclass(frozen=True)
class StoredTemplate:
    id: str
    template: Template
    version: int
    position: int
    archived: bool
    source: str                    # local | team
    team_template_id: str | None = None
    published_by: str | None = None

    @property
    def name(self) -> str:
        return self.template.name

    @property
    def read_only(self) -> bool:
        return self.source == "team"

    def label(self) -> str:
        text = self.name
        if self.template.line_of_business:
            text += f" · {self.template.line_of_business}"
        if self.source == "team":
            text += f" (team, v{self.version})"
        if self.archived:
            text += " (archived)"
        return text


def body_json(template: Template) -> str:
    return json.dumps(template.to_document(), ensure_ascii=False, sort_keys=False)


def from_row(row: Row) -> StoredTemplate:
    template = validate(json.loads(row.body))  # stored bodies were validated on the way in
    return StoredTemplate(row.id, template, row.version, row.position, row.archived, row.source,
                          row.team_template_id, row.published_by)


def next_position(session: Tx) -> int:
    return (session.scalar("SELECT max(position) FROM checklist_templates") or 0) + 1


# -- team templates (companion.checklists.publish) ------------------------------------------------------
def insert_template(session: Tx, values: dict[str, Any]) -> Row:
    return session.insert("checklist_templates", values)


def template_row(session: Tx, template_id: str) -> Row | None:
    return session.get("checklist_templates", template_id)


def has_team_version(session: Tx, team_template_id: str, version: int) -> bool:
    return session.one("SELECT id FROM checklist_templates WHERE team_template_id = ? AND version = ?",
                       (team_template_id, version)) is not None


def team_versions(session: Tx, team_template_id: str) -> list[Row]:
    """``id``, ``version``, ``position`` of every version of a lead's template held here."""
    return session.all("SELECT id, version, position FROM checklist_templates WHERE team_template_id = ?",
                       (team_template_id,))


def archive_team_template(session: Tx, team_template_id: str, now: datetime) -> None:
    """Archive every version held here of a lead's template."""
    session.update("checklist_templates", {"archived": True, "updated_at": now}, "team_template_id = ?",
                   (team_template_id,))


# -- runs (private: never synced) --------------------------------------------------------------------
def insert_run(session: Tx, values: dict[str, Any]) -> Row:
    """One saved checklist run; returns the row as written (with its new id)."""
    return session.insert("checklist_runs", values)


def insert_run_item(session: Tx, run_id: str, position: int, item_key: str, ticked_at: float | None) -> None:
    session.insert("checklist_run_items", {"run_id": run_id, "position": position, "item_key": item_key,
                                           "ticked_at": ticked_at})


def set_run_outcome(session: Tx, run_id: str, outcome: str | None, obstacle_text: str | None,
                    now: datetime) -> bool:
    """The outcome step of a run; False when the run no longer exists."""
    return bool(session.update("checklist_runs", {"outcome": outcome, "obstacle_text": obstacle_text,
                                                  "updated_at": now}, "id = ?", (run_id,)))


def run_items(session: Tx, run_id: str) -> list[Row]:
    """``item_key`` and ``ticked_at`` of a run's items, in order."""
    return session.all("SELECT item_key, ticked_at FROM checklist_run_items WHERE run_id = ? ORDER BY position",
                       (run_id,))


def _count(session: Tx) -> int:
    return session.scalar("SELECT count(*) FROM checklist_templates")


class TemplateStore:
    def __init__(self, db: Database, clock: Clock, state: SettingsStore) -> None:
        self._db = db
        self._clock = clock
        self._state = state

    # -- reading ----------------------------------------------------------------------------------
    def ensure_default(self) -> None:
        """A new desk starts with the shipped Moment of Truth template."""
        with self._db.reading() as s:
            if _count(s):
                return
        from companion.checklists.templates import default_template

        stored = self.create(default_template())
        if self._state.get_state(ACTIVE_STATE) is None:
            self._state.set_state(ACTIVE_STATE, stored.id)

    def list(self, include_archived: bool = False) -> list[StoredTemplate]:
        where = "" if include_archived else "WHERE archived = 0 "
        with self._db.reading() as s:
            return [from_row(row) for row in
                    s.all(f"SELECT * FROM checklist_templates {where}ORDER BY position, created_at")]

    def get(self, template_id: str) -> StoredTemplate:
        with self._db.reading() as s:
            row = s.get("checklist_templates", template_id)
        if row is None:
            raise InvalidInput("That checklist template no longer exists.")
        return from_row(row)

    def active(self) -> StoredTemplate:
        """The template the panel uses: the one chosen, else the first in the list (the default is
        created when there is none)."""
        chosen = self._state.get_state(ACTIVE_STATE)
        if isinstance(chosen, str):
            with self._db.reading() as s:
                row = s.get("checklist_templates", chosen)
            if row is not None and not row.archived:
                return from_row(row)
        templates = self.list()
        if not templates:
            self.ensure_default()
            templates = self.list()
            if not templates:  # every template is archived: fall back to the shipped one, unarchived
                from companion.checklists.templates import default_template

                return self.create(default_template())
        return templates[0]

    def set_active(self, template_id: str) -> StoredTemplate:
        stored = self.get(template_id)
        if stored.archived:
            raise InvalidInput("An archived template cannot be used for calls; restore it first.")
        self._state.set_state(ACTIVE_STATE, template_id)
        return stored

    # -- changing ---------------------------------------------------------------------------------
    def create(self, template: Template) -> StoredTemplate:
        template = validate(template.to_document())  # whatever the caller built, store only valid data
        now = self._clock.now()
        with self._db.session() as s:
            if _count(s) >= MAX_TEMPLATES:
                raise InvalidInput(f"You already have {MAX_TEMPLATES} templates; archive or reuse one.")
            row = s.insert("checklist_templates", {
                "name": template.name, "line_of_business": template.line_of_business, "body": body_json(template),
                "version": 1, "position": next_position(s), "archived": False, "source": "local",
                "team_template_id": None, "published_by": None, "created_at": now, "updated_at": now})
            return from_row(row)

    def update(self, template_id: str, template: Template) -> StoredTemplate:
        template = validate(template.to_document())
        now = self._clock.now()
        with self._db.session() as s:
            row = self._editable(s, template_id)
            body = body_json(template)
            if body == row.body:
                return from_row(row)  # nothing changed: the version stays
            s.update("checklist_templates", {"name": template.name, "line_of_business": template.line_of_business,
                                             "body": body, "version": row.version + 1, "updated_at": now},
                     "id = ?", (template_id,))
            return from_row(s.get("checklist_templates", template_id))

    def archive(self, template_id: str, archived: bool = True) -> StoredTemplate:
        with self._db.session() as s:
            if not s.update("checklist_templates", {"archived": archived, "updated_at": self._clock.now()},
                            "id = ?", (template_id,)):
                raise InvalidInput("That checklist template no longer exists.")
            stored = from_row(s.get("checklist_templates", template_id))
        if archived and self._state.get_state(ACTIVE_STATE) == template_id:
            remaining = self.list()  # calls use the next one in the list from now on
            self._state.set_state(ACTIVE_STATE, remaining[0].id if remaining else None)
        return stored

    def move(self, template_id: str, delta: int) -> list[StoredTemplate]:
        """Move a template up (-1) or down (+1) in the list (archived ones keep their place)."""
        with self._db.session() as s:
            rows = s.all("SELECT id, position FROM checklist_templates ORDER BY position, created_at")
            index = next((i for i, r in enumerate(rows) if r.id == template_id), None)
            if index is None:
                raise InvalidInput("That checklist template no longer exists.")
            target = max(0, min(len(rows) - 1, index + delta))
            rows.insert(target, rows.pop(index))
            for position, row in enumerate(rows, start=1):
                if row.position != position:
                    s.update("checklist_templates", {"position": position}, "id = ?", (row.id,))
        return self.list(include_archived=True)

    # -- files ------------------------------------------------------------------------------------
    def import_file(self, data: bytes, filename: str) -> StoredTemplate:
        """Import a JSON or YAML template file as a new local template. A bad file raises InvalidInput
        naming the problem; nothing is changed."""
        return self.create(parse(data, filename))

    def export(self, template_id: str, fmt: str = "json") -> bytes:
        if fmt not in ("json", "yaml"):
            raise InvalidInput("Export as JSON or YAML.")
        return dump(self.get(template_id).template, fmt)

    def _editable(self, s: Tx, template_id: str) -> Row:
        row = s.get("checklist_templates", template_id)
        if row is None:
            raise InvalidInput("That checklist template no longer exists.")
        if row.source == "team":
            raise InvalidInput(f"{row.name!r} was published by your team lead and cannot be edited here. "
                               "Import a copy (export it first) to make your own version.")
        return row

    def now(self) -> datetime:
        return self._clock.now()


def runs_of_calls(session: Tx, call_ids: list[str]) -> list[Row]:
    """My day: ``call_id``, ``ticked_count``, ``item_count``, ``outcome`` and ``obstacle_text`` ("what got in
    the way") of the checklist runs of those calls."""
    if not call_ids:
        return []
    marks = ", ".join("?" for _ in call_ids)
    return session.all("SELECT call_id, ticked_count, item_count, outcome, obstacle_text FROM checklist_runs "
                       f"WHERE call_id IN ({marks})", call_ids)
