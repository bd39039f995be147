-- The head schema as SQLite statements: a new database is built from this file and stamped, without loading
-- SQLAlchemy or Alembic. Generated from companion.db.models by companion.db.migrate.write_head_sql();
-- tests/db/test_migrations.py checks it is current and builds what running every migration builds.

CREATE TABLE settings (
	"key" VARCHAR(64) NOT NULL,
	value TEXT NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY ("key")
);

CREATE TABLE calls (
	ref VARCHAR(64),
	started_at DATETIME NOT NULL,
	ended_at DATETIME,
	handle_seconds FLOAT,
	tough BOOLEAN NOT NULL,
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT ck_calls_handle_nonneg CHECK (handle_seconds >= 0)
);

CREATE TABLE notifications (
	kind VARCHAR(32) NOT NULL,
	title VARCHAR(200) NOT NULL,
	body TEXT NOT NULL,
	payload TEXT NOT NULL,
	shown_at DATETIME,
	shown_via VARCHAR(32),
	read_at DATETIME,
	held_reason VARCHAR(32),
	expires_at DATETIME,
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE TABLE teammates (
	name VARCHAR(63) NOT NULL,
	display_name VARCHAR(100) NOT NULL,
	team VARCHAR(63),
	is_lead BOOLEAN NOT NULL,
	active BOOLEAN NOT NULL,
	source VARCHAR(8) NOT NULL,
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (name)
);

CREATE TABLE kudos (
	sender VARCHAR(63) NOT NULL,
	recipient VARCHAR(63) NOT NULL,
	category VARCHAR(16) NOT NULL,
	message TEXT NOT NULL,
	call_ref VARCHAR(64),
	team VARCHAR(63),
	sent_at DATETIME NOT NULL,
	received_at DATETIME,
	read_at DATETIME,
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT ck_kudos_category CHECK (category IN ('helping', 'exceeding', 'achieving', 'responding', 'teamwork')),
	CONSTRAINT ck_kudos_message_len CHECK (length(message) BETWEEN 1 AND 280),
	CONSTRAINT ck_kudos_not_self CHECK (sender <> recipient)
);

CREATE TABLE obstacles (
	author VARCHAR(63),
	mine BOOLEAN NOT NULL,
	anonymous BOOLEAN NOT NULL,
	category VARCHAR(32) NOT NULL,
	text TEXT NOT NULL,
	team VARCHAR(63),
	logged_at DATETIME NOT NULL,
	status VARCHAR(16) NOT NULL,
	reply TEXT,
	acted_by VARCHAR(63),
	acted_at DATETIME,
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT ck_obstacles_status CHECK (status IN ('open', 'acted_on')),
	CONSTRAINT ck_obstacles_text_len CHECK (length(text) BETWEEN 1 AND 1000)
);

CREATE TABLE broadcasts (
	kind VARCHAR(16) NOT NULL,
	sender VARCHAR(63) NOT NULL,
	team VARCHAR(63),
	sent_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	invited_at DATETIME,
	response VARCHAR(16),
	responded_at DATETIME,
	joined_count INTEGER,
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT ck_broadcasts_kind CHECK (kind IN ('deep_breath')),
	CONSTRAINT ck_broadcasts_response CHECK (response IS NULL OR response IN ('joined', 'declined', 'missed'))
);

CREATE TABLE outbox (
	id VARCHAR(36) NOT NULL,
	kind VARCHAR(32) NOT NULL,
	record_id VARCHAR(36) NOT NULL,
	payload TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	pushed_at DATETIME,
	attempts INTEGER NOT NULL,
	last_error TEXT,
	PRIMARY KEY (id)
);

CREATE TABLE checklist_templates (
	name VARCHAR(80) NOT NULL,
	line_of_business VARCHAR(80),
	body TEXT NOT NULL,
	version INTEGER NOT NULL,
	position INTEGER NOT NULL,
	archived BOOLEAN NOT NULL,
	source VARCHAR(8) NOT NULL,
	team_template_id VARCHAR(36),
	published_by VARCHAR(63),
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT ck_checklist_templates_source CHECK (source IN ('local', 'team')),
	CONSTRAINT ck_checklist_templates_version CHECK (version >= 1),
	CONSTRAINT uq_checklist_templates_team_version UNIQUE (team_template_id, version)
);

CREATE TABLE resets (
	"trigger" VARCHAR(32) NOT NULL,
	pattern VARCHAR(32) NOT NULL,
	planned_seconds INTEGER NOT NULL,
	actual_seconds FLOAT NOT NULL,
	outcome VARCHAR(16) NOT NULL,
	started_at DATETIME NOT NULL,
	ended_at DATETIME NOT NULL,
	mood_before INTEGER,
	mood_after INTEGER,
	call_id VARCHAR(36),
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT ck_resets_planned_pos CHECK (planned_seconds > 0),
	CONSTRAINT ck_resets_actual_nonneg CHECK (actual_seconds >= 0),
	CONSTRAINT ck_resets_outcome CHECK (outcome IN ('completed', 'ended_early', 'interrupted')),
	CONSTRAINT ck_resets_mood_before CHECK (mood_before IS NULL OR mood_before BETWEEN 1 AND 5),
	CONSTRAINT ck_resets_mood_after CHECK (mood_after IS NULL OR mood_after BETWEEN 1 AND 5),
	FOREIGN KEY(call_id) REFERENCES calls (id) ON DELETE SET NULL
);

CREATE TABLE obstacle_votes (
	obstacle_id VARCHAR(36) NOT NULL,
	voter VARCHAR(63) NOT NULL,
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_obstacle_votes_voter UNIQUE (obstacle_id, voter),
	FOREIGN KEY(obstacle_id) REFERENCES obstacles (id) ON DELETE CASCADE
);

CREATE TABLE checklist_runs (
	call_id VARCHAR(36) NOT NULL,
	template_id VARCHAR(36),
	template_version INTEGER NOT NULL,
	template_name VARCHAR(80) NOT NULL,
	started_at DATETIME NOT NULL,
	ended_at DATETIME NOT NULL,
	handle_seconds FLOAT,
	item_count INTEGER NOT NULL,
	ticked_count INTEGER NOT NULL,
	score FLOAT NOT NULL,
	outcome VARCHAR(8),
	obstacle_text TEXT,
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT ck_checklist_runs_outcome CHECK (outcome IS NULL OR outcome IN ('positive', 'neutral', 'negative')),
	CONSTRAINT ck_checklist_runs_score CHECK (score BETWEEN 0 AND 1),
	CONSTRAINT ck_checklist_runs_obstacle_len CHECK (obstacle_text IS NULL OR length(obstacle_text) <= 1000),
	FOREIGN KEY(call_id) REFERENCES calls (id) ON DELETE CASCADE,
	FOREIGN KEY(template_id) REFERENCES checklist_templates (id) ON DELETE SET NULL
);

CREATE TABLE checklist_run_items (
	id INTEGER NOT NULL,
	run_id VARCHAR(36) NOT NULL,
	position INTEGER NOT NULL,
	item_key VARCHAR(32) NOT NULL,
	ticked_at FLOAT,
	PRIMARY KEY (id),
	CONSTRAINT uq_checklist_run_items_key UNIQUE (run_id, item_key),
	CONSTRAINT ck_checklist_run_items_ticked CHECK (ticked_at IS NULL OR ticked_at >= 0),
	FOREIGN KEY(run_id) REFERENCES checklist_runs (id) ON DELETE CASCADE
);

CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));

CREATE INDEX ix_broadcasts_sent_at ON broadcasts (sent_at);

CREATE INDEX ix_calls_started_at ON calls (started_at);

CREATE INDEX ix_checklist_runs_call_id ON checklist_runs (call_id);

CREATE INDEX ix_checklist_runs_started_at ON checklist_runs (started_at);

CREATE INDEX ix_kudos_recipient ON kudos (recipient);

CREATE INDEX ix_kudos_sender ON kudos (sender);

CREATE INDEX ix_kudos_sent_at ON kudos (sent_at);

CREATE INDEX ix_notifications_shown_at ON notifications (shown_at);

CREATE INDEX ix_obstacle_votes_obstacle_id ON obstacle_votes (obstacle_id);

CREATE INDEX ix_obstacles_logged_at ON obstacles (logged_at);

CREATE INDEX ix_outbox_created_at ON outbox (created_at);

CREATE INDEX ix_outbox_pushed_at ON outbox (pushed_at);

CREATE INDEX ix_resets_started_at ON resets (started_at);
