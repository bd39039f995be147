"""Each syncable record kind, declared once (issue 14, point 7): its hub table, its wire fields, who may
insert it, its anonymity policy, what a notice calls it and the ``companion.inbound`` handler that applies it.

The outbox's kind list (``companion.team.outbox.KINDS``), the push grouping (``companion.team.sync``), the
desk's refusal notices (``companion.desk``), the inbound handlers (``companion.inbound``) and the desk's hub
insert statements (``companion.team.hub_schema.RECORD_TABLES``) all derive from ``RECORD_KINDS``.
Hub migrations are frozen SQL text (``companion.team.hub_migrations``): a NEW hub version derives its lists
from here; versions 1-3 never change. tests/core/test_record_kinds.py fails if a kind is described elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass

# The anonymity policy: how a record is pushed (companion.team.sync groups the outbox by it)
WITH_OTHERS = "with_others"        # in a hub transaction with the author's other records
ALONE = "alone"                    # always alone in its hub transaction (nothing ties it to the author's others)
ALONE_IF_ANONYMOUS = "alone_if_anonymous"  # alone unless the record says "anonymous": false

AGENT, LEAD = "agent", "lead"      # who may insert it (companion.team.hub_schema maps these to hub roles)


@dataclass(frozen=True)
class RecordKind:
    kind: str
    table: str                     # the hub's table (companion.<table>)
    fields: tuple[str, ...]        # wire fields besides id, sender and team
    inserter: str                  # AGENT or LEAD
    policy: str                    # WITH_OTHERS, ALONE or ALONE_IF_ANONYMOUS
    notice: str                    # what the desk calls it ("The team hub refused your <notice>")
    handler: str                   # the name of its companion.inbound function


RECORD_KINDS: dict[str, RecordKind] = {k.kind: k for k in (
    RecordKind("kudos", "kudos", ("recipient", "category", "message", "call_ref", "sent_at"), AGENT,
               WITH_OTHERS, "kudos", "_kudos"),
    RecordKind("obstacle", "obstacles", ("anonymous", "category", "text", "logged_at"), AGENT,
               ALONE_IF_ANONYMOUS, "obstacle", "_obstacle"),
    RecordKind("obstacle_vote", "obstacle_votes", ("obstacle_id",), AGENT, WITH_OTHERS, "+1", "_obstacle_vote"),
    RecordKind("obstacle_reply", "obstacle_replies", ("obstacle_id", "reply", "acted_at"), LEAD, WITH_OTHERS,
               "reply", "_obstacle_reply"),
    RecordKind("broadcast", "broadcasts", ("broadcast_kind", "sent_at", "expires_at"), LEAD, WITH_OTHERS,
               "group deep breath", "_broadcast"),
    RecordKind("breath_join", "breath_joins", ("broadcast_id", "joined_at"), AGENT, ALONE, "deep-breath join",
               "_breath_join"),
    RecordKind("template", "templates", ("template_id", "name", "version", "body"), LEAD, WITH_OTHERS,
               "checklist template", "_template"),
)}

KINDS: tuple[str, ...] = tuple(RECORD_KINDS)


def notice_name(kind: object) -> str:
    """What a notice calls a record of ``kind`` ("change" for an unknown one)."""
    found = RECORD_KINDS.get(kind) if isinstance(kind, str) else None
    return found.notice if found else "change"
