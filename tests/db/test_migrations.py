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


def test_migrations_build_exactly_the_models(db):
    with db.engine.connect() as con:
        diff = compare_metadata(MigrationContext.configure(con), Base.metadata)
    assert diff == []


def test_sample_exists_for_every_released_revision():
    samples = Path(__file__).parent / "samples"
    assert {f"schema-{rev}.sqlite" for rev in schema.REVISIONS} <= {p.name for p in samples.iterdir()}
