"""What a desk does with team records, for the tests and bench/kudos_latency.py.

``apply_kudos_for_tests`` / ``apply_roster_for_tests`` stand in for companion.team.inbound (built on another
branch) until the lead merges it: they only insert kudos and roster rows, idempotently by id.
``send_kudos_for_tests`` does what the kudos feature does: the local row and its outbox item in one transaction.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from companion.db.engine import Database
from companion.team import outbox


def apply_kudos_for_tests(session: Any, record: dict[str, Any], me: str) -> dict[str, Any] | None:
    """TEST ONLY: insert a pulled kudos by id (idempotent); tell about kudos addressed to me."""
    from companion.db.models import Kudos

    if record["kind"] != "kudos" or session.get(Kudos, record["id"]) is not None:
        return None
    session.add(Kudos(id=record["id"], sender=record["sender"], recipient=record["recipient"],
                      category=record["category"], message=record["message"], call_ref=record["call_ref"],
                      team=record["team"], sent_at=datetime.fromisoformat(record["sent_at"]),
                      received_at=datetime.now(timezone.utc)))
    if record["recipient"] != me:
        return None
    return {"kudos_id": record["id"], "from": record["sender"], "message": record["message"]}


def apply_roster_for_tests(session: Any, agents: list[dict[str, Any]]) -> None:
    """TEST ONLY: the hub's roster into ``teammates``."""
    from sqlalchemy import select

    from companion.db.models import Teammate

    for agent in agents:
        row = session.scalars(select(Teammate).where(Teammate.name == agent["name"])).first()
        if row is None:
            row = Teammate(name=agent["name"])
            session.add(row)
        row.display_name, row.team, row.is_lead, row.source = (agent["display_name"], agent["team"],
                                                               agent["is_lead"], "hub")


def kudos_record(sender: str, recipient: str, team: str, message: str = "thanks for the cover",
                 **extra: Any) -> dict[str, Any]:
    record = {"id": str(uuid.uuid4()), "kind": "kudos", "sender": sender, "team": team, "recipient": recipient,
              "category": "helping", "message": message, "call_ref": None,
              "sent_at": datetime.now(timezone.utc).isoformat()}
    record.update(extra)
    return record


def send_kudos_for_tests(db: Database, sender: str, recipient: str, team: str, message: str) -> dict[str, Any]:
    """TEST ONLY: what the kudos feature does - the local row and its outbox item in one transaction."""
    from companion.db.models import Kudos

    record = kudos_record(sender, recipient, team, message)
    with db.session() as s:
        s.add(Kudos(id=record["id"], sender=sender, recipient=recipient, category="helping", message=message,
                    team=team, sent_at=datetime.fromisoformat(record["sent_at"])))
        outbox.enqueue(s, "kudos", record, datetime.now(timezone.utc))
    return record


