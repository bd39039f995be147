"""A small synchronous event hub. The core publishes; ``ui.bridge`` re-emits events as Qt signals."""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger(__name__)

Handler = Callable[["Event"], None]


@dataclass(frozen=True)
class Event:
    name: str
    data: dict[str, Any]


# Event names, in one place so the ui and the core agree on spelling.
CALL_STARTED = "call.started"
CALL_ENDED = "call.ended"
RESET_OFFERED = "reset.offered"
RESET_STARTED = "reset.started"
RESET_FINISHED = "reset.finished"
NOTIFICATIONS_PAUSED = "notifications.paused"
NOTIFICATIONS_RESUMED = "notifications.resumed"
NOTIFICATION_SHOWN = "notification.shown"
STATE_CHANGED = "state.changed"
# Team hub sync (companion.team.sync), published on the worker thread:
TEAM_RECEIVED = "team.received"  # items=[companion.team.inbound.Received, ...] applied in one batch
TEAM_STATUS = "team.status"      # online (bool), waiting (outbox items not yet delivered)[, problem]
# Call detection (companion.calls.mic_*), published on the backend's thread:
MIC_USERS = "mic.users"                # users=[companion.calls.mic.MicUser, ...]: who holds a microphone now
DETECTION_STATUS = "detection.status"  # available (bool), detail (str): can the sound system be watched


class EventHub:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, name: str, handler: Handler) -> None:
        self._handlers[name].append(handler)

    def publish(self, name: str, **data: Any) -> None:
        event = Event(name, data)
        for handler in list(self._handlers.get(name, ())):
            try:
                handler(event)
            except Exception:  # one broken listener must not break the publisher
                log.exception("event handler for %s failed", name)
