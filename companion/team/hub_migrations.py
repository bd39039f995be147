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
