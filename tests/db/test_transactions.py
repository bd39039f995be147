"""Local transactions are real SQLite transactions (companion/db/engine.py): SAVEPOINTs nest inside one
transaction, a writer waits the busy timeout instead of failing at once, a busy
database is never mistaken for a bad team record, and SQL parameters never reach the log.
From the review of the merged app (findings 5 and 6; /tmp/rev1/busy.py, lost_note.py, sp.py, logleak.py)."""
from __future__ import annotations

import logging
import sqlite3
import threading
import uuid

import pytest
from companion import ipc
from companion.config import SettingsStore
from companion.db import engine as engine_mod
from companion.db.engine import open_database
from companion.db import sql
from companion.errors import DatabaseError, DatabaseLockedError
from companion.events import EventHub
from companion import inbound
from companion.team import hub
from companion.team.sync import SyncWorker
from tests.fakes import FakeClock


def kudos_record(clock: FakeClock, message: str = "thanks") -> dict:
    return {"id": str(uuid.uuid4()), "kind": "kudos", "sender": "dana", "recipient": "alex", "team": "red",
            "category": "helping", "message": message, "call_ref": None, "sent_at": clock.now().isoformat()}


class GuiWriter:
    """What the GUI thread does all the time: commit a notification on its own connection and thread.
    ``start`` begins the write and gives it a moment: before the fix it committed under the worker's feet."""

    def __init__(self, db, clock: FakeClock) -> None:
        self.db, self.clock = db, clock
        self.done = threading.Event()
        self.errors: list[BaseException] = []
        self.thread: threading.Thread | None = None

    def _write(self) -> None:
        try:
            with self.db.session() as s:
                s.insert("notifications", {"kind": "info", "title": "t", "body": "b",
                                           "created_at": self.clock.now(), "updated_at": self.clock.now()})
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(exc)
        finally:
            self.done.set()

    def start(self) -> None:
        self.thread = threading.Thread(target=self._write)
        self.thread.start()
        self.done.wait(0.5)

    def join(self) -> None:
        assert self.thread is not None
        self.thread.join(10)
        assert not self.errors, self.errors


def notifications(db) -> int:
    with db.reading() as s:
        return s.scalar("SELECT count(*) FROM notifications")


def kudos_exists(db, kudos_id: str) -> bool:
    with db.reading() as s:
        return s.get("kudos", kudos_id) is not None


@pytest.fixture
def before_insert(monkeypatch):
    """``before_insert(fn)``: call fn(table, values) before every ``Tx.insert`` (where the ORM flushed)."""
    def install(fn):
        original = sql.Tx.insert

        def insert(self, table, values, **kw):
            fn(table, values)
            return original(self, table, values, **kw)

        monkeypatch.setattr(sql.Tx, "insert", insert)
    return install


def test_a_gui_commit_between_the_workers_read_and_write_waits_instead_of_losing_the_record(db, clock,
                                                                                           before_insert):
    rec = kudos_record(clock)
    gui = GuiWriter(db, clock)

    def start_gui(table, values):
        if table == "kudos" and gui.thread is None:
            gui.start()   # the GUI commits between the worker's read and its write
    with db.session() as s:
        before_insert(start_gui)
        told = inbound.apply(s, rec, "alex", clock.now())
    gui.join()
    assert told is not None and told.record_id == rec["id"]
    assert kudos_exists(db, rec["id"])
    assert notifications(db) == 1  # the GUI's write waited for the worker's transaction, then committed


class NoWaker:
    def wait(self, timeout: float, fileno: int | None = None) -> None:
        pass

    def wake(self) -> None:
        pass

    def close(self) -> None:
        pass


def make_worker(db, clock, told: list | None = None) -> SyncWorker:
    events = EventHub()
    if told is not None:
        events.subscribe("team.received", lambda e: told.extend(i.data["message"] for i in e.data["items"]))
    return SyncWorker(db, lambda: None, inbound.apply, inbound.apply_roster, events, clock, me="alex", team="red",
                      waker=NoWaker())


def test_a_gui_commit_during_a_batch_neither_loses_a_record_nor_its_notice(db, clock, before_insert):
    first, second = kudos_record(clock, "first kudos"), kudos_record(clock, "second kudos")
    told: list[str] = []
    worker = make_worker(db, clock, told)
    gui = GuiWriter(db, clock)

    def start_gui(table, values):
        if gui.thread is None and table == "kudos" and values.get("id") == second["id"]:
            gui.start()

    before_insert(start_gui)
    worker._apply_batch(hub.Batch([first, second], hub.Cursor("opaque-cursor-after-the-batch"), False))
    gui.join()
    assert [kudos_exists(db, r["id"]) for r in (first, second)] == [True, True]
    assert told == ["first kudos", "second kudos"]
    assert SettingsStore(db).get_state(hub.CURSOR_STATE) == {"token": "opaque-cursor-after-the-batch"}
    assert notifications(db) == 1


def test_a_savepoint_is_part_of_the_batch_transaction(db, clock):
    rec = kudos_record(clock)
    with pytest.raises(RuntimeError):
        with db.session() as s:
            assert inbound.apply(s, rec, "alex", clock.now()) is not None
            raise RuntimeError("the app dies before the batch (and its cursor) commits")
    with db.session() as s:
        assert s.get("kudos", rec["id"]) is None  # RELEASE did not commit it on its own
        assert inbound.apply(s, rec, "alex", clock.now()) is not None  # so it is told when it really lands


@pytest.fixture
def quick_db(tmp_path, monkeypatch):
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 200)
    database = open_database(tmp_path / "quick.sqlite")
    yield database
    database.close()


def test_a_locked_database_is_not_a_bad_record_the_batch_and_cursor_wait(quick_db):
    clock = FakeClock()
    db = quick_db
    a, b = kudos_record(clock, "one"), kudos_record(clock, "two")
    told: list[str] = []
    worker = make_worker(db, clock, told)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock longer than the busy timeout
    try:
        with pytest.raises(DatabaseLockedError):  # apply does not swallow it as "a record it could not apply"
            with db.session() as s:
                inbound.apply(s, a, "alex", clock.now())
        with pytest.raises(DatabaseError):
            worker._apply_batch(hub.Batch([a, b], hub.Cursor("opaque-cursor-after-the-batch"), False))
    finally:
        other.execute("ROLLBACK")
        other.close()
    with db.reading() as s:
        assert s.scalar("SELECT count(*) FROM kudos") == 0
    assert SettingsStore(db).get_state(hub.CURSOR_STATE) is None
    assert told == []
    worker._apply_batch(hub.Batch([a, b], hub.Cursor("opaque-cursor-after-the-batch"), False))  # the next round
    assert told == ["one", "two"]
    assert SettingsStore(db).get_state(hub.CURSOR_STATE) == {"token": "opaque-cursor-after-the-batch"}


def test_a_writer_waits_the_busy_timeout_for_another_writer(db, clock):
    other = sqlite3.connect(db.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.5, lambda: (other.execute("COMMIT"), other.close()))
    timer.start()
    with db.session() as s:
        s.scalar("SELECT count(*) FROM notifications")
        s.insert("notifications", {"kind": "info", "title": "t", "body": "b", "created_at": clock.now()})
    timer.join()
    assert notifications(db) == 1


def test_sql_parameters_never_reach_the_log(db, clock, caplog):
    private = "feeling-awful-4711"
    kid = str(uuid.uuid4())
    with db.session() as s:
        s.insert("kudos", {"id": kid, "sender": "dana", "recipient": "alex", "category": "helping",
                           "message": "hi", "team": "red", "sent_at": clock.now(), "received_at": clock.now()})

    def handler(request):  # a database error while handling a socket command: it is logged with a traceback
        with db.session() as s:
            s.insert("kudos", {"id": kid, "sender": "dana", "recipient": "alex", "category": "helping",
                               "message": private, "team": "red", "sent_at": clock.now(),
                               "received_at": clock.now()})
        return True, "ok", {}

    caplog.set_level(logging.DEBUG)
    answer = ipc.respond(b'{"v":1,"cmd":"call.start","ref":"4712"}\n', handler)
    assert b"internal error" in answer
    assert "IntegrityError" in caplog.text  # the error itself was logged ...
    assert private not in caplog.text      # ... without the values


def test_a_reading_session_neither_waits_for_a_writer_nor_blocks_one(db, clock):
    """Read-only paths (My week, export, the tray's counts, settings) take no write lock: a writer holding
    the lock does not stall them, and they do not stall the writer (the sync worker)."""
    import time

    other = sqlite3.connect(db.path, isolation_level=None, timeout=0.2)
    other.execute("BEGIN IMMEDIATE")  # a writer holds the lock
    try:
        started = time.monotonic()
        with db.reading() as s:
            assert s.scalar("SELECT count(*) FROM settings") >= 0
        assert time.monotonic() - started < 0.5
    finally:
        other.execute("ROLLBACK")
    with db.reading() as s:  # and a reader open while another connection writes and commits
        s.scalar("SELECT count(*) FROM settings")
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO settings (key, value, updated_at) VALUES ('x', '1', '2026-01-01')")
        other.execute("COMMIT")
    other.close()


def test_writing_in_a_reading_session_is_refused_and_nothing_is_stored(db):
    with pytest.raises(RuntimeError, match="reading session"):
        with db.reading() as s:
            s.insert("settings", {"key": "sneaky", "value": "1"})
    with db.reading() as s:
        assert s.get("settings", "sneaky", column="key") is None
