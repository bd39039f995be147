"""What the tray icon shows: one state, derived from the others (never stored)."""
from __future__ import annotations

READY, ON_CALL, IN_RESET, PAUSED, OFFLINE = "ready", "on_call", "reset", "paused", "offline"

LABELS = {
    READY: "Ready",
    ON_CALL: "On a call",
    IN_RESET: "Taking a reset",
    PAUSED: "Notifications paused",
    OFFLINE: "Team hub offline",
}


#: ``team.status`` problems: the team hub answers, but this computer's database is busy (another program holds
#: it) or cannot be written (read-only, disk full ...), so delivery waits. Said instead of "Team hub offline",
#: which would send people after the network.
TEAM_DATABASE_BUSY = "database_busy"
TEAM_DATABASE = "database"
TEAM_HUB_FULL = "hub_full"  # the hub refused the connection: no free slot (max_connections, or our login's limit)
TEAM_PROBLEMS = {
    TEAM_HUB_FULL: "Team hub full: waiting for a free connection",
    TEAM_DATABASE_BUSY: "Team delivery waiting: this computer's database is busy",
    TEAM_DATABASE: "Team delivery waiting: this computer's database cannot be written (see the log)",
}


def app_state(*, on_call: bool, in_reset: bool, paused: bool, offline: bool = False) -> str:
    """The most important thing to show first: a reset, then a call, then a pause, then the hub."""
    if in_reset:
        return IN_RESET
    if on_call:
        return ON_CALL
    if paused:
        return PAUSED
    if offline:
        return OFFLINE
    return READY
