"""The team hub's schema on PostgreSQL (13 or newer), versioned: ``companion team init`` applies every
version newer than the hub's ``companion.hub_version`` (see companion.team.provision).

Roles (cluster-wide, NOLOGIN):
- ``companion_owner`` owns the schema, its tables and functions. The admin running ``team init`` is made a
  member so it can manage the hub without being a superuser.
- ``companion_agent``: every agent's login role is a member. INSERT, and SELECT on the wire columns only
  (version 2), per table; never UPDATE/DELETE; EXECUTE ``companion.pull``.
- ``companion_lead``: leads are members too; only this role may INSERT broadcasts, obstacle replies and
  template publications (and the policies check ``agents.is_lead`` as well).

Every table has row-level security ENABLEd and FORCEd (so even the owner goes through a policy: an
explicit ``owner_all`` one). Agents insert only as themselves (``sender = current_user``) into their own
team and read their own team's rows (plus what they sent), and of them only the wire fields (column
privileges, version 2). Breath joins are readable only by their sender; a lead sees the count through
``breath_join_count`` (SECURITY DEFINER; NULL under 5 agents in the team).

Every record table carries ``seq`` (one shared sequence; breath joins their own since version 2), ``tx``
(the inserting transaction's xid8) and ``stored_at``, set by a trigger whatever the client sends, and
readable by the owner only: they would tie an anonymous obstacle or a breath join to its author. Agents read
the feed through ``companion.pull`` (SECURITY DEFINER, the same read rule for ``session_user``): ordered by
``(tx, seq)``, with a safe cursor that only moves past rows whose transaction is older than the snapshot's
xmin, handed out as an encrypted, authenticated token (docs/team-hub.md, "Cursor").
An AFTER INSERT statement trigger sends ``NOTIFY companion_<md5(team)>`` with an empty payload: a wake-up
only, because LISTEN/NOTIFY ignore privileges and row-level security.

Version 3 (issue 14): anonymous obstacles staged by the hub and published by another desk's round
(``companion.tend``) without a wake-up; pg_catalog's pid/lock/transaction/statistics functions closed to agents;
per-agent limits (SQLSTATE CA429 refused, CA420 slow down); connection limit and a reaper for stuck agent
transactions; the card-number rule as CHECKs; keyed channel names; team_of()/is_lead() for the caller only;
a team's pull by (team, tx, seq). See docs/team-hub.md.

The SQL of every version is FROZEN text in companion.team.hub_migrations (a hub that applied a version must
never see it change); ``RECORD_TABLES`` below describes the wire kinds for the desk (its insert statements),
never a migration.

Wellbeing data (resets, moods, vents) has no table here.
"""
from __future__ import annotations

SCHEMA = "companion"
OWNER_ROLE, AGENT_ROLE, LEAD_ROLE = "companion_owner", "companion_agent", "companion_lead"
GROUP_ROLES = (OWNER_ROLE, AGENT_ROLE, LEAD_ROLE)

# kind -> (table, the wire fields besides id/sender/team, who may insert): from companion.team.kinds
from companion.team.kinds import LEAD, RECORD_KINDS  # noqa: E402

RECORD_TABLES: dict[str, tuple[str, tuple[str, ...], str]] = {
    kind: (spec.table, spec.fields, LEAD_ROLE if spec.inserter == LEAD else AGENT_ROLE)
    for kind, spec in RECORD_KINDS.items()}

from companion.team.hub_migrations import VERSION_1, VERSION_2, VERSION_3  # noqa: E402  (frozen text)

# version -> SQL; every script is idempotent on its own too (IF NOT EXISTS, OR REPLACE, DROP ... IF EXISTS).
MIGRATIONS: dict[int, str] = {1: VERSION_1, 2: VERSION_2, 3: VERSION_3}
HUB_VERSION = max(MIGRATIONS)
