"""Schema migrations with Alembic, and the SQLAlchemy engine they run on.

Loaded only when a database is older than this build (``open_database``), by the self-test and by tests:
the running app otherwise never imports SQLAlchemy (see ``companion.db.sql``).
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from companion.db.schema import HEAD_SQL
from companion.db.sql import BUSY_TIMEOUT_MS, translate_operational_error

MIGRATIONS = Path(__file__).parent / "migrations"


def _on_connect(dbapi_connection, _record: object) -> None:
    # SQLAlchemy's pysqlite recipe ("Serializable isolation / Savepoints / Transactional DDL"): the driver
    # never begins or commits on its own; _on_begin emits BEGIN, so a migration is one real transaction.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def _on_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(path: Path) -> Engine:
    # hide_parameters: SQL parameters never reach an error message or the log.
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
                           hide_parameters=True)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def migrate(engine: Engine, target: str = "head") -> None:
    """Run Alembic migrations up to target, on the given engine, in one transaction."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)


def upgrade(path: Path, target: str = "head") -> None:
    """Migrate the database file at path; a busy or read-only file raises the app's clear error."""
    engine = make_engine(path)
    try:
        migrate(engine, target)
    except OperationalError as exc:
        raise translate_operational_error(exc.orig, path) from exc
    finally:
        engine.dispose()


HEAD_SQL_HEADER = """\
-- The head schema as SQLite statements: a new database is built from this file and stamped, without loading
-- SQLAlchemy or Alembic. Generated from companion.db.models by companion.db.migrate.write_head_sql();
-- tests/db/test_migrations.py checks it is current and builds what running every migration builds.
"""


def head_schema_sql() -> str:
    """The models' schema (``create_all`` on a throwaway database) as the text of ``head.sql``."""
    import sqlite3
    import tempfile

    from companion.db.models import Base

    with tempfile.TemporaryDirectory(prefix="companion-head.") as tmp:
        path = Path(tmp) / "head.sqlite"
        engine = make_engine(path)
        try:
            with engine.begin() as connection:
                Base.metadata.create_all(connection)
                connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                                           "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
        finally:
            engine.dispose()
        con = sqlite3.connect(path)
        try:
            statements = [sql for (sql,) in con.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                "ORDER BY type <> 'table', CASE type WHEN 'table' THEN rowid END, name")]  # indexes by name
        finally:
            con.close()
    body = "\n".join("\n".join(line.rstrip() for line in sql.strip().splitlines()) + ";\n" for sql in statements)
    return HEAD_SQL_HEADER + "\n" + body


def write_head_sql() -> Path:
    """Regenerate ``companion/db/head.sql`` after a schema change (a new revision and its models)."""
    HEAD_SQL.write_text(head_schema_sql(), encoding="utf-8")
    return HEAD_SQL
