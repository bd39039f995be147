"""Voice of the Customer: log an obstacle (category, text, optionally anonymous), +1 one (once per
voter), the huddle board grouped by category with +1 counts, and "acted on" with a reply (leads only).

Text is plain, at most 1000 characters, and refused before anything is stored when it looks like a card
number. With a team hub configured every change is written to the outbox in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from companion.clock import Clock
from companion.db.engine import Database
from companion.db.rows import ObstacleRow
from companion.db.sql import Tx, new_id
from companion.errors import InvalidInput
from companion.obstacles import store
from companion.team import outbox
from companion.team.identity import Identity
from companion.team.text import plain_text

MAX_TEXT = 1000
MAX_REPLY = 500
CATEGORIES = (
    ("tools", "Tools and systems"),
    ("rights", "Rights and permissions"),
    ("process", "Process and policy"),
    ("knowledge", "Knowledge and training"),
    ("customer", "What customers keep telling us"),
    ("other", "Something else"),
)
CATEGORY_NAMES = dict(CATEGORIES)


@dataclass(frozen=True)
class BoardItem:
    id: str
    category: str
    text: str
    author: str | None       # None when anonymous
    mine: bool
    votes: int               # +1s (the author's own is not counted)
    voted: bool              # I gave it a +1
    logged_at: datetime
    status: str              # open | acted_on
    reply: str | None
    acted_by: str | None


@dataclass(frozen=True)
class BoardGroup:
    category: str
    name: str
    items: tuple[BoardItem, ...]

    @property
    def votes(self) -> int:
        return sum(i.votes for i in self.items)


def validate_category(key: object) -> str:
    if not isinstance(key, str) or key not in CATEGORY_NAMES:
        raise InvalidInput("Choose a category for the obstacle: " + ", ".join(k for k, _ in CATEGORIES) + ".")
    return key


def validate_text(text: object) -> str:
    return plain_text(text, "The obstacle", MAX_TEXT, multiline=True)


def validate_reply(text: object) -> str:
    return plain_text(text, "The reply", MAX_REPLY, multiline=True)


class ObstacleService:
    def __init__(self, db: Database, clock: Clock, identity: Identity) -> None:
        self._db = db
        self._clock = clock
        self._identity = identity

    def log(self, category: str, text: str, anonymous: bool = False) -> str:
        me = self._identity.require_name()
        category = validate_category(category)
        text = validate_text(text)
        now = self._clock.now()
        hub = self._identity.hub()
        with self._db.session() as s:
            row = store.insert(s, {"id": new_id(), "author": me, "mine": True, "anonymous": bool(anonymous),
                                   "category": category, "text": text, "team": hub.team if hub else None,
                                   "logged_at": now, "status": "open", "created_at": now, "updated_at": now})
            if hub is not None:
                outbox.enqueue(s, "obstacle", {
                    "id": row.id, "kind": "obstacle", "sender": None if row.anonymous else me, "team": row.team,
                    "anonymous": row.anonymous, "category": category, "text": text,
                    # anonymous: only the hour, so the time says nothing about the author's other records
                    "logged_at": (now.replace(minute=0, second=0, microsecond=0) if row.anonymous
                                  else now).isoformat()}, now)
            return row.id

    def vote(self, obstacle_id: str) -> None:
        """+1: "this holds me back too". Once per voter; not on your own."""
        me = self._identity.require_name()
        now = self._clock.now()
        hub = self._identity.hub()
        with self._db.session() as s:
            obstacle = _on_board(s, obstacle_id)
            if obstacle.mine or obstacle.author == me:
                raise InvalidInput("You logged this one yourself; +1s are for teammates who share it.")
            if store.has_voted(s, obstacle_id, me):
                raise InvalidInput("You have already given this obstacle a +1.")
            vote = store.insert_vote(s, {"id": new_id(), "obstacle_id": obstacle_id, "voter": me,
                                         "created_at": now, "updated_at": now})
            if hub is not None:
                outbox.enqueue(s, "obstacle_vote", {"id": vote.id, "kind": "obstacle_vote", "sender": me,
                                                    "team": hub.team, "obstacle_id": obstacle_id}, now)

    def mark_acted_on(self, obstacle_id: str, reply: str) -> None:
        """The lead says what was done. The author is told (on their desk, through the hub)."""
        if not self._identity.is_lead():
            raise InvalidInput("Only a team lead can mark an obstacle as acted on.")
        me = self._identity.require_name()
        reply = validate_reply(reply)
        now = self._clock.now()
        hub = self._identity.hub()
        with self._db.session() as s:
            obstacle = _on_board(s, obstacle_id)
            if obstacle.status == "acted_on":
                raise InvalidInput("This obstacle is already marked as acted on.")
            store.mark_acted_on(s, obstacle_id, reply, me, now, now)
            if hub is not None:
                outbox.enqueue(s, "obstacle_reply", {
                    "id": new_id(), "kind": "obstacle_reply", "sender": me, "team": hub.team,
                    "obstacle_id": obstacle_id, "reply": reply, "acted_at": now.isoformat()}, now)

    def board(self) -> list[BoardGroup]:
        """Every obstacle, grouped by category (most +1s first), open ones before those acted on."""
        me = self._identity.name()
        with self._db.reading() as s:
            counts = store.vote_counts(s)
            mine_votes = store.voted_by(s, me)
            items = [BoardItem(o.id, o.category, o.text, None if o.anonymous else o.author, o.mine,
                               counts.get(o.id, 0), o.id in mine_votes, o.logged_at, o.status, o.reply, o.acted_by)
                     for o in store.everything(s)]
        groups = []
        for key, name in CATEGORIES:
            inside = [i for i in items if i.category == key]
            if inside:
                inside.sort(key=lambda i: (i.status != "open", -i.votes, i.logged_at))
                groups.append(BoardGroup(key, name, tuple(inside)))
        groups.sort(key=lambda g: -sum(i.votes for i in g.items if i.status == "open"))
        return groups


def _on_board(session: Tx, obstacle_id: str) -> ObstacleRow:
    obstacle = store.get(session, obstacle_id)
    if obstacle is None:
        raise InvalidInput("That obstacle is no longer on the board.")
    return obstacle
