"""What arrived from the team hub for me, as plain data: the items of a ``team.received`` event.

Here, not in ``companion.inbound`` (which makes them), so that the team package (the sync worker) can make
one too without importing the layer above it (tests/test_import_cycles.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KUDOS, OBSTACLE_ACTED, BREATH_INVITE = "kudos", "obstacle_acted", "breath_invite"
TEMPLATE_PUBLISHED = "template_published"


@dataclass(frozen=True)
class Received:
    """Something that arrived for me, as plain data (safe to hand to the GUI thread)."""
    kind: str                  # kudos | obstacle_acted | breath_invite | template_published
    record_id: str             # the kudos id, the obstacle id, or the broadcast id
    sender: str | None
    data: dict[str, Any] = field(default_factory=dict)  # category/message, reply, expires_at ...
