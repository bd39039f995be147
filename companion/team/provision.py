"""Provisioning the team hub (run by an IT admin with a superuser or owner URL).

- ``init_hub``: creates or upgrades the ``companion`` schema, the group roles, the policies and grants, in
  one transaction under an advisory lock; running it again changes nothing.
- ``add_agent``: a login role for one agent (member of ``companion_agent``; leads also of
  ``companion_lead``; ``idle_in_transaction_session_timeout`` 60 s) with a random one-time secret, and the
  agent's roster row. The secret is returned
  once for the admin to hand over; it is sent to the server only as a SCRAM verifier computed here, so it
  appears in no server log, and it is stored nowhere by us.
"""
from __future__ import annotations

import secrets as _secrets
from dataclasses import dataclass
from typing import Any

from companion.errors import InvalidInput
from companion.team.hub import HubError, connect, describe_error
from companion.team.hub_schema import AGENT_ROLE, HUB_VERSION, LEAD_ROLE, MIGRATIONS
from companion.team.names import validate_name

MIN_SERVER_VERSION = 130000  # pg_current_xact_id / xid8
_INIT_LOCK = 0x636F6D70  # advisory lock key: "comp"
IDLE_IN_TRANSACTION_TIMEOUT = "60s"  # on every agent login (hub schema version 2 sets it on existing ones)


# What a superuser runs in the hub database when `team init` ran as a non-superuser (see hub_schema VERSION_2).
SESSION_VIEWS_SQL = ("REVOKE SELECT ON pg_catalog.pg_locks, pg_catalog.pg_stat_activity FROM PUBLIC; "
                     "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_lock_status(), "
                     "pg_catalog.pg_stat_get_activity(integer) FROM PUBLIC;")


@dataclass(frozen=True)
class InitResult:
    before: int   # 0: a new hub
    after: int
    sessions_visible: bool = False  # agents can still read pg_locks / pg_stat_activity: SESSION_VIEWS_SQL

    @property
    def changed(self) -> bool:
        return self.after != self.before


def _hub_version(conn: Any) -> int:
    exists = conn.execute("SELECT to_regclass('companion.hub_version') IS NOT NULL").fetchone()[0]
    if not exists:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM companion.hub_version").fetchone()[0]


def init_hub(admin_url: str) -> InitResult:
    import psycopg

    conn = connect(admin_url, autocommit=True)
    try:
        if conn.info.server_version < MIN_SERVER_VERSION:
            raise HubError(f"The team hub needs PostgreSQL 13 or newer (this server is "
                           f"{conn.info.server_version // 10000}).")
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_INIT_LOCK,))
            before = _hub_version(conn)
            if before > HUB_VERSION:
                raise HubError(f"This hub has schema version {before}; this Agent Companion knows up to "
                               f"{HUB_VERSION}. Update Agent Companion before changing the hub.")
            for version in sorted(v for v in MIGRATIONS if v > before):
                conn.execute(MIGRATIONS[version])
                conn.execute("INSERT INTO companion.hub_version (version) VALUES (%s)", (version,))
        visible = conn.execute("SELECT has_table_privilege('public', 'pg_catalog.pg_locks', 'SELECT') "
                               "OR has_table_privilege('public', 'pg_catalog.pg_stat_activity', 'SELECT')"
                               ).fetchone()[0]
        return InitResult(before, max(before, HUB_VERSION), bool(visible))
    except psycopg.Error as exc:
        raise HubError(f"The hub could not be set up: {describe_error(exc, admin_url)}") from None
    finally:
        conn.close()


def new_secret() -> str:
    return _secrets.token_urlsafe(24)


def add_agent(admin_url: str, name: str, team: str, *, lead: bool = False,
              display_name: str | None = None) -> str:
    """Create the agent's login role and roster row; return the one-time secret (shown once, never stored)."""
    import psycopg
    from psycopg import sql

    validate_name(name, "The agent's name")
    validate_name(team, "The team name")
    display = (display_name if display_name is not None else name).strip()
    if not 1 <= len(display) <= 100 or not display.isprintable():
        raise InvalidInput("The display name must be 1 to 100 printable characters.")
    secret = new_secret()
    conn = connect(admin_url, autocommit=True)
    try:
        if _hub_version(conn) == 0:
            raise HubError("This database has no team hub yet: run `companion team init URL` first.")
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            raise InvalidInput(f"A database role named {name!r} already exists; choose another name "
                               "(or drop that role first).")
        verifier = conn.pgconn.encrypt_password(secret.encode(), name.encode(), b"scram-sha-256").decode()
        groups = [AGENT_ROLE, LEAD_ROLE] if lead else [AGENT_ROLE]
        with conn.transaction():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(name), sql.Literal(verifier), sql.SQL(", ").join(map(sql.Identifier, groups))))
            # a desk that dies mid-push must not keep a hub transaction (and the team's safe cursor) open
            conn.execute(sql.SQL("ALTER ROLE {} SET idle_in_transaction_session_timeout = {}").format(
                sql.Identifier(name), sql.Literal(IDLE_IN_TRANSACTION_TIMEOUT)))
            conn.execute("INSERT INTO companion.agents (name, display_name, team, is_lead) VALUES (%s, %s, %s, %s)",
                         (name, display, team, lead))
    except psycopg.Error as exc:
        raise HubError(f"The agent could not be added: {describe_error(exc, admin_url, secret)}") from None
    finally:
        conn.close()
    return secret
