"""Schema revisions this build knows, without importing Alembic (start-up stays fast).

tests/db/test_migrations.py checks this list against the Alembic scripts, so it cannot drift.
"""
from pathlib import Path

REVISIONS: tuple[str, ...] = ("0001", "0002", "0003")
HEAD = REVISIONS[-1]

#: the head schema as SQL: a new database is built from it (engine.create_fresh), migrate.write_head_sql writes it
HEAD_SQL = Path(__file__).with_name("head.sql")
