"""What a desk does with team records, for the tests and bench/kudos_latency.py.

``send_kudos_for_tests`` does what the kudos feature does: the local row and its outbox item in one transaction.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from companion.db.engine import Database
from companion.team import outbox


def kudos_record(sender: str, recipient: str, team: str, message: str = "thanks for the cover",
                 **extra: Any) -> dict[str, Any]:
    record = {"id": str(uuid.uuid4()), "kind": "kudos", "sender": sender, "team": team, "recipient": recipient,
              "category": "helping", "message": message, "call_ref": None,
              "sent_at": datetime.now(timezone.utc).isoformat()}
    record.update(extra)
    return record


def send_kudos_for_tests(db: Database, sender: str, recipient: str, team: str, message: str) -> dict[str, Any]:
    """TEST ONLY: what the kudos feature does - the local row and its outbox item in one transaction."""
    record = kudos_record(sender, recipient, team, message)
    with db.session() as s:
        s.insert("kudos", {"id": record["id"], "sender": sender, "recipient": recipient, "category": "helping",
                           "message": message, "team": team, "sent_at": datetime.fromisoformat(record["sent_at"])})
        outbox.enqueue(s, "kudos", record, datetime.now(timezone.utc))
    return record


