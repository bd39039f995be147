"""The team hub's schema migrations as FROZEN text: what hubs have applied must never change.

Versions 1 and 2 were once built from the live ``RECORD_TABLES`` (adding a kind would have silently changed a
migration hubs had already applied); they are kept here as the literal SQL they produced. A change to the hub is
a NEW version (companion/team/hub_schema.py lists them); tests/team/test_hub_migrations.py pins the hash of each.
"""
from __future__ import annotations

VERSION_1 = """
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
    team text NOT NULL CHECK (team ~ '^[a-z][a-z0-9_.-]{1,62}$'),
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
CREATE POLICY agents_read ON companion.agents FOR SELECT TO companion_agent USING (team = (SELECT companion.team_of(current_user)));

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
    CHECK (sender <> recipient),
    seq bigint NOT NULL,    -- set by companion.stamp_change(), whatever the client sends
    tx xid8 NOT NULL,
    stored_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS kudos_cursor ON companion.kudos (tx, seq);
DROP TRIGGER IF EXISTS kudos_stamp ON companion.kudos;
CREATE TRIGGER kudos_stamp BEFORE INSERT ON companion.kudos
    FOR EACH ROW EXECUTE FUNCTION companion.stamp_change();
DROP TRIGGER IF EXISTS kudos_wake ON companion.kudos;
CREATE TRIGGER kudos_wake AFTER INSERT ON companion.kudos
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companion.wake_team();
ALTER TABLE companion.kudos ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.kudos FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.kudos;
CREATE POLICY owner_all ON companion.kudos TO companion_owner USING (true) WITH CHECK (true);


DROP POLICY IF EXISTS kudos_read ON companion.kudos;
CREATE POLICY kudos_read ON companion.kudos FOR SELECT TO companion_agent USING (team = (SELECT companion.team_of(current_user)) OR sender = current_user);
DROP POLICY IF EXISTS kudos_insert ON companion.kudos;
CREATE POLICY kudos_insert ON companion.kudos FOR INSERT TO companion_agent WITH CHECK (sender = current_user AND team = (SELECT companion.team_of(current_user)) AND recipient <> current_user AND companion.team_of(recipient) = team);


CREATE TABLE IF NOT EXISTS companion.obstacles (
    id uuid PRIMARY KEY,
    sender name,
    team text NOT NULL,
    anonymous boolean NOT NULL,
    category text NOT NULL CHECK (length(category) BETWEEN 1 AND 32),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    logged_at timestamptz NOT NULL,
    CHECK ((anonymous AND sender IS NULL) OR (NOT anonymous AND sender IS NOT NULL)),
    seq bigint NOT NULL,    -- set by companion.stamp_change(), whatever the client sends
    tx xid8 NOT NULL,
    stored_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS obstacles_cursor ON companion.obstacles (tx, seq);
DROP TRIGGER IF EXISTS obstacles_stamp ON companion.obstacles;
CREATE TRIGGER obstacles_stamp BEFORE INSERT ON companion.obstacles
    FOR EACH ROW EXECUTE FUNCTION companion.stamp_change();
DROP TRIGGER IF EXISTS obstacles_wake ON companion.obstacles;
CREATE TRIGGER obstacles_wake AFTER INSERT ON companion.obstacles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companion.wake_team();
ALTER TABLE companion.obstacles ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.obstacles FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.obstacles;
CREATE POLICY owner_all ON companion.obstacles TO companion_owner USING (true) WITH CHECK (true);


DROP POLICY IF EXISTS obstacles_read ON companion.obstacles;
CREATE POLICY obstacles_read ON companion.obstacles FOR SELECT TO companion_agent USING (team = (SELECT companion.team_of(current_user)) OR sender = current_user);
DROP POLICY IF EXISTS obstacles_insert ON companion.obstacles;
CREATE POLICY obstacles_insert ON companion.obstacles FOR INSERT TO companion_agent WITH CHECK (team = (SELECT companion.team_of(current_user)) AND ((NOT anonymous AND sender = current_user) OR (anonymous AND sender IS NULL)));


CREATE TABLE IF NOT EXISTS companion.obstacle_votes (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    obstacle_id uuid NOT NULL REFERENCES companion.obstacles (id),
    UNIQUE (obstacle_id, sender),
    seq bigint NOT NULL,    -- set by companion.stamp_change(), whatever the client sends
    tx xid8 NOT NULL,
    stored_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS obstacle_votes_cursor ON companion.obstacle_votes (tx, seq);
DROP TRIGGER IF EXISTS obstacle_votes_stamp ON companion.obstacle_votes;
CREATE TRIGGER obstacle_votes_stamp BEFORE INSERT ON companion.obstacle_votes
    FOR EACH ROW EXECUTE FUNCTION companion.stamp_change();
DROP TRIGGER IF EXISTS obstacle_votes_wake ON companion.obstacle_votes;
CREATE TRIGGER obstacle_votes_wake AFTER INSERT ON companion.obstacle_votes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companion.wake_team();
ALTER TABLE companion.obstacle_votes ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.obstacle_votes FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.obstacle_votes;
CREATE POLICY owner_all ON companion.obstacle_votes TO companion_owner USING (true) WITH CHECK (true);


DROP POLICY IF EXISTS obstacle_votes_read ON companion.obstacle_votes;
CREATE POLICY obstacle_votes_read ON companion.obstacle_votes FOR SELECT TO companion_agent USING (team = (SELECT companion.team_of(current_user)) OR sender = current_user);
DROP POLICY IF EXISTS obstacle_votes_insert ON companion.obstacle_votes;
CREATE POLICY obstacle_votes_insert ON companion.obstacle_votes FOR INSERT TO companion_agent WITH CHECK (sender = current_user AND team = (SELECT companion.team_of(current_user)) AND EXISTS (SELECT 1 FROM companion.obstacles o WHERE o.id = obstacle_votes.obstacle_id AND o.team = obstacle_votes.team));


CREATE TABLE IF NOT EXISTS companion.obstacle_replies (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    obstacle_id uuid NOT NULL REFERENCES companion.obstacles (id),
    reply text NOT NULL CHECK (length(reply) BETWEEN 1 AND 1000),
    acted_at timestamptz NOT NULL,
    seq bigint NOT NULL,    -- set by companion.stamp_change(), whatever the client sends
    tx xid8 NOT NULL,
    stored_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS obstacle_replies_cursor ON companion.obstacle_replies (tx, seq);
DROP TRIGGER IF EXISTS obstacle_replies_stamp ON companion.obstacle_replies;
CREATE TRIGGER obstacle_replies_stamp BEFORE INSERT ON companion.obstacle_replies
    FOR EACH ROW EXECUTE FUNCTION companion.stamp_change();
DROP TRIGGER IF EXISTS obstacle_replies_wake ON companion.obstacle_replies;
CREATE TRIGGER obstacle_replies_wake AFTER INSERT ON companion.obstacle_replies
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companion.wake_team();
ALTER TABLE companion.obstacle_replies ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.obstacle_replies FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.obstacle_replies;
CREATE POLICY owner_all ON companion.obstacle_replies TO companion_owner USING (true) WITH CHECK (true);


DROP POLICY IF EXISTS obstacle_replies_read ON companion.obstacle_replies;
CREATE POLICY obstacle_replies_read ON companion.obstacle_replies FOR SELECT TO companion_agent USING (team = (SELECT companion.team_of(current_user)) OR sender = current_user);
DROP POLICY IF EXISTS obstacle_replies_insert ON companion.obstacle_replies;
CREATE POLICY obstacle_replies_insert ON companion.obstacle_replies FOR INSERT TO companion_lead WITH CHECK (sender = current_user AND team = (SELECT companion.team_of(current_user)) AND companion.is_lead(current_user) AND EXISTS (SELECT 1 FROM companion.obstacles o WHERE o.id = obstacle_replies.obstacle_id AND o.team = obstacle_replies.team));


CREATE TABLE IF NOT EXISTS companion.broadcasts (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    broadcast_kind text NOT NULL CHECK (broadcast_kind IN ('deep_breath')),
    sent_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > sent_at),
    seq bigint NOT NULL,    -- set by companion.stamp_change(), whatever the client sends
    tx xid8 NOT NULL,
    stored_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS broadcasts_cursor ON companion.broadcasts (tx, seq);
DROP TRIGGER IF EXISTS broadcasts_stamp ON companion.broadcasts;
CREATE TRIGGER broadcasts_stamp BEFORE INSERT ON companion.broadcasts
    FOR EACH ROW EXECUTE FUNCTION companion.stamp_change();
DROP TRIGGER IF EXISTS broadcasts_wake ON companion.broadcasts;
CREATE TRIGGER broadcasts_wake AFTER INSERT ON companion.broadcasts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companion.wake_team();
ALTER TABLE companion.broadcasts ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.broadcasts FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.broadcasts;
CREATE POLICY owner_all ON companion.broadcasts TO companion_owner USING (true) WITH CHECK (true);


DROP POLICY IF EXISTS broadcasts_read ON companion.broadcasts;
CREATE POLICY broadcasts_read ON companion.broadcasts FOR SELECT TO companion_agent USING (team = (SELECT companion.team_of(current_user)) OR sender = current_user);
DROP POLICY IF EXISTS broadcasts_insert ON companion.broadcasts;
CREATE POLICY broadcasts_insert ON companion.broadcasts FOR INSERT TO companion_lead WITH CHECK (sender = current_user AND team = (SELECT companion.team_of(current_user)) AND companion.is_lead(current_user));


CREATE TABLE IF NOT EXISTS companion.breath_joins (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    broadcast_id uuid NOT NULL REFERENCES companion.broadcasts (id),
    joined_at timestamptz NOT NULL,
    UNIQUE (broadcast_id, sender),
    seq bigint NOT NULL,    -- set by companion.stamp_change(), whatever the client sends
    tx xid8 NOT NULL,
    stored_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS breath_joins_cursor ON companion.breath_joins (tx, seq);
DROP TRIGGER IF EXISTS breath_joins_stamp ON companion.breath_joins;
CREATE TRIGGER breath_joins_stamp BEFORE INSERT ON companion.breath_joins
    FOR EACH ROW EXECUTE FUNCTION companion.stamp_change();
DROP TRIGGER IF EXISTS breath_joins_wake ON companion.breath_joins;
CREATE TRIGGER breath_joins_wake AFTER INSERT ON companion.breath_joins
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companion.wake_team();
ALTER TABLE companion.breath_joins ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.breath_joins FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.breath_joins;
CREATE POLICY owner_all ON companion.breath_joins TO companion_owner USING (true) WITH CHECK (true);


DROP POLICY IF EXISTS breath_joins_read ON companion.breath_joins;
CREATE POLICY breath_joins_read ON companion.breath_joins FOR SELECT TO companion_agent USING (sender = current_user);
DROP POLICY IF EXISTS breath_joins_insert ON companion.breath_joins;
CREATE POLICY breath_joins_insert ON companion.breath_joins FOR INSERT TO companion_agent WITH CHECK (sender = current_user AND team = (SELECT companion.team_of(current_user)) AND EXISTS (SELECT 1 FROM companion.broadcasts b WHERE b.id = breath_joins.broadcast_id AND b.team = breath_joins.team));


CREATE TABLE IF NOT EXISTS companion.templates (
    id uuid PRIMARY KEY,
    sender name NOT NULL,
    team text NOT NULL,
    template_id text NOT NULL CHECK (length(template_id) BETWEEN 1 AND 100),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    version integer NOT NULL CHECK (version > 0),
    body jsonb NOT NULL CHECK (octet_length(body::text) <= 262144),
    seq bigint NOT NULL,    -- set by companion.stamp_change(), whatever the client sends
    tx xid8 NOT NULL,
    stored_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS templates_cursor ON companion.templates (tx, seq);
DROP TRIGGER IF EXISTS templates_stamp ON companion.templates;
CREATE TRIGGER templates_stamp BEFORE INSERT ON companion.templates
    FOR EACH ROW EXECUTE FUNCTION companion.stamp_change();
DROP TRIGGER IF EXISTS templates_wake ON companion.templates;
CREATE TRIGGER templates_wake AFTER INSERT ON companion.templates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companion.wake_team();
ALTER TABLE companion.templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE companion.templates FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON companion.templates;
CREATE POLICY owner_all ON companion.templates TO companion_owner USING (true) WITH CHECK (true);


DROP POLICY IF EXISTS templates_read ON companion.templates;
CREATE POLICY templates_read ON companion.templates FOR SELECT TO companion_agent USING (team = (SELECT companion.team_of(current_user)) OR sender = current_user);
DROP POLICY IF EXISTS templates_insert ON companion.templates;
CREATE POLICY templates_insert ON companion.templates FOR INSERT TO companion_lead WITH CHECK (sender = current_user AND team = (SELECT companion.team_of(current_user)) AND companion.is_lead(current_user));


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

VERSION_2 = """
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
GRANT SELECT (id, sender, team, recipient, category, message, call_ref, sent_at) ON companion.kudos TO companion_agent;
GRANT SELECT (id, sender, team, anonymous, category, text, logged_at) ON companion.obstacles TO companion_agent;
GRANT SELECT (id, sender, team, obstacle_id) ON companion.obstacle_votes TO companion_agent;
GRANT SELECT (id, sender, team, obstacle_id, reply, acted_at) ON companion.obstacle_replies TO companion_agent;
GRANT SELECT (id, sender, team, broadcast_kind, sent_at, expires_at) ON companion.broadcasts TO companion_agent;
GRANT SELECT (id, sender, team, broadcast_id, joined_at) ON companion.breath_joins TO companion_agent;
GRANT SELECT (id, sender, team, template_id, name, version, body) ON companion.templates TO companion_agent;

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
-- Returns {"records": [...] (oldest transaction first), "cursor": the safe cursor (past rows of
-- transactions older than the snapshot's xmin only: no row can appear before it later), "next": the
-- position after the last record (to page on within a round), "more": a full page}.
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
        (SELECT 'kudos'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'kudos', 'id', r.id, 'sender', r.sender, 'team', r.team, 'recipient', r.recipient, 'category', r.category, 'message', r.message, 'call_ref', r.call_ref, 'sent_at', to_char(r.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.kudos r WHERE (r.tx, r.seq) > (p_tx, p_seq) AND (r.team = my_team OR r.sender = my_name) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'obstacle'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'obstacle', 'id', r.id, 'sender', r.sender, 'team', r.team, 'anonymous', r.anonymous, 'category', r.category, 'text', r.text, 'logged_at', to_char(r.logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.obstacles r WHERE (r.tx, r.seq) > (p_tx, p_seq) AND (r.team = my_team OR r.sender = my_name) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'obstacle_vote'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'obstacle_vote', 'id', r.id, 'sender', r.sender, 'team', r.team, 'obstacle_id', r.obstacle_id) AS record FROM companion.obstacle_votes r WHERE (r.tx, r.seq) > (p_tx, p_seq) AND (r.team = my_team OR r.sender = my_name) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'obstacle_reply'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'obstacle_reply', 'id', r.id, 'sender', r.sender, 'team', r.team, 'obstacle_id', r.obstacle_id, 'reply', r.reply, 'acted_at', to_char(r.acted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.obstacle_replies r WHERE (r.tx, r.seq) > (p_tx, p_seq) AND (r.team = my_team OR r.sender = my_name) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'broadcast'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'broadcast', 'id', r.id, 'sender', r.sender, 'team', r.team, 'broadcast_kind', r.broadcast_kind, 'sent_at', to_char(r.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), 'expires_at', to_char(r.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.broadcasts r WHERE (r.tx, r.seq) > (p_tx, p_seq) AND (r.team = my_team OR r.sender = my_name) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'template'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'template', 'id', r.id, 'sender', r.sender, 'team', r.team, 'template_id', r.template_id, 'name', r.name, 'version', r.version, 'body', r.body) AS record FROM companion.templates r WHERE (r.tx, r.seq) > (p_tx, p_seq) AND (r.team = my_team OR r.sender = my_name) ORDER BY r.tx, r.seq LIMIT n)
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


# Written by hand (issue 14), frozen like the others.
VERSION_3 = r"""
-- Hub schema version 3 (issue 14): anonymity against an agent with full use of their own login, limits the hub
-- enforces itself, guards an agent cannot lift, the card-number rule on the hub, answers for one's own team only.

-- 1. As the admin: what only a superuser may change in pg_catalog (this database only), and the agent logins.
DO $$
DECLARE
    r record;
    guarded text[] := ARRAY['pg_lock_status', 'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids',
        'pg_isolation_test_session_is_blocked', 'pg_current_snapshot', 'txid_current_snapshot',
        'pg_current_xact_id', 'pg_current_xact_id_if_assigned', 'txid_current', 'txid_current_if_assigned',
        'pg_xact_status', 'txid_status', 'pg_last_committed_xact', 'pg_xact_commit_timestamp',
        'pg_xact_commit_timestamp_origin', 'pg_snapshot_xip', 'txid_snapshot_xip'];
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        -- Who runs which backend (a NOTIFY names its sender's pid), which transaction ids are running, every
        -- statistics counter: agents read none of it here. The hub's own functions (owner) still may.
        FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p
                 WHERE p.pronamespace = 'pg_catalog'::regnamespace
                   AND (p.proname LIKE 'pg\_stat\_get\_%' OR p.proname = ANY (guarded)) LOOP
            EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', r.f);
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO companion_owner', r.f);
        END LOOP;
        REVOKE SELECT ON pg_catalog.pg_locks, pg_catalog.pg_stat_activity FROM PUBLIC;
        GRANT SELECT ON pg_catalog.pg_stat_activity TO companion_owner;
    END IF;
    -- no temporary tables for anyone but the owner: nothing to hold a transaction id with
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO companion_owner', current_database());
    FOR r IN SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid
             JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = 'companion_agent' AND m.rolcanlogin
             AND NOT m.rolsuper LOOP
        -- a role cannot change its own connection limit; the hub's reaper (companion.tend) may end its sessions
        EXECUTE format('ALTER ROLE %I CONNECTION LIMIT 3', r.rolname);
        EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', r.rolname, '60s');
        BEGIN
            EXECUTE format('GRANT %I TO companion_owner', r.rolname);
        EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
            RAISE WARNING 'companion: could not let the hub end stuck sessions of %', r.rolname;
        END;
    END LOOP;
END
$$;
SET LOCAL ROLE companion_owner;

-- 2. Settings (owner only): the limits and the reaper. The team's kudos-per-day cap: companion.team_settings.
CREATE TABLE IF NOT EXISTS companion.hub_settings (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    rows_per_minute integer NOT NULL DEFAULT 60 CHECK (rows_per_minute > 0),
    obstacles_per_hour integer NOT NULL DEFAULT 10 CHECK (obstacles_per_hour > 0),
    votes_per_hour integer NOT NULL DEFAULT 60 CHECK (votes_per_hour > 0),
    kudos_per_day integer NOT NULL DEFAULT 50 CHECK (kudos_per_day > 0),
    max_transaction_seconds integer NOT NULL DEFAULT 60 CHECK (max_transaction_seconds > 0),
    anonymous_delay_min integer NOT NULL DEFAULT 120 CHECK (anonymous_delay_min >= 0),
    anonymous_delay_max integer NOT NULL DEFAULT 900 CHECK (anonymous_delay_max >= anonymous_delay_min)
);
INSERT INTO companion.hub_settings DEFAULT VALUES ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS companion.team_settings (
    team text PRIMARY KEY,
    kudos_per_day integer NOT NULL CHECK (kudos_per_day BETWEEN 1 AND 50)
);
-- what each agent added, for the limits: one row per row taken (no counter row to lock: concurrent sessions of
-- one agent never wait for each other), kept two days
CREATE TABLE IF NOT EXISTS companion.quota (
    agent name NOT NULL,
    bucket text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS quota_agent ON companion.quota (agent, bucket, at);
-- anonymous obstacles waiting to be published by another desk (no author: a keyed tag, gone on release)
CREATE TABLE IF NOT EXISTS companion.obstacle_stage (
    id uuid PRIMARY KEY,
    team text NOT NULL,
    category text NOT NULL CHECK (length(category) BETWEEN 1 AND 32),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    logged_at timestamptz NOT NULL,
    release_at timestamptz NOT NULL,
    not_by bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS obstacle_stage_due ON companion.obstacle_stage (release_at);
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['hub_settings', 'team_settings', 'quota', 'obstacle_stage'] LOOP
        EXECUTE format('ALTER TABLE companion.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE companion.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('DROP POLICY IF EXISTS owner_all ON companion.%I', t);
        EXECUTE format('CREATE POLICY owner_all ON companion.%I TO companion_owner USING (true) WITH CHECK (true)', t);
    END LOOP;
END
$$;

-- 3. team_of() and is_lead() answer for the caller only (policies pass current_user: a name given by anyone
-- else, or after SET ROLE, gets nothing); in_my_team() says whether a name is in the caller's own team.
CREATE OR REPLACE FUNCTION companion.team_of(who name) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT team FROM companion.agents WHERE name = who AND who = session_user $$;
CREATE OR REPLACE FUNCTION companion.is_lead(who name) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT coalesce((SELECT is_lead FROM companion.agents WHERE name = who AND who = session_user), false) $$;
CREATE OR REPLACE FUNCTION companion.in_my_team(who name) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT EXISTS (SELECT 1 FROM companion.agents a JOIN companion.agents me ON me.team = a.team
                         WHERE a.name = who AND me.name = session_user) $$;

-- 4. Card numbers: the desk's rule (companion.obstacles.pci), here too. Digits of every script count; any run of
-- separators (Unicode spaces, line breaks, invisible characters, dots, slashes, dashes, underscores, colons)
-- between digit groups is seen through; 13-19 digits of consecutive groups passing Luhn is a card number.
CREATE OR REPLACE FUNCTION companion.luhn(digits text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    total integer := 0;
    v integer;
    len integer := length(digits);
BEGIN
    FOR i IN 0 .. len - 1 LOOP
        v := ascii(substr(digits, len - i, 1)) - 48;
        IF i % 2 = 1 THEN
            v := v * 2;
            IF v > 9 THEN
                v := v - 9;
            END IF;
        END IF;
        total := total + v;
    END LOOP;
    RETURN total % 10 = 0;
END
$$;
CREATE OR REPLACE FUNCTION companion.has_card_number(t text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    norm text;
    run text;
    groups text[];
    digits text;
BEGIN
    IF t IS NULL THEN
        RETURN false;
    END IF;
    norm := translate(t, U&'\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9'
        || U&'\07C0\07C1\07C2\07C3\07C4\07C5\07C6\07C7\07C8\07C9\0966\0967\0968\0969\096A\096B\096C\096D\096E\096F'
        || U&'\09E6\09E7\09E8\09E9\09EA\09EB\09EC\09ED\09EE\09EF\0A66\0A67\0A68\0A69\0A6A\0A6B\0A6C\0A6D\0A6E\0A6F'
        || U&'\0AE6\0AE7\0AE8\0AE9\0AEA\0AEB\0AEC\0AED\0AEE\0AEF\0B66\0B67\0B68\0B69\0B6A\0B6B\0B6C\0B6D\0B6E\0B6F'
        || U&'\0BE6\0BE7\0BE8\0BE9\0BEA\0BEB\0BEC\0BED\0BEE\0BEF\0C66\0C67\0C68\0C69\0C6A\0C6B\0C6C\0C6D\0C6E\0C6F'
        || U&'\0CE6\0CE7\0CE8\0CE9\0CEA\0CEB\0CEC\0CED\0CEE\0CEF\0D66\0D67\0D68\0D69\0D6A\0D6B\0D6C\0D6D\0D6E\0D6F'
        || U&'\0DE6\0DE7\0DE8\0DE9\0DEA\0DEB\0DEC\0DED\0DEE\0DEF\0E50\0E51\0E52\0E53\0E54\0E55\0E56\0E57\0E58\0E59'
        || U&'\0ED0\0ED1\0ED2\0ED3\0ED4\0ED5\0ED6\0ED7\0ED8\0ED9\0F20\0F21\0F22\0F23\0F24\0F25\0F26\0F27\0F28\0F29'
        || U&'\1040\1041\1042\1043\1044\1045\1046\1047\1048\1049\1090\1091\1092\1093\1094\1095\1096\1097\1098\1099'
        || U&'\17E0\17E1\17E2\17E3\17E4\17E5\17E6\17E7\17E8\17E9\1810\1811\1812\1813\1814\1815\1816\1817\1818\1819'
        || U&'\1946\1947\1948\1949\194A\194B\194C\194D\194E\194F\19D0\19D1\19D2\19D3\19D4\19D5\19D6\19D7\19D8\19D9'
        || U&'\1A80\1A81\1A82\1A83\1A84\1A85\1A86\1A87\1A88\1A89\1A90\1A91\1A92\1A93\1A94\1A95\1A96\1A97\1A98\1A99'
        || U&'\1B50\1B51\1B52\1B53\1B54\1B55\1B56\1B57\1B58\1B59\1BB0\1BB1\1BB2\1BB3\1BB4\1BB5\1BB6\1BB7\1BB8\1BB9'
        || U&'\1C40\1C41\1C42\1C43\1C44\1C45\1C46\1C47\1C48\1C49\1C50\1C51\1C52\1C53\1C54\1C55\1C56\1C57\1C58\1C59'
        || U&'\A620\A621\A622\A623\A624\A625\A626\A627\A628\A629\A8D0\A8D1\A8D2\A8D3\A8D4\A8D5\A8D6\A8D7\A8D8\A8D9'
        || U&'\A900\A901\A902\A903\A904\A905\A906\A907\A908\A909\A9D0\A9D1\A9D2\A9D3\A9D4\A9D5\A9D6\A9D7\A9D8\A9D9'
        || U&'\A9F0\A9F1\A9F2\A9F3\A9F4\A9F5\A9F6\A9F7\A9F8\A9F9\AA50\AA51\AA52\AA53\AA54\AA55\AA56\AA57\AA58\AA59'
        || U&'\ABF0\ABF1\ABF2\ABF3\ABF4\ABF5\ABF6\ABF7\ABF8\ABF9\FF10\FF11\FF12\FF13\FF14\FF15\FF16\FF17\FF18\FF19'
        || U&'\+0104A0\+0104A1\+0104A2\+0104A3\+0104A4\+0104A5\+0104A6\+0104A7\+0104A8\+0104A9\+010D30\+010D31\+010D32\+010D33\+010D34\+010D35\+010D36\+010D37\+010D38\+010D39'
        || U&'\+011066\+011067\+011068\+011069\+01106A\+01106B\+01106C\+01106D\+01106E\+01106F\+0110F0\+0110F1\+0110F2\+0110F3\+0110F4\+0110F5\+0110F6\+0110F7\+0110F8\+0110F9'
        || U&'\+011136\+011137\+011138\+011139\+01113A\+01113B\+01113C\+01113D\+01113E\+01113F\+0111D0\+0111D1\+0111D2\+0111D3\+0111D4\+0111D5\+0111D6\+0111D7\+0111D8\+0111D9'
        || U&'\+0112F0\+0112F1\+0112F2\+0112F3\+0112F4\+0112F5\+0112F6\+0112F7\+0112F8\+0112F9\+011450\+011451\+011452\+011453\+011454\+011455\+011456\+011457\+011458\+011459'
        || U&'\+0114D0\+0114D1\+0114D2\+0114D3\+0114D4\+0114D5\+0114D6\+0114D7\+0114D8\+0114D9\+011650\+011651\+011652\+011653\+011654\+011655\+011656\+011657\+011658\+011659'
        || U&'\+0116C0\+0116C1\+0116C2\+0116C3\+0116C4\+0116C5\+0116C6\+0116C7\+0116C8\+0116C9\+011730\+011731\+011732\+011733\+011734\+011735\+011736\+011737\+011738\+011739'
        || U&'\+0118E0\+0118E1\+0118E2\+0118E3\+0118E4\+0118E5\+0118E6\+0118E7\+0118E8\+0118E9\+011950\+011951\+011952\+011953\+011954\+011955\+011956\+011957\+011958\+011959'
        || U&'\+011C50\+011C51\+011C52\+011C53\+011C54\+011C55\+011C56\+011C57\+011C58\+011C59\+011D50\+011D51\+011D52\+011D53\+011D54\+011D55\+011D56\+011D57\+011D58\+011D59'
        || U&'\+011DA0\+011DA1\+011DA2\+011DA3\+011DA4\+011DA5\+011DA6\+011DA7\+011DA8\+011DA9\+016A60\+016A61\+016A62\+016A63\+016A64\+016A65\+016A66\+016A67\+016A68\+016A69'
        || U&'\+016AC0\+016AC1\+016AC2\+016AC3\+016AC4\+016AC5\+016AC6\+016AC7\+016AC8\+016AC9\+016B50\+016B51\+016B52\+016B53\+016B54\+016B55\+016B56\+016B57\+016B58\+016B59'
        || U&'\+01D7CE\+01D7CF\+01D7D0\+01D7D1\+01D7D2\+01D7D3\+01D7D4\+01D7D5\+01D7D6\+01D7D7\+01D7D8\+01D7D9\+01D7DA\+01D7DB\+01D7DC\+01D7DD\+01D7DE\+01D7DF\+01D7E0\+01D7E1'
        || U&'\+01D7E2\+01D7E3\+01D7E4\+01D7E5\+01D7E6\+01D7E7\+01D7E8\+01D7E9\+01D7EA\+01D7EB\+01D7EC\+01D7ED\+01D7EE\+01D7EF\+01D7F0\+01D7F1\+01D7F2\+01D7F3\+01D7F4\+01D7F5'
        || U&'\+01D7F6\+01D7F7\+01D7F8\+01D7F9\+01D7FA\+01D7FB\+01D7FC\+01D7FD\+01D7FE\+01D7FF\+01E140\+01E141\+01E142\+01E143\+01E144\+01E145\+01E146\+01E147\+01E148\+01E149'
        || U&'\+01E2F0\+01E2F1\+01E2F2\+01E2F3\+01E2F4\+01E2F5\+01E2F6\+01E2F7\+01E2F8\+01E2F9\+01E950\+01E951\+01E952\+01E953\+01E954\+01E955\+01E956\+01E957\+01E958\+01E959'
        || U&'\+01FBF0\+01FBF1\+01FBF2\+01FBF3\+01FBF4\+01FBF5\+01FBF6\+01FBF7\+01FBF8\+01FBF9',
        '0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789'
        || '0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789'
        || '0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789'
        || '0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789'
        || '0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789'
        || '0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789'
        || '01234567890123456789012345678901234567890123456789');
    IF length(regexp_replace(norm, '[^0-9]', '', 'g')) < 13 THEN
        RETURN false;
    END IF;
    norm := regexp_replace(norm, '[\u0009\u000a\u000b\u000c\u000d\u001c\u001d\u001e\u001f\u0020\u002d\u002e\u002f\u003a\u005c\u005f\u0085\u00a0\u00ad\u00b7\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u2010\u2011\u2012\u2013\u2014\u2015\u2024\u2027\u2028\u2029\u202f\u2044\u205f\u2060\u2212\u2215\u29f8\u3000\u3002\ufe58\ufe63\ufeff\uff0d\uff0e\uff0f\uff1a\uff3c\uff3f\uff61]+', ' ', 'g');
    FOR run IN SELECT m[1] FROM regexp_matches(norm, '([0-9]+(?: [0-9]+)*)', 'g') AS m LOOP
        groups := string_to_array(run, ' ');
        FOR i IN 1 .. array_length(groups, 1) LOOP
            digits := '';
            FOR j IN i .. array_length(groups, 1) LOOP
                digits := digits || groups[j];
                EXIT WHEN length(digits) > 19;
                IF length(digits) >= 13 AND companion.luhn(digits) THEN
                    RETURN true;
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;
    RETURN false;
END
$$;
CREATE OR REPLACE FUNCTION companion.json_has_card_number(j jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(bool_or(companion.has_card_number(v #>> '{}')), false)
    FROM jsonb_path_query(j, 'strict $.**') AS v WHERE jsonb_typeof(v) = 'string' $$;

-- Card numbers already at rest (sent by a modified desk) are removed; then every new row is checked.
UPDATE companion.kudos SET message = '(removed by the team hub: it looked like a card number)'
    WHERE companion.has_card_number(message);
UPDATE companion.kudos SET call_ref = NULL WHERE companion.has_card_number(call_ref);
UPDATE companion.obstacles SET text = '(removed by the team hub: it looked like a card number)'
    WHERE companion.has_card_number(text);
UPDATE companion.obstacle_replies SET reply = '(removed by the team hub: it looked like a card number)'
    WHERE companion.has_card_number(reply);
UPDATE companion.agents SET display_name = name WHERE companion.has_card_number(display_name);
DELETE FROM companion.templates WHERE companion.has_card_number(name) OR companion.json_has_card_number(body);
UPDATE companion.kudos SET call_ref = NULL WHERE call_ref !~ '^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$';
ALTER TABLE companion.kudos DROP CONSTRAINT IF EXISTS kudos_no_card,
    ADD CONSTRAINT kudos_no_card CHECK (NOT companion.has_card_number(message)
                                        AND NOT companion.has_card_number(call_ref)),
    DROP CONSTRAINT IF EXISTS kudos_call_ref_form,
    ADD CONSTRAINT kudos_call_ref_form CHECK (call_ref ~ '^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$');
ALTER TABLE companion.obstacles DROP CONSTRAINT IF EXISTS obstacles_no_card,
    ADD CONSTRAINT obstacles_no_card CHECK (NOT companion.has_card_number(text));
ALTER TABLE companion.obstacle_stage DROP CONSTRAINT IF EXISTS obstacle_stage_no_card,
    ADD CONSTRAINT obstacle_stage_no_card CHECK (NOT companion.has_card_number(text));
ALTER TABLE companion.obstacle_replies DROP CONSTRAINT IF EXISTS obstacle_replies_no_card,
    ADD CONSTRAINT obstacle_replies_no_card CHECK (NOT companion.has_card_number(reply));
ALTER TABLE companion.agents DROP CONSTRAINT IF EXISTS agents_no_card,
    ADD CONSTRAINT agents_no_card CHECK (NOT companion.has_card_number(display_name));
ALTER TABLE companion.templates DROP CONSTRAINT IF EXISTS templates_no_card,
    ADD CONSTRAINT templates_no_card CHECK (NOT companion.has_card_number(name)
                                            AND NOT companion.has_card_number(template_id)
                                            AND NOT companion.json_has_card_number(body));

-- 5. Limits the hub enforces itself, per agent: rows a minute (everything: SQLSTATE CA420, the desk waits a
-- minute and goes on), kudos a day (the team's setting, else the hub's), obstacles and +1s an hour (SQLSTATE
-- CA429: refused for good, with a message the desk shows the agent).
CREATE OR REPLACE FUNCTION companion.take_quota(who name, what text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s companion.hub_settings;
    cap integer;
    v_bucket text;
    v_since timestamptz;
    v_label text;
BEGIN
    SELECT * INTO s FROM companion.hub_settings;
    IF random() < 0.001 THEN
        DELETE FROM companion.quota WHERE at < now() - interval '2 days';
    END IF;
    IF (SELECT count(*) FROM companion.quota
        WHERE agent = who AND bucket = 'rows' AND at > now() - interval '1 minute') >= s.rows_per_minute THEN
        RAISE EXCEPTION 'slow down: the team hub takes at most % changes a minute from one agent', s.rows_per_minute
            USING ERRCODE = 'CA420', HINT = 'Try again in a minute.';
    END IF;
    INSERT INTO companion.quota (agent, bucket) VALUES (who, 'rows');
    IF what = 'kudos' THEN
        cap := coalesce((SELECT t.kudos_per_day FROM companion.team_settings t JOIN companion.agents a ON a.team = t.team
                         WHERE a.name = who), s.kudos_per_day);
        v_bucket := 'kudos';
        v_since := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
        v_label := format('at most %s kudos a day (UTC) from one agent', cap);
    ELSIF what IN ('obstacles', 'obstacle_stage') THEN
        cap := s.obstacles_per_hour;
        v_bucket := 'obstacles';
        v_since := now() - interval '1 hour';
        v_label := format('at most %s obstacles an hour from one agent', cap);
    ELSIF what = 'obstacle_votes' THEN
        cap := s.votes_per_hour;
        v_bucket := 'votes';
        v_since := now() - interval '1 hour';
        v_label := format('at most %s +1s an hour from one agent', cap);
    ELSE
        RETURN;
    END IF;
    IF (SELECT count(*) FROM companion.quota WHERE agent = who AND bucket = v_bucket AND at > v_since) >= cap THEN
        RAISE EXCEPTION 'limit reached: the team hub takes %', v_label USING ERRCODE = 'CA429';
    END IF;
    INSERT INTO companion.quota (agent, bucket) VALUES (who, v_bucket);
END
$$;
CREATE OR REPLACE FUNCTION companion.count_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.sender IS NOT NULL THEN  -- an anonymous obstacle was counted when it was staged
        PERFORM companion.take_quota(NEW.sender, TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['kudos', 'obstacles', 'obstacle_votes', 'obstacle_replies', 'broadcasts',
                             'breath_joins', 'templates'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON companion.%I', t || '_quota', t);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON companion.%I FOR EACH ROW '
                       'EXECUTE FUNCTION companion.count_row()', t || '_quota', t);
    END LOOP;
END
$$;

-- 6. Wake-ups. Channel names are keyed (unguessable: nobody listens to another team's channel) and come from
-- companion.my_channels(). A breath join wakes nobody (its NOTIFY carried the joiner's backend pid), nor does
-- an anonymous obstacle (it is published later by another desk, see 7): a NOTIFY names its sender's pid.
CREATE OR REPLACE FUNCTION companion.channel_of(t text, roster boolean) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN roster THEN 'companion_r_' ELSE 'companion_' END
        || left(encode(sha256((SELECT k FROM companion.cursor_key) || convert_to('channel:' || t, 'UTF8')), 'hex'), 40) $$;
CREATE OR REPLACE FUNCTION companion.my_channels() RETURNS text[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT ARRAY[companion.channel_of(team, false), companion.channel_of(team, true)]
    FROM companion.agents WHERE name = session_user $$;
CREATE OR REPLACE FUNCTION companion.wake_team() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT DISTINCT team FROM new_rows LOOP
        PERFORM pg_notify(companion.channel_of(t, false), '');
    END LOOP;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION companion.wake_named() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT DISTINCT team FROM new_rows WHERE NOT anonymous LOOP
        PERFORM pg_notify(companion.channel_of(t, false), '');
    END LOOP;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION companion.wake_roster() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify(companion.channel_of(OLD.team, true), '');
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify(companion.channel_of(NEW.team, true), '');
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS breath_joins_wake ON companion.breath_joins;
DROP TRIGGER IF EXISTS obstacles_wake ON companion.obstacles;
CREATE TRIGGER obstacles_wake AFTER INSERT ON companion.obstacles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companion.wake_named();

-- 7. Anonymous obstacles: an agent cannot insert one (its session, pid and transaction would be the author's).
-- companion.submit_anonymous_obstacle stages it (owner-only table, no author; a keyed tag only so its author
-- cannot be the one who publishes it), the hub draws when it is due, and companion.tend(), which every desk
-- calls each round, publishes due ones in the caller's transaction - never the author's - without a wake-up:
-- teammates see it at their next round.
DROP POLICY IF EXISTS obstacles_insert ON companion.obstacles;
CREATE POLICY obstacles_insert ON companion.obstacles FOR INSERT TO companion_agent
    WITH CHECK (team = (SELECT companion.team_of(current_user)) AND NOT anonymous AND sender = current_user);
DROP POLICY IF EXISTS kudos_insert ON companion.kudos;
CREATE POLICY kudos_insert ON companion.kudos FOR INSERT TO companion_agent
    WITH CHECK (sender = current_user AND team = (SELECT companion.team_of(current_user))
                AND recipient <> current_user AND companion.in_my_team(recipient));

CREATE OR REPLACE FUNCTION companion.author_tag(who name) RETURNS bytea
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT sha256((SELECT k FROM companion.cursor_key) || convert_to('author:' || who, 'UTF8')) $$;

CREATE OR REPLACE FUNCTION companion.submit_anonymous_obstacle(p_id uuid, p_team text, p_category text,
                                                              p_text text, p_logged_at timestamptz)
    RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    my_team text := (SELECT team FROM companion.agents WHERE name = session_user);
    s companion.hub_settings;
BEGIN
    IF my_team IS NULL OR p_team IS DISTINCT FROM my_team THEN
        RAISE EXCEPTION 'an anonymous obstacle goes to your own team only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM companion.obstacles WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM companion.obstacle_stage WHERE id = p_id) THEN
        RETURN false;  -- pushed again: already here
    END IF;
    PERFORM companion.take_quota(session_user, 'obstacle_stage');
    SELECT * INTO s FROM companion.hub_settings;
    INSERT INTO companion.obstacle_stage (id, team, category, text, logged_at, release_at, not_by)
    VALUES (p_id, my_team, p_category, p_text, date_trunc('hour', p_logged_at),
            now() + make_interval(secs => s.anonymous_delay_min
                                          + floor(random() * (s.anonymous_delay_max - s.anonymous_delay_min + 1))),
            companion.author_tag(session_user))
    ON CONFLICT (id) DO NOTHING;
    RETURN true;
END
$$;

-- Each round of every desk: publish the anonymous obstacles that are due (not the caller's own), and, when the
-- caller's feed is held back (held), end agent sessions whose transaction has held a transaction id longer than
-- max_transaction_seconds: an agent can lift every timeout of their own, not this.
CREATE OR REPLACE FUNCTION companion.tend(held boolean DEFAULT false) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me bytea := companion.author_tag(session_user);
    released integer := 0;
    limit_s integer;
BEGIN
    IF EXISTS (SELECT 1 FROM companion.obstacle_stage WHERE release_at <= now()) THEN
        WITH due AS (
            DELETE FROM companion.obstacle_stage WHERE id IN (
                SELECT id FROM companion.obstacle_stage WHERE release_at <= now() AND not_by <> me
                FOR UPDATE SKIP LOCKED)
            RETURNING id, team, category, text, logged_at)
        INSERT INTO companion.obstacles (id, sender, team, anonymous, category, text, logged_at)
        SELECT id, NULL, team, true, category, text, logged_at FROM due ORDER BY random()
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS released = ROW_COUNT;
    END IF;
    IF held THEN
        SELECT max_transaction_seconds INTO limit_s FROM companion.hub_settings;
        PERFORM pg_terminate_backend(a.pid)
        FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
        WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_xid IS NOT NULL
          AND a.xact_start < now() - make_interval(secs => limit_s) AND NOT r.rolsuper
          AND pg_has_role(r.oid, 'companion_agent', 'MEMBER')
          AND NOT pg_has_role(r.oid, 'companion_owner', 'MEMBER');
    END IF;
    RETURN released;
END
$$;

-- 8. A team's pull must not slow with other teams' rows: each kind is read by (team, tx, seq) for the team's rows
-- and by (sender, tx, seq) for what the caller sent elsewhere (e.g. before a change of team), instead of one
-- (tx, seq) range filtered by team (that index is dropped: with it, a generic plan could still pick it).
-- Otherwise as version 2 (docs/team-hub.md, "Cursor").
DROP INDEX IF EXISTS companion.kudos_cursor;
CREATE INDEX IF NOT EXISTS kudos_team_cursor ON companion.kudos (team, tx, seq);
CREATE INDEX IF NOT EXISTS kudos_sender_cursor ON companion.kudos (sender, tx, seq);
DROP INDEX IF EXISTS companion.obstacles_cursor;
CREATE INDEX IF NOT EXISTS obstacles_team_cursor ON companion.obstacles (team, tx, seq);
CREATE INDEX IF NOT EXISTS obstacles_sender_cursor ON companion.obstacles (sender, tx, seq);
DROP INDEX IF EXISTS companion.obstacle_votes_cursor;
CREATE INDEX IF NOT EXISTS obstacle_votes_team_cursor ON companion.obstacle_votes (team, tx, seq);
CREATE INDEX IF NOT EXISTS obstacle_votes_sender_cursor ON companion.obstacle_votes (sender, tx, seq);
DROP INDEX IF EXISTS companion.obstacle_replies_cursor;
CREATE INDEX IF NOT EXISTS obstacle_replies_team_cursor ON companion.obstacle_replies (team, tx, seq);
CREATE INDEX IF NOT EXISTS obstacle_replies_sender_cursor ON companion.obstacle_replies (sender, tx, seq);
DROP INDEX IF EXISTS companion.broadcasts_cursor;
CREATE INDEX IF NOT EXISTS broadcasts_team_cursor ON companion.broadcasts (team, tx, seq);
CREATE INDEX IF NOT EXISTS broadcasts_sender_cursor ON companion.broadcasts (sender, tx, seq);
DROP INDEX IF EXISTS companion.templates_cursor;
CREATE INDEX IF NOT EXISTS templates_team_cursor ON companion.templates (team, tx, seq);
CREATE INDEX IF NOT EXISTS templates_sender_cursor ON companion.templates (sender, tx, seq);
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
    SELECT c.tx, c.seq INTO p_tx, p_seq FROM companion.cursor_position(after) AS c;
    WITH snap AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
    feed AS (
        SELECT f.* FROM (
        (SELECT 'kudos'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'kudos', 'id', r.id, 'sender', r.sender, 'team', r.team, 'recipient', r.recipient, 'category', r.category, 'message', r.message, 'call_ref', r.call_ref, 'sent_at', to_char(r.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.kudos r WHERE r.team = my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'kudos'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'kudos', 'id', r.id, 'sender', r.sender, 'team', r.team, 'recipient', r.recipient, 'category', r.category, 'message', r.message, 'call_ref', r.call_ref, 'sent_at', to_char(r.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.kudos r WHERE r.sender = my_name AND r.team IS DISTINCT FROM my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'obstacle'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'obstacle', 'id', r.id, 'sender', r.sender, 'team', r.team, 'anonymous', r.anonymous, 'category', r.category, 'text', r.text, 'logged_at', to_char(r.logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.obstacles r WHERE r.team = my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'obstacle'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'obstacle', 'id', r.id, 'sender', r.sender, 'team', r.team, 'anonymous', r.anonymous, 'category', r.category, 'text', r.text, 'logged_at', to_char(r.logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.obstacles r WHERE r.sender = my_name AND r.team IS DISTINCT FROM my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'obstacle_vote'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'obstacle_vote', 'id', r.id, 'sender', r.sender, 'team', r.team, 'obstacle_id', r.obstacle_id) AS record FROM companion.obstacle_votes r WHERE r.team = my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'obstacle_vote'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'obstacle_vote', 'id', r.id, 'sender', r.sender, 'team', r.team, 'obstacle_id', r.obstacle_id) AS record FROM companion.obstacle_votes r WHERE r.sender = my_name AND r.team IS DISTINCT FROM my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'obstacle_reply'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'obstacle_reply', 'id', r.id, 'sender', r.sender, 'team', r.team, 'obstacle_id', r.obstacle_id, 'reply', r.reply, 'acted_at', to_char(r.acted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.obstacle_replies r WHERE r.team = my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'obstacle_reply'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'obstacle_reply', 'id', r.id, 'sender', r.sender, 'team', r.team, 'obstacle_id', r.obstacle_id, 'reply', r.reply, 'acted_at', to_char(r.acted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.obstacle_replies r WHERE r.sender = my_name AND r.team IS DISTINCT FROM my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'broadcast'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'broadcast', 'id', r.id, 'sender', r.sender, 'team', r.team, 'broadcast_kind', r.broadcast_kind, 'sent_at', to_char(r.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), 'expires_at', to_char(r.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.broadcasts r WHERE r.team = my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'broadcast'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'broadcast', 'id', r.id, 'sender', r.sender, 'team', r.team, 'broadcast_kind', r.broadcast_kind, 'sent_at', to_char(r.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), 'expires_at', to_char(r.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS record FROM companion.broadcasts r WHERE r.sender = my_name AND r.team IS DISTINCT FROM my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'template'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'template', 'id', r.id, 'sender', r.sender, 'team', r.team, 'template_id', r.template_id, 'name', r.name, 'version', r.version, 'body', r.body) AS record FROM companion.templates r WHERE r.team = my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        UNION ALL (SELECT 'template'::text AS kind, r.tx, r.seq, jsonb_build_object('kind', 'template', 'id', r.id, 'sender', r.sender, 'team', r.team, 'template_id', r.template_id, 'name', r.name, 'version', r.version, 'body', r.body) AS record FROM companion.templates r WHERE r.sender = my_name AND r.team IS DISTINCT FROM my_team AND (r.tx, r.seq) > (p_tx, p_seq) ORDER BY r.tx, r.seq LIMIT n)
        ) AS f ORDER BY f.tx, f.seq LIMIT n),
    numbered AS (
        SELECT feed.*, row_number() OVER (ORDER BY tx, seq) AS i,
               bool_and(tx < (SELECT xmin FROM snap)) OVER (ORDER BY tx, seq) AS settled
        FROM feed),
    last_settled AS (SELECT tx, seq FROM numbered WHERE settled ORDER BY i DESC LIMIT 1),
    last_row AS (SELECT tx, seq FROM numbered ORDER BY i DESC LIMIT 1)
    SELECT jsonb_build_object(
        'records', coalesce((SELECT jsonb_agg(record ORDER BY i) FROM numbered), '[]'::jsonb),
        'cursor', coalesce((SELECT companion.cursor_token(tx, seq) FROM last_settled), coalesce(after, '')),
        'next', coalesce((SELECT companion.cursor_token(tx, seq) FROM last_row), coalesce(after, '')),
        'more', (SELECT count(*) FROM numbered) = n) INTO result;
    RETURN result;
END
$$;

REVOKE ALL ON FUNCTION companion.in_my_team(name), companion.luhn(text), companion.has_card_number(text),
    companion.json_has_card_number(jsonb), companion.take_quota(name, text), companion.count_row(),
    companion.channel_of(text, boolean), companion.my_channels(), companion.wake_named(),
    companion.author_tag(name), companion.submit_anonymous_obstacle(uuid, text, text, text, timestamptz),
    companion.tend(boolean) FROM PUBLIC;
-- the card check runs in CHECK constraints, as the inserting agent
GRANT EXECUTE ON FUNCTION companion.luhn(text), companion.has_card_number(text),
    companion.json_has_card_number(jsonb) TO companion_agent;
GRANT EXECUTE ON FUNCTION companion.in_my_team(name), companion.my_channels(),
    companion.submit_anonymous_obstacle(uuid, text, text, text, timestamptz), companion.tend(boolean)
    TO companion_agent;
RESET ROLE;
"""
