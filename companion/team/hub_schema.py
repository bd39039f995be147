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

Wellbeing data (resets, moods, vents) has no table here.
"""
from __future__ import annotations

SCHEMA = "companion"
OWNER_ROLE, AGENT_ROLE, LEAD_ROLE = "companion_owner", "companion_agent", "companion_lead"
GROUP_ROLES = (OWNER_ROLE, AGENT_ROLE, LEAD_ROLE)

# kind -> (table, the wire fields besides id/sender/team, who may insert)
RECORD_TABLES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "kudos": ("kudos", ("recipient", "category", "message", "call_ref", "sent_at"), AGENT_ROLE),
    "obstacle": ("obstacles", ("anonymous", "category", "text", "logged_at"), AGENT_ROLE),
    "obstacle_vote": ("obstacle_votes", ("obstacle_id",), AGENT_ROLE),
    "obstacle_reply": ("obstacle_replies", ("obstacle_id", "reply", "acted_at"), LEAD_ROLE),
    "broadcast": ("broadcasts", ("broadcast_kind", "sent_at", "expires_at"), LEAD_ROLE),
    "breath_join": ("breath_joins", ("broadcast_id", "joined_at"), AGENT_ROLE),
    "template": ("templates", ("template_id", "name", "version", "body"), LEAD_ROLE),
}

_MY_TEAM = "(SELECT companion.team_of(current_user))"
_CHANGE_COLUMNS = """
    seq bigint NOT NULL,    -- set by companion.stamp_change(), whatever the client sends
    tx xid8 NOT NULL,
    stored_at timestamptz NOT NULL"""


def _table_tail(table: str) -> str:
    """Cursor index, change stamp and wake-up triggers, row-level security forced, the owner's policy."""
    return f"""
CREATE INDEX IF NOT EXISTS {table}_cursor ON companion.{table} (tx, seq);
DROP TRIGGER IF EXISTS {table}_stamp ON companion.{table};
CREATE TRIGGER {table}_stamp BEFORE INSERT ON companion.{table}
    FOR EACH ROW EXECUTE FUNCTION companion.stamp_change();
DROP TRIGGER IF EXISTS {table}_wake ON companion.{table};
CREATE TRIGGER {table}_wake AFTER INSERT ON companion.{table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companion.wake_team();
ALTER TABLE companion.{table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.{table} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.{table};
CREATE POLICY owner_all ON companion.{table} TO companion_owner USING (true) WITH CHECK (true);
"""


def _policies(table: str, read: str, insert: str, insert_role: str) -> str:
    return f"""
DROP POLICY IF EXISTS {table}_read ON companion.{table};
CREATE POLICY {table}_read ON companion.{table} FOR SELECT TO companion_agent USING ({read});
DROP POLICY IF EXISTS {table}_insert ON companion.{table};
CREATE POLICY {table}_insert ON companion.{table} FOR INSERT TO {insert_role} WITH CHECK ({insert});
"""


_TEAM_OR_MINE = f"team = {_MY_TEAM} OR sender = current_user"
_MINE_IN_MY_TEAM = f"sender = current_user AND team = {_MY_TEAM}"
_AS_LEAD = f"{_MINE_IN_MY_TEAM} AND companion.is_lead(current_user)"

VERSION_1 = f"""
-- roles: created once per cluster
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'companion_owner') THEN
        CREATE ROLE companion_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'companion_agent') THEN
        CREATE ROLE companion_agent NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'companion_lead') THEN
        CREATE ROLE companion_lead NOLOGIN;
    END IF;
    IF NOT pg_has_role(current_user, 'companion_owner', 'MEMBER') THEN
        EXECUTE format('GRANT companion_owner TO %I', current_user);
    END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS companion AUTHORIZATION companion_owner;
SET LOCAL ROLE companion_owner;
REVOKE ALL ON SCHEMA companion FROM PUBLIC;
GRANT USAGE ON SCHEMA companion TO companion_agent;

CREATE TABLE IF NOT EXISTS companion.hub_version (
    version integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE companion.hub_version ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.hub_version FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.hub_version;
CREATE POLICY owner_all ON companion.hub_version TO companion_owner USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS hub_version_read ON companion.hub_version;
CREATE POLICY hub_version_read ON companion.hub_version FOR SELECT TO companion_agent USING (true);

CREATE SEQUENCE IF NOT EXISTS companion.change_seq;

CREATE TABLE IF NOT EXISTS companion.agents (
    name name PRIMARY KEY,
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    team text NOT NULL CHECK (team ~ '^[a-z][a-z0-9_.-]{{1,62}}$'),
    is_lead boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE companion.agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.agents FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.agents;
CREATE POLICY owner_all ON companion.agents TO companion_owner USING (true) WITH CHECK (true);

-- The team of a role. SECURITY DEFINER so agents need no direct access to every roster row. Inside it
-- current_user is the owner, so the caller's name is passed in (policies pass current_user).
CREATE OR REPLACE FUNCTION companion.team_of(who name) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT team FROM companion.agents WHERE name = who $$;
CREATE OR REPLACE FUNCTION companion.is_lead(who name) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT coalesce((SELECT is_lead FROM companion.agents WHERE name = who), false) $$;

DROP POLICY IF EXISTS agents_read ON companion.agents;
CREATE POLICY agents_read ON companion.agents FOR SELECT TO companion_agent USING (team = {_MY_TEAM});

-- Change stamp: the client cannot choose its place in the feed.
CREATE OR REPLACE FUNCTION companion.stamp_change() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.seq := nextval('companion.change_seq');
    NEW.tx := pg_current_xact_id();
    NEW.stored_at := now();
    RETURN NEW;
END
$$;

-- Wake-up: one NOTIFY per team touched, with NO payload (LISTEN ignores row-level security).
CREATE OR REPLACE FUNCTION companion.wake_team() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT DISTINCT team FROM new_rows LOOP
        PERFORM pg_notify('companion_' || md5(t), '');
    END LOOP;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION companion.wake_roster() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('companion_r_' || md5(OLD.team), '');
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('companion_r_' || md5(NEW.team), '');
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS agents_wake ON companion.agents;
CREATE TRIGGER agents_wake AFTER INSERT OR UPDATE OR DELETE ON companion.agents
    FOR EACH ROW EXECUTE FUNCTION companion.wake_roster();

CREATE TABLE IF NOT EXISTS companion.kudos (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    recipient name NOT NULL,
    category text NOT NULL CHECK (category IN ('helping', 'exceeding', 'achieving', 'responding', 'teamwork')),
    message text NOT NULL CHECK (length(message) BETWEEN 1 AND 280),
    call_ref text CHECK (call_ref IS NULL OR length(call_ref) BETWEEN 1 AND 64),
    sent_at timestamptz NOT NULL,
    CHECK (sender <> recipient),{_CHANGE_COLUMNS}
);
{_table_tail("kudos")}
{_policies("kudos", _TEAM_OR_MINE,
           f"{_MINE_IN_MY_TEAM} AND recipient <> current_user AND companion.team_of(recipient) = team",
           "companion_agent")}

CREATE TABLE IF NOT EXISTS companion.obstacles (
    id uuid PRIMARY KEY,
    sender name,
    team text NOT NULL,
    anonymous boolean NOT NULL,
    category text NOT NULL CHECK (length(category) BETWEEN 1 AND 32),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    logged_at timestamptz NOT NULL,
    CHECK ((anonymous AND sender IS NULL) OR (NOT anonymous AND sender IS NOT NULL)),{_CHANGE_COLUMNS}
);
{_table_tail("obstacles")}
{_policies("obstacles", _TEAM_OR_MINE,
           f"team = {_MY_TEAM} AND ((NOT anonymous AND sender = current_user) OR (anonymous AND sender IS NULL))",
           "companion_agent")}

CREATE TABLE IF NOT EXISTS companion.obstacle_votes (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    obstacle_id uuid NOT NULL REFERENCES companion.obstacles (id),
    UNIQUE (obstacle_id, sender),{_CHANGE_COLUMNS}
);
{_table_tail("obstacle_votes")}
{_policies("obstacle_votes", _TEAM_OR_MINE,
           f"{_MINE_IN_MY_TEAM} AND EXISTS (SELECT 1 FROM companion.obstacles o "
           "WHERE o.id = obstacle_votes.obstacle_id AND o.team = obstacle_votes.team)",
           "companion_agent")}

CREATE TABLE IF NOT EXISTS companion.obstacle_replies (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    obstacle_id uuid NOT NULL REFERENCES companion.obstacles (id),
    reply text NOT NULL CHECK (length(reply) BETWEEN 1 AND 1000),
    acted_at timestamptz NOT NULL,{_CHANGE_COLUMNS}
);
{_table_tail("obstacle_replies")}
{_policies("obstacle_replies", _TEAM_OR_MINE,
           f"{_AS_LEAD} AND EXISTS (SELECT 1 FROM companion.obstacles o "
           "WHERE o.id = obstacle_replies.obstacle_id AND o.team = obstacle_replies.team)",
           "companion_lead")}

CREATE TABLE IF NOT EXISTS companion.broadcasts (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    broadcast_kind text NOT NULL CHECK (broadcast_kind IN ('deep_breath')),
    sent_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > sent_at),{_CHANGE_COLUMNS}
);
{_table_tail("broadcasts")}
{_policies("broadcasts", _TEAM_OR_MINE, _AS_LEAD, "companion_lead")}

CREATE TABLE IF NOT EXISTS companion.breath_joins (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    broadcast_id uuid NOT NULL REFERENCES companion.broadcasts (id),
    joined_at timestamptz NOT NULL,
    UNIQUE (broadcast_id, sender),{_CHANGE_COLUMNS}
);
{_table_tail("breath_joins")}
{_policies("breath_joins", "sender = current_user",
           f"{_MINE_IN_MY_TEAM} AND EXISTS (SELECT 1 FROM companion.broadcasts b "
           "WHERE b.id = breath_joins.broadcast_id AND b.team = breath_joins.team)",
           "companion_agent")}

CREATE TABLE IF NOT EXISTS companion.templates (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    template_id text NOT NULL CHECK (length(template_id) BETWEEN 1 AND 100),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    version integer NOT NULL CHECK (version > 0),
    body jsonb NOT NULL CHECK (octet_length(body::text) <= 262144),{_CHANGE_COLUMNS}
);
{_table_tail("templates")}
{_policies("templates", _TEAM_OR_MINE, _AS_LEAD, "companion_lead")}

-- How many joined a deep breath: only for a lead of the broadcast's team, and NULL while the team has
-- fewer than 5 agents (no per-person inference in small groups). The caller is session_user: inside a
-- SECURITY DEFINER function current_user is the owner, and a name passed in could be forged.
CREATE OR REPLACE FUNCTION companion.breath_join_count(broadcast uuid) RETURNS integer
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    b_team text;
    members integer;
BEGIN
    SELECT team INTO b_team FROM companion.broadcasts WHERE id = broadcast;
    IF b_team IS NULL OR NOT EXISTS (
        SELECT 1 FROM companion.agents WHERE name = session_user AND team = b_team AND is_lead
    ) THEN
        RAISE EXCEPTION 'only a lead of the team can see how many joined'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT count(*) INTO members FROM companion.agents WHERE team = b_team;
    IF members < 5 THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT count(*) FROM companion.breath_joins WHERE broadcast_id = broadcast);
END
$$;

-- Privileges: agents read and insert; nobody but the owner updates or deletes.
GRANT USAGE ON SEQUENCE companion.change_seq TO companion_agent;
GRANT SELECT ON companion.agents, companion.hub_version TO companion_agent;
GRANT SELECT, INSERT ON companion.kudos, companion.obstacles, companion.obstacle_votes,
    companion.breath_joins TO companion_agent;
GRANT SELECT ON companion.obstacle_replies, companion.broadcasts, companion.templates TO companion_agent;
GRANT INSERT ON companion.obstacle_replies, companion.broadcasts, companion.templates TO companion_lead;
REVOKE ALL ON FUNCTION companion.team_of(name), companion.is_lead(name), companion.breath_join_count(uuid),
    companion.stamp_change(), companion.wake_team(), companion.wake_roster() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION companion.team_of(name), companion.is_lead(name), companion.breath_join_count(uuid)
    TO companion_agent;
RESET ROLE;
"""


def _column_grants() -> str:
    """Agents may read the wire fields only: never ``seq``, ``tx`` or ``stored_at`` (nor, without table-level
    SELECT, the system columns ``xmin``/``ctid``), which would link an anonymous obstacle or a breath join to
    its author's other records."""
    lines = []
    for table, fields, _who in RECORD_TABLES.values():
        columns = ", ".join(("id", "sender", "team", *fields))
        lines.append(f"GRANT SELECT ({columns}) ON companion.{table} TO companion_agent;")
    return "\n".join(lines)


def _pull_branches() -> str:
    """One UNION ALL branch per kind the feed carries (breath joins are not in it: only their sender could
    read them, and the sender has them already)."""
    branches = []
    for kind, (table, fields, _who) in RECORD_TABLES.items():
        if kind == "breath_join":
            continue
        pairs = ", ".join(f"'{c}', {_field_sql(c)}" for c in ("id", "sender", "team", *fields))
        pairs = f"'kind', '{kind}', {pairs}"
        branches.append(
            f"(SELECT '{kind}'::text AS kind, r.tx, r.seq, jsonb_build_object({pairs}) AS record "
            f"FROM companion.{table} r WHERE (r.tx, r.seq) > (p_tx, p_seq) "
            "AND (r.team = my_team OR r.sender = my_name) ORDER BY r.tx, r.seq LIMIT n)")
    return "\n        UNION ALL ".join(branches)


def _field_sql(column: str) -> str:
    if column.endswith("_at"):  # ISO 8601 in UTC whatever the session's time zone
        return f"""to_char(r.{column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
    return f"r.{column}"


VERSION_2 = f"""
-- Anonymity (review finding 1): agents no longer read seq/tx/stored_at; they pull through companion.pull(),
-- which applies the team/own-row rules itself and returns an opaque (encrypted, authenticated) cursor.
-- Agent logins end a transaction left idle for 60 s (a desk that died mid-push must not hold the feed).
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid
             JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = 'companion_agent' AND m.rolcanlogin LOOP
        EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', r.rolname, '60s');
    END LOOP;
END
$$;
-- Who holds which lock, and every session's transaction id, are readable by anyone connected: a lead
-- polling pg_locks would see alice's session lock companion.obstacles at the moment an anonymous obstacle
-- is stored. In this (dedicated) database nobody but superusers reads them. Only a superuser can change
-- pg_catalog: otherwise `team init` says what to run (companion.team.provision.SESSION_VIEWS_SQL).
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        REVOKE SELECT ON pg_catalog.pg_locks, pg_catalog.pg_stat_activity FROM PUBLIC;
        REVOKE EXECUTE ON FUNCTION pg_catalog.pg_lock_status(), pg_catalog.pg_stat_get_activity(integer)
            FROM PUBLIC;
    END IF;
END
$$;
SET LOCAL ROLE companion_owner;

-- The cursor key: 244 random bits, readable by the owner only (no grant to agents).
CREATE TABLE IF NOT EXISTS companion.cursor_key (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    k bytea NOT NULL
);
ALTER TABLE companion.cursor_key ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.cursor_key FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.cursor_key;
CREATE POLICY owner_all ON companion.cursor_key TO companion_owner USING (true) WITH CHECK (true);
INSERT INTO companion.cursor_key (k)
    SELECT uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) ON CONFLICT DO NOTHING;

-- Breath joins on their own sequence: no gap in the feed's sequence where a hidden join sits.
CREATE SEQUENCE IF NOT EXISTS companion.breath_join_seq;
CREATE OR REPLACE FUNCTION companion.stamp_join() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.seq := nextval('companion.breath_join_seq');
    NEW.tx := pg_current_xact_id();
    NEW.stored_at := now();
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS breath_joins_stamp ON companion.breath_joins;
CREATE TRIGGER breath_joins_stamp BEFORE INSERT ON companion.breath_joins
    FOR EACH ROW EXECUTE FUNCTION companion.stamp_join();
-- The stamps run as the owner: agents need (and get) no USAGE on the sequences, so nextval() cannot be
-- used to watch the hub's insert rate.
ALTER FUNCTION companion.stamp_change() SECURITY DEFINER;
REVOKE ALL ON SEQUENCE companion.change_seq, companion.breath_join_seq FROM companion_agent;
REVOKE ALL ON FUNCTION companion.stamp_join() FROM PUBLIC;

-- Column privileges: the wire fields only.
REVOKE SELECT ON companion.kudos, companion.obstacles, companion.obstacle_votes, companion.obstacle_replies,
    companion.broadcasts, companion.breath_joins, companion.templates FROM companion_agent;
{_column_grants()}

-- Cursor tokens: base64 of nonce(16) || (tx, seq) XOR keystream(16), where nonce = HMAC-like
-- sha256(k_mac || sha256(k_in || tx || seq)) cut to 16 bytes (deterministic: one position, one token) and
-- the keystream sha256(k_enc || nonce). A token is checked by decrypting and recomputing its nonce, so a
-- forged or altered one is refused: an agent can neither read a position nor probe for one.
CREATE OR REPLACE FUNCTION companion.cursor_token(tx xid8, seq bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    key bytea := (SELECT k FROM companion.cursor_key);
    plain bytea := int8send(tx::text::bigint) || int8send(seq);
    nonce bytea;
    stream bytea;
BEGIN
    nonce := substring(sha256(sha256(key || 'm'::bytea) || sha256(sha256(key || 'i'::bytea) || plain))
                       FROM 1 FOR 16);
    stream := sha256(sha256(key || 'e'::bytea) || nonce);
    RETURN translate(encode(nonce
        || int8send(tx::text::bigint # ('x' || encode(substring(stream FROM 1 FOR 8), 'hex'))::bit(64)::bigint)
        || int8send(seq # ('x' || encode(substring(stream FROM 9 FOR 8), 'hex'))::bit(64)::bigint), 'base64'),
        '+/=', '-_');
END
$$;

CREATE OR REPLACE FUNCTION companion.cursor_position(token text, OUT tx xid8, OUT seq bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    key bytea := (SELECT k FROM companion.cursor_key);
    raw bytea;
    stream bytea;
    t bigint;
BEGIN
    IF coalesce(token, '') = '' THEN
        tx := '0'::xid8;
        seq := 0;
        RETURN;
    END IF;
    BEGIN
        raw := decode(translate(token, '-_', '+/') || '=', 'base64');
    EXCEPTION WHEN others THEN
        raw := NULL;
    END;
    IF raw IS NULL OR length(raw) <> 32 THEN
        RAISE EXCEPTION 'not a cursor of this hub' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    stream := sha256(sha256(key || 'e'::bytea) || substring(raw FROM 1 FOR 16));
    t := ('x' || encode(substring(raw FROM 17 FOR 8), 'hex'))::bit(64)::bigint
         # ('x' || encode(substring(stream FROM 1 FOR 8), 'hex'))::bit(64)::bigint;
    seq := ('x' || encode(substring(raw FROM 25 FOR 8), 'hex'))::bit(64)::bigint
           # ('x' || encode(substring(stream FROM 9 FOR 8), 'hex'))::bit(64)::bigint;
    IF t < 0 OR companion.cursor_token(t::text::xid8, seq) <> token THEN
        RAISE EXCEPTION 'not a cursor of this hub' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    tx := t::text::xid8;
END
$$;

-- The feed. SECURITY DEFINER: it runs as the owner (whose policy shows every row), so it applies the
-- agents' read rule itself for the caller (session_user): its team's rows and what it sent. STABLE, so
-- every statement in it sees the calling statement's snapshot: the rows and that snapshot's xmin agree.
-- Returns {{"records": [...] (oldest transaction first), "cursor": the safe cursor (past rows of
-- transactions older than the snapshot's xmin only: no row can appear before it later), "next": the
-- position after the last record (to page on within a round), "more": a full page}}.
-- (PL/pgSQL rather than SQL: its plans are cached per session, a SQL function's are made at every call.)
CREATE OR REPLACE FUNCTION companion.pull(after text, max_rows integer) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    my_name name := session_user;
    my_team text := companion.team_of(session_user);
    n integer := least(greatest(coalesce(max_rows, 200), 1), 1000);
    p_tx xid8;
    p_seq bigint;
    result jsonb;
BEGIN
    -- the position as plain values, so each branch is an index range scan in (tx, seq) order
    SELECT c.tx, c.seq INTO p_tx, p_seq FROM companion.cursor_position(after) AS c;
    WITH snap AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
    feed AS (
        SELECT f.* FROM (
        {_pull_branches()}
        ) AS f ORDER BY f.tx, f.seq LIMIT n),
    numbered AS (
        SELECT feed.*, row_number() OVER (ORDER BY tx, seq) AS i,
               bool_and(tx < (SELECT xmin FROM snap)) OVER (ORDER BY tx, seq) AS settled
        FROM feed),
    last_settled AS (SELECT tx, seq FROM numbered WHERE settled ORDER BY i DESC LIMIT 1),
    last_row AS (SELECT tx, seq FROM numbered ORDER BY i DESC LIMIT 1)
    SELECT jsonb_build_object(
        'records', coalesce((SELECT jsonb_agg(record ORDER BY i)
                             FROM numbered), '[]'::jsonb),
        'cursor', coalesce((SELECT companion.cursor_token(tx, seq) FROM last_settled), coalesce(after, '')),
        'next', coalesce((SELECT companion.cursor_token(tx, seq) FROM last_row), coalesce(after, '')),
        'more', (SELECT count(*) FROM numbered) = n) INTO result;
    RETURN result;
END
$$;

REVOKE ALL ON FUNCTION companion.cursor_token(xid8, bigint), companion.cursor_position(text),
    companion.pull(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION companion.pull(text, integer) TO companion_agent;
RESET ROLE;
"""

# version -> SQL; every script is idempotent on its own too (IF NOT EXISTS, OR REPLACE, DROP ... IF EXISTS).
MIGRATIONS: dict[int, str] = {1: VERSION_1, 2: VERSION_2}
HUB_VERSION = max(MIGRATIONS)
