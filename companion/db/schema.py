"""Schema revisions this build knows, without importing Alembic (start-up stays fast).

tests/db/test_migrations.py checks this list against the Alembic scripts, so it cannot drift.
"""
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003")
HEAD = REVISIONS[-1]
