"""Provisioning the team hub (run by an IT admin with a superuser or owner URL).

- ``init_hub``: creates or upgrades the ``companion`` schema, the group roles, the policies and grants, in
  one transaction under an advisory lock; running it again changes nothing.
- ``add_agent``: a login role for one agent (member of ``companion_agent``; leads also of
  ``companion_lead``; ``idle_in_transaction_session_timeout`` and ``statement_timeout`` 60 s as defaults,
  ``CONNECTION LIMIT 3``, and ``companion_owner`` made a member of it so the hub's reaper may end its stuck
  transactions) with a random one-time secret, and the agent's roster row.
- ``doctor``: what anonymity and the guards rest on, checked (``companion team doctor``). The secret is returned
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
# Hub schema version 3 sets these on existing agent logins too. An agent can lift its own timeouts (ALTER ROLE
# itself SET ..., or SET in a session), so they are defaults; what holds whatever an agent sets: the connection
# limit (only an admin changes it) and the hub's reaper (companion.tend; the owner is a member of every agent
# login so that it may end their sessions).
STATEMENT_TIMEOUT = "60s"
AGENT_CONNECTION_LIMIT = 3  # the desk holds one; `team status`/`join` open a second for a moment


# What a superuser runs in the hub database when `team init` ran as a non-superuser (see hub schema versions 2
# and 3): then `team init` again (or `team upgrade`). `team doctor` checks that it was done.
SESSION_VIEWS_SQL = ("REVOKE SELECT ON pg_catalog.pg_locks, pg_catalog.pg_stat_activity FROM PUBLIC; "
                     "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_lock_status(), "
                     "pg_catalog.pg_stat_get_activity(integer) FROM PUBLIC;")
# Functions an agent could map a NOTIFY's pid to a role with, or watch running transactions and statistics
# with (hub schema 3 revokes them from PUBLIC in the hub database, as a superuser; the owner keeps them).
GUARDED_FUNCTIONS = ("pg_lock_status", "pg_blocking_pids", "pg_safe_snapshot_blocking_pids",
                     "pg_isolation_test_session_is_blocked", "pg_current_snapshot", "txid_current_snapshot",
                     "pg_current_xact_id", "pg_current_xact_id_if_assigned", "txid_current",
                     "txid_current_if_assigned", "pg_xact_status", "txid_status", "pg_last_committed_xact",
                     "pg_xact_commit_timestamp", "pg_xact_commit_timestamp_origin", "pg_snapshot_xip",
                     "txid_snapshot_xip")
GUARDED_SQL = ("DO $$ DECLARE r record; BEGIN FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p WHERE "
               "p.pronamespace = 'pg_catalog'::regnamespace AND (p.proname LIKE 'pg\\_stat\\_get\\_%' OR p.proname = "
               "ANY (ARRAY['" + "', '".join(GUARDED_FUNCTIONS) + "'])) LOOP EXECUTE format('REVOKE EXECUTE ON "
               "FUNCTION %s FROM PUBLIC', r.f); EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO companion_owner', "
               "r.f); END LOOP; END $$; GRANT SELECT ON pg_catalog.pg_stat_activity TO companion_owner;")


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
        visible = bool(_open_to_public(conn))
        return InitResult(before, max(before, HUB_VERSION), visible)
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
            conn.execute(sql.SQL("ALTER ROLE {} SET statement_timeout = {}").format(
                sql.Identifier(name), sql.Literal(STATEMENT_TIMEOUT)))
            conn.execute(sql.SQL("ALTER ROLE {} CONNECTION LIMIT {}").format(
                sql.Identifier(name), sql.Literal(AGENT_CONNECTION_LIMIT)))
            # the hub's reaper (companion.tend, run as the owner) may end this login's stuck transactions
            conn.execute(sql.SQL("GRANT {} TO companion_owner").format(sql.Identifier(name)))
            conn.execute("INSERT INTO companion.agents (name, display_name, team, is_lead) VALUES (%s, %s, %s, %s)",
                         (name, display, team, lead))
    except psycopg.Error as exc:
        raise HubError(f"The agent could not be added: {describe_error(exc, admin_url, secret)}") from None
    finally:
        conn.close()
    return secret


# -- team doctor -----------------------------------------------------------------------------------------
_OPEN_TO_PUBLIC = """
SELECT p.oid::regprocedure::text FROM pg_proc p
WHERE p.pronamespace = 'pg_catalog'::regnamespace
  AND (p.proname LIKE 'pg\\_stat\\_get\\_%%' OR p.proname = ANY (%s))
  AND has_function_privilege('public', p.oid, 'EXECUTE')
UNION ALL
SELECT v FROM unnest(ARRAY['pg_catalog.pg_locks', 'pg_catalog.pg_stat_activity']) AS v
WHERE has_table_privilege('public', v, 'SELECT')
ORDER BY 1"""


def _open_to_public(conn: Any) -> list[str]:
    """The pg_catalog functions and views (of GUARDED_FUNCTIONS, pg_stat_get_*, pg_locks, pg_stat_activity)
    every role of this database may still use."""
    return [r[0] for r in conn.execute(_OPEN_TO_PUBLIC, (list(GUARDED_FUNCTIONS),))]


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str


def connections_finding(conn: Any) -> Finding:
    """max_connections (minus the superuser-reserved slots) against the roster plus 20 % (at least 10)."""
    max_conn, reserved = (int(v) for v in conn.execute(
        "SELECT current_setting('max_connections'), current_setting('superuser_reserved_connections')").fetchone())
    roster = conn.execute("SELECT count(*) FROM companion.agents").fetchone()[0]
    need = roster + max(10, roster // 5)
    return Finding(max_conn - reserved >= need, f"max_connections {max_conn} for {roster} agents" + (
        "" if max_conn - reserved >= need else f": each running desk holds one connection; raise it to at least "
                                               f"{need + reserved} (roster + 20 %) and restart PostgreSQL"))


def check_connections(admin_url: str) -> Finding:
    """What `team init` and `team add-agent` say about max_connections after their change."""
    conn = connect(admin_url, autocommit=True)
    try:
        return connections_finding(conn)
    finally:
        conn.close()


def doctor(admin_url: str) -> list[Finding]:
    """Check what anonymity and the guards rest on: the schema version, pg_catalog's process/lock/transaction
    functions closed to agents, temporary tables, every agent login's connection limit and the reaper's right
    to end its sessions, and max_connections against the roster. Says plainly what a managed PostgreSQL forbids."""
    import psycopg

    conn = connect(admin_url, autocommit=True)
    findings: list[Finding] = []
    try:
        version = _hub_version(conn)
        if version == 0:
            return [Finding(False, "This database has no team hub: run `companion team init URL`.")]
        findings.append(Finding(version == HUB_VERSION, f"schema version {version}" + (
            "" if version == HUB_VERSION else f" (this Agent Companion brings {HUB_VERSION}: run `companion team "
                                              "upgrade URL`)")))
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
        still_open = _open_to_public(conn)
        if still_open:
            how = ("run `companion team upgrade URL` with this superuser URL" if superuser else
                   "ask a superuser to run in this database: " + GUARDED_SQL + " " + SESSION_VIEWS_SQL)
            findings.append(Finding(False, f"{len(still_open)} pg_catalog functions/views are open to every agent "
                                    f"(e.g. {', '.join(still_open[:3])}): with them an agent can map a wake-up's "
                                    f"process id to its sender and watch locks and transactions. To close them, "
                                    f"{how}. A managed PostgreSQL that gives no superuser cannot close them: "
                                    "anonymous obstacles then rest on the hub's staging and delays only "
                                    "(docs/team-hub.md, \"What an agent can still learn\")."))
        else:
            findings.append(Finding(True, "process ids, locks, transaction ids and statistics: closed to agents"))
        temp = conn.execute("SELECT has_database_privilege('public', current_database(), 'TEMPORARY')").fetchone()[0]
        findings.append(Finding(not temp, "temporary tables: " + ("still allowed to every role (run `companion "
                                                                  "team upgrade URL`)" if temp else "owner only")))
        rows = conn.execute(
            "SELECT m.rolname, m.rolconnlimit, pg_has_role('companion_owner', m.oid, 'USAGE') "
            "FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
            "WHERE g.rolname = 'companion_agent' AND m.rolcanlogin ORDER BY 1").fetchall()
        unlimited = [r[0] for r in rows if r[1] < 0]
        unreapable = [r[0] for r in rows if not r[2]]
        findings.append(Finding(not unlimited, f"{len(rows)} agent logins; " + (
            f"without a connection limit: {', '.join(unlimited[:5])} (run `companion team upgrade URL`)"
            if unlimited else f"each limited to {AGENT_CONNECTION_LIMIT} connections")))
        findings.append(Finding(not unreapable, "the hub can end stuck agent transactions" if not unreapable else
                                f"the hub cannot end stuck transactions of {', '.join(unreapable[:5])}: run "
                                "`companion team upgrade URL` as a superuser (or the admin who created them)"))
        findings.append(connections_finding(conn))
    except psycopg.Error as exc:
        raise HubError(f"The hub could not be checked: {describe_error(exc, admin_url)}") from None
    finally:
        conn.close()
    return findings
