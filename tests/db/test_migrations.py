from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.config import Config

import companion.db.engine as engine_mod
from companion.db import schema
from companion.db.models import Base

MIGRATIONS = Path(engine_mod.__file__).parent / "migrations"


def test_known_revisions_match_the_alembic_scripts():
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(cfg)
    chain = [rev.revision for rev in reversed(list(scripts.walk_revisions()))]
    assert tuple(chain) == schema.REVISIONS
    assert scripts.get_current_head() == schema.HEAD


def test_migrations_build_exactly_the_models(tmp_path):
    from companion.db.migrate import make_engine, migrate

    engine = make_engine(tmp_path / "migrated.sqlite")
    migrate(engine)
    with engine.connect() as con:
        diff = compare_metadata(MigrationContext.configure(con), Base.metadata)
    engine.dispose()
    assert diff == []


def test_sample_exists_for_every_released_revision():
    samples = Path(__file__).parent / "samples"
    assert {f"schema-{rev}.sqlite" for rev in schema.REVISIONS} <= {p.name for p in samples.iterdir()}


def test_fresh_database_equals_the_migrated_one(tmp_path):
    """New databases are built from the models and stamped; they must match running the migrations."""
    import sqlite3

    from companion.db.engine import open_database
    from companion.db.migrate import make_engine, migrate

    fresh = open_database(tmp_path / "fresh.sqlite")
    fresh.close()
    migrated_engine = make_engine(tmp_path / "migrated.sqlite")
    migrate(migrated_engine)
    migrated_engine.dispose()

    def schema_of(path):
        """Columns (name, type, not null, default, pk), check constraints, foreign keys, indexes, version."""
        import re

        con = sqlite3.connect(path)
        result = {}
        for name, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
            result[name] = (
                sorted(row[1:] for row in con.execute(f"PRAGMA table_info({name})")),
                sorted(re.findall(r"CONSTRAINT (\w+) CHECK \((.*)\)", sql)),
                sorted(row[2:5] for row in con.execute(f"PRAGMA foreign_key_list({name})")),
                sorted(row[1:3] for row in con.execute(f"PRAGMA index_list({name})")),
            )
        result["version"] = con.execute("SELECT version_num FROM alembic_version").fetchall()
        con.close()
        return result

    assert schema_of(tmp_path / "fresh.sqlite") == schema_of(tmp_path / "migrated.sqlite")


def test_head_sql_is_the_models_schema():
    """New databases are built from head.sql; after a schema change regenerate it with
    ``python -c "from companion.db.migrate import write_head_sql; write_head_sql()"``."""
    from companion.db.engine import HEAD_SQL
    from companion.db.migrate import head_schema_sql

    assert HEAD_SQL.read_text(encoding="utf-8") == head_schema_sql()


def test_rows_module_is_the_models_schema():
    """The running app's typed rows, column lists and defaults (companion/db/rows.py) are generated from the
    models; after a schema change regenerate it with
    ``python -c "from companion.db.migrate import write_rows; write_rows()"``."""
    from companion.db.migrate import rows_module_source

    rows = Path(engine_mod.__file__).with_name("rows.py")
    assert rows.read_text(encoding="utf-8") == rows_module_source()


def test_row_classes_have_every_column_typed_as_the_models():
    import typing

    from companion.db import rows

    for table in Base.metadata.sorted_tables:
        cls = rows.ROW_CLASSES[table.name]
        hints = {name: hint for name, hint in typing.get_type_hints(cls).items() if name != "__slots__"}
        assert set(cls.__slots__) == set(hints)
        assert set(hints) == {c.name for c in table.columns} == set(rows.COLUMNS[table.name])
        for column in table.columns:
            expected = getattr(column.type, "impl_instance", column.type).python_type
            assert expected in typing.get_args(hints[column.name]) or hints[column.name] is expected, \
                (table.name, column.name)


def test_a_model_default_the_runtime_cannot_reproduce_is_refused(monkeypatch):
    """Callable defaults must be functions of companion.db.sql (the generated module names them)."""
    import pytest
    from companion.db import migrate
    from companion.db.models import CallRecord

    column = CallRecord.__table__.c.id
    monkeypatch.setattr(column.default, "arg", lambda ctx: "x")
    with pytest.raises(ValueError, match="calls.id"):
        migrate.rows_module_source()


def test_revisions_are_frozen():
    """A revision builds forever what it built when released: it imports SQLAlchemy, Alembic and the frozen
    helpers of companion.db.migrations.frozen (which never change), nothing else of companion."""
    import ast

    allowed = {"sqlalchemy", "alembic", "alembic.op", "companion.db.migrations.frozen", "__future__"}
    found = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update({alias.name: path.name for alias in node.names})
            elif isinstance(node, ast.ImportFrom):
                found[node.module or ""] = path.name
    assert set(found) - allowed == set(), found
    assert "companion.db.migrations.frozen" in found
