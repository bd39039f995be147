"""The team: the local side of kudos, obstacles and broadcasts, and the PostgreSQL team hub (docs/team-hub.md)."""
