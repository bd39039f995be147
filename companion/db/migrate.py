"""Schema migrations with Alembic, and the SQLAlchemy engine they run on.

Loaded only when a database is older than this build (``open_database``), by the self-test and by tests:
the running app otherwise never imports SQLAlchemy (see ``companion.db.sql``).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import ColumnDefault, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from companion.db.schema import HEAD_SQL
from companion.db.sql import BUSY_TIMEOUT_MS, translate_operational_error

MIGRATIONS = Path(__file__).parent / "migrations"


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # SQLAlchemy's pysqlite recipe ("Serializable isolation / Savepoints / Transactional DDL"): the driver
    # never begins or commits on its own; _on_begin emits BEGIN, so a migration is one real transaction.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def _on_begin(connection: Connection) -> None:
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


ROWS_HEADER = '''\
"""The local schema for the running app, which never imports SQLAlchemy: one typed row class per table, the
column lists, and the Python-side defaults ``Tx.insert`` fills (``companion.db.sql.DEFAULTS``).

GENERATED from companion.db.models by companion.db.migrate.write_rows() -- do not edit. After a schema change
(the models and a new revision) regenerate it with
``python -c "from companion.db.migrate import write_head_sql, write_rows; write_head_sql(); write_rows()"``;
tests/db/test_migrations.py fails while it is stale.
"""
from __future__ import annotations

from datetime import datetime


class _Row:
    """Plain classes with slots, written out rather than made by @dataclass: the app imports this module at
    start-up, where thirteen frozen dataclasses took ~10-40 ms to create and these take ~0.2 ms. A misspelt
    attribute raises AttributeError, for reading and for writing."""

    __slots__: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # rows compare by value and may change: not hashable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self.__slots__)})"
'''


def row_class_name(model: type) -> str:
    """``CallRecord`` -> ``CallRow``, ``Kudos`` -> ``KudosRow``."""
    return model.__name__.removesuffix("Record") + "Row"


def rows_module_source() -> str:
    """The text of ``companion/db/rows.py``, from the models."""
    from sqlalchemy import Integer

    from companion.db import sql
    from companion.db.models import Base

    factories = {"new_id": sql.new_id, "utcnow": sql.utcnow}
    models = {mapper.local_table: mapper.class_ for mapper in Base.registry.mappers}
    tables = sorted(Base.metadata.tables.values(), key=lambda t: t.name)
    classes, columns, values, calls = [], [], [], []
    for table in tables:
        model = models[table]
        name = row_class_name(model)
        required: list[tuple[str, str]] = []
        optional: list[tuple[str, str]] = []
        table_values, table_calls = [], []
        for column in table.columns:
            kind = getattr(column.type, "impl_instance", column.type).python_type.__name__  # UTCDateTime: datetime
            generated_key = (column.primary_key and isinstance(column.type, Integer)
                             and column.autoincrement in (True, "auto"))  # SQLite assigns it on insert
            if column.nullable or generated_key:
                optional.append((column.name, f"{kind} | None"))
            else:
                required.append((column.name, kind))
            default = column.default
            if default is None:
                continue
            if not isinstance(default, ColumnDefault):  # a Sequence or the like: SQLite has none
                raise ValueError(f"{table.name}.{column.name}: unsupported default {default!r}")
            if default.is_scalar:
                table_values.append(f"{column.name!r}: {default.arg!r}")
            else:
                function = getattr(default.arg, "__name__", "")
                if factories.get(function) is None:
                    raise ValueError(f"{table.name}.{column.name}: a default must be a value or one of "
                                     f"{sorted(factories)} (companion.db.sql), not {function or default.arg!r}")
                table_calls.append(f"{column.name!r}: {function!r}")
        fields = required + optional
        slots = ", ".join(repr(n) for n, _ in fields)
        params = [f"{n}: {t}" for n, t in required] + [f"{n}: {t} = None" for n, t in optional]
        signature = _wrapped(f"    def __init__(self, {', '.join(params)}) -> None:", indent=17)
        classes.append(f"\n\nclass {name}(_Row):\n"
                       f'    """A row of ``{table.name}`` (companion.db.models.{model.__name__})."""\n\n'
                       + _wrapped(f"    __slots__ = ({slots}{',' if len(fields) == 1 else ''})", indent=17) + "\n"
                       + "".join(f"    {n}: {t}\n" for n, t in fields) + "\n"
                       + signature + "\n"
                       + "".join(f"        self.{n} = {n}\n" for n, _ in fields))
        names = ", ".join(repr(c.name) for c in table.columns)
        columns.append(_wrapped(f"    {table.name!r}: ({names}{',' if len(table.columns) == 1 else ''}),"))
        values.append(_wrapped(f"    {table.name!r}: {{{', '.join(table_values)}}},"))
        calls.append(_wrapped(f"    {table.name!r}: {{{', '.join(table_calls)}}},"))
    row_classes = [f"    {table.name!r}: {row_class_name(models[table])}," for table in tables]
    return (ROWS_HEADER + "".join(classes)
            + "\n\n#: every table's columns, in the table's order\n"
            + "COLUMNS: dict[str, tuple[str, ...]] = {\n" + "\n".join(columns) + "\n}\n"
            + "\n#: the models' scalar defaults\n"
            + "DEFAULT_VALUES: dict[str, dict[str, object]] = {\n" + "\n".join(values) + "\n}\n"
            + "\n#: the models' callable defaults, by the name of a function of companion.db.sql\n"
            + "DEFAULT_FACTORIES: dict[str, dict[str, str]] = {\n" + "\n".join(calls) + "\n}\n"
            + "\n#: table -> its row class\n"
            + "ROW_CLASSES: dict[str, type] = {\n" + "\n".join(row_classes) + "\n}\n")


def _wrapped(line: str, width: int = 120, indent: int = 8) -> str:
    """A generated line, broken after a ", " where longer than ``width`` (continuations indented ``indent``)."""
    lines: list[str] = []
    current = ""
    for part in line.split(", "):
        candidate = f"{current}, {part}" if current else part
        if current and len(candidate) + 1 > width:  # + 1: the comma that ends the broken line
            lines.append(current + ",")
            current = " " * indent + part
        else:
            current = candidate
    return "\n".join([*lines, current])


def write_rows() -> Path:
    """Regenerate ``companion/db/rows.py`` after a schema change."""
    path = Path(__file__).with_name("rows.py")
    path.write_text(rows_module_source(), encoding="utf-8")
    return path
