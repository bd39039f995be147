"""The plain-sqlite3 data layer (companion/db/sql.py, Database in engine.py) keeps the conventions the
SQLAlchemy models define: what one writes the other reads, the same defaults, real transactions."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.db import models
from companion.db.migrate import make_engine
from companion.db.sql import DEFAULTS, Row, bind_value

WHEN = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=timezone.utc)


@pytest.fixture
def orm(db):
    engine = make_engine(db.path)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_what_the_orm_wrote_reads_back_typed(db, orm):
    local = WHEN.astimezone(timezone(timedelta(hours=-5)))
    orm.add(models.CallRecord(id="c1", ref="r", started_at=local, tough=True, handle_seconds=12.5))
    orm.commit()
    with db.reading() as s:
        row = s.get("calls", "c1")
    assert row.started_at == WHEN and row.started_at.tzinfo == timezone.utc
    assert row.tough is True and row.ended_at is None and row["handle_seconds"] == 12.5
    assert isinstance(row, Row)


def test_what_the_data_layer_writes_the_orm_reads_and_compares(db, orm):
    with db.session() as s:
        s.insert("calls", {"id": "c1", "started_at": WHEN.astimezone(timezone(timedelta(hours=2)))})
    call = orm.get(models.CallRecord, "c1")
    assert call.started_at == WHEN and call.tough is False
    assert orm.scalars(select(models.CallRecord.id).where(models.CallRecord.started_at >= WHEN)).all() == ["c1"]
    with db.reading() as s:  # text comparison in SQL agrees with time order (the stored format is fixed width)
        assert s.scalar("SELECT count(*) FROM calls WHERE started_at > ?", (WHEN - timedelta(microseconds=1),)) == 1
        assert s.scalar("SELECT count(*) FROM calls WHERE started_at > ?", (WHEN,)) == 0


def test_the_stored_text_is_sqlalchemys_format(db, orm):
    orm.add(models.CallRecord(id="orm", started_at=WHEN.replace(microsecond=0), tough=False))
    orm.commit()
    with db.session() as s:
        s.insert("calls", {"id": "ours", "started_at": WHEN.replace(microsecond=0)})
        stored = {r.id: r.t for r in s.all("SELECT id, started_at || '' AS t FROM calls")}
    assert stored["ours"] == stored["orm"] == "2026-03-04 05:06:07.000000"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        bind_value(datetime(2026, 1, 1))


def test_computed_values_are_typed_by_their_alias(db):
    with db.session() as s:
        s.insert("calls", {"started_at": WHEN})
        assert s.scalar('SELECT max(started_at) AS "latest [DATETIME]" FROM calls') == WHEN


def test_the_defaults_are_the_models_defaults():
    for table in models.Base.metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        declared = {c.name for c in table.columns if c.default is not None}
        assert set(DEFAULTS[table.name]) == declared, table.name
        for column in table.columns:
            if column.default is not None and column.default.is_scalar:
                assert DEFAULTS[table.name][column.name] == column.default.arg, (table.name, column.name)


def test_a_misspelt_column_is_named_and_nothing_is_written(db):
    with pytest.raises(ValueError, match="kudos has no column sent_att"):
        with db.session() as s:
            s.insert("calls", {"started_at": WHEN})
            s.insert("kudos", {"sender": "a1", "recipient": "b2", "category": "helping", "message": "m",
                               "sent_att": WHEN})
    with pytest.raises(ValueError, match="calls has no column endd_at, hande_seconds"):
        with db.session() as s:
            s.update("calls", {"endd_at": WHEN, "hande_seconds": 1.0}, "1 = 1")
    with db.reading() as s:
        assert s.scalar("SELECT count(*) FROM calls") == 0


def test_insert_fills_defaults_and_update_stamps_updated_at(db):
    with db.session() as s:
        row = s.insert("obstacles", {"category": "process", "text": "slow tool", "logged_at": WHEN})
    assert len(row.id) == 36 and row.status == "open" and row.mine is False
    with db.reading() as s:
        stored = s.get("obstacles", row.id)
    assert stored.status == "open" and stored.anonymous is False and stored.created_at == row.created_at
    with db.session() as s:
        assert s.update("obstacles", {"status": "acted_on"}, "id = ?", (row.id,)) == 1
    with db.reading() as s:
        changed = s.get("obstacles", row.id)
    assert changed.status == "acted_on" and changed.updated_at > stored.updated_at


def test_an_error_rolls_the_unit_of_work_back(db):
    with pytest.raises(RuntimeError):
        with db.session() as s:
            s.insert("calls", {"id": "gone", "started_at": WHEN})
            raise RuntimeError("boom")
    with db.reading() as s:
        assert s.get("calls", "gone") is None


def test_a_nested_session_is_a_savepoint_of_the_outer_one(db):
    with pytest.raises(RuntimeError):
        with db.session() as outer:
            outer.insert("calls", {"id": "outer", "started_at": WHEN})
            with pytest.raises(ValueError):
                with db.session() as inner:
                    inner.insert("calls", {"id": "inner-failed", "started_at": WHEN})
                    raise ValueError("only the inner part rolls back")
            with db.session() as inner:
                inner.insert("calls", {"id": "inner", "started_at": WHEN})
            with db.reading() as look:  # a look inside the unit of work sees its own changes
                assert {r.id for r in look.all("SELECT id FROM calls")} == {"outer", "inner"}
            raise RuntimeError("the outer one fails: the released savepoint goes with it")
    with db.reading() as s:
        assert s.scalar("SELECT count(*) FROM calls") == 0


def test_writing_while_reading_is_refused(db):
    with pytest.raises(RuntimeError, match="reading session"):
        with db.reading() as s:
            s.insert("calls", {"id": "sneaky", "started_at": WHEN})
    with pytest.raises(RuntimeError, match="inside a reading session"):
        with db.reading():
            with db.session():
                pass
    with pytest.raises(RuntimeError, match="reading session was asked to write"):
        with db.session():
            with db.reading() as look:  # a look inside a unit of work shares its connection: still no writes
                look.insert("calls", {"id": "sneaky", "started_at": WHEN})
    with db.session() as s:  # the connection is writable again afterwards
        s.insert("calls", {"id": "fine", "started_at": WHEN})
    with db.reading() as s:
        assert [r.id for r in s.all("SELECT id FROM calls")] == ["fine"]


def test_commit_hooks_run_after_the_outermost_commit_only(db):
    seen = []
    hook = seen.append
    db.add_commit_hook(lambda tx: seen.append(dict(tx.info)))
    with db.session() as s:
        s.info["marked"] = True
        with db.session():
            assert seen == []
        assert seen == []
    assert seen == [{"marked": True}]
    with pytest.raises(RuntimeError):
        with db.session():
            raise RuntimeError("rolled back: no hook")
    with db.reading():
        pass
    assert seen == [{"marked": True}]
    db.remove_commit_hook(hook)  # removing one that was never added is harmless


def test_each_thread_has_its_own_connection(db):
    with db.session() as s:
        s.insert("calls", {"id": "main", "started_at": WHEN})
    found = []
    thread = threading.Thread(target=lambda: found.append(_ids(db)))
    thread.start()
    thread.join(10)
    assert found == [["main"]]
    db.close()
    with pytest.raises(Exception, match="closed"):
        _ids(db)


def _ids(db) -> list[str]:
    with db.reading() as s:
        return [r.id for r in s.all("SELECT id FROM calls")]


def test_a_look_that_cannot_begin_leaves_the_connection_writable(db, monkeypatch):
    """If BEGIN fails after ``query_only`` was switched on, the next unit of work must still write (it would
    otherwise be refused as "read-only")."""
    from companion.db import engine as engine_mod
    from companion.errors import DatabaseError

    real = engine_mod.Database._execute
    calls = []

    def failing_begin(self, con, *statements):
        calls.append(statements)
        if statements == ("PRAGMA query_only = ON", "BEGIN"):
            con.execute("PRAGMA query_only = ON")
            raise engine_mod.translate_operational_error(RuntimeError("database is locked"), self.path)
        return real(self, con, *statements)

    monkeypatch.setattr(engine_mod.Database, "_execute", failing_begin)
    with pytest.raises(DatabaseError, match="busy"):
        with db.reading():
            pass
    with db.session() as s:
        s.insert("calls", {"id": "still-writable", "started_at": WHEN})
    assert calls[-1] == ("BEGIN IMMEDIATE",)


def test_a_full_disk_inside_a_nested_session_is_reported_as_a_full_disk(db):
    """SQLite rolls the whole transaction back on a full disk: the savepoint is gone, and the message must be
    about the disk, not about a missing savepoint. Nothing is committed."""
    from companion.errors import DatabaseError

    with pytest.raises(DatabaseError, match="is full.*Nothing was changed") as caught:
        with db.session() as outer:
            outer.insert("calls", {"id": "outer", "started_at": WHEN})
            pages = outer.scalar("PRAGMA page_count")
            outer.execute(f"PRAGMA max_page_count = {pages}")  # the "disk" is full from here on
            with db.session() as inner:
                for n in range(2000):
                    inner.insert("notifications", {"kind": "info", "title": "t", "body": "x" * 500})
    assert "savepoint" not in str(caught.value)
    with db.reading() as s:
        assert s.scalar("SELECT count(*) FROM calls") == 0
        assert s.scalar("SELECT count(*) FROM notifications") == 0
