"""My week figures (SQL aggregation) and export / delete of my data."""
import csv
import io
import json
import os
import zipfile
from datetime import timedelta

import pytest

from companion import mydata
from companion.errors import InvalidInput
from companion.week import summarise_week, week_bounds


def a_call(desk, clock, ticks, seconds=60, outcome=None):
    desk.start_call()
    for key in ticks:
        desk.checklists.tick(key)
    clock.advance(seconds)
    desk.end_call()
    if outcome:
        desk.checklists.set_outcome(desk.checklists.last_saved.id, outcome, None)


def add_kudos(db, clock, sender, recipient, days_ago=0):
    with db.session() as s:
        s.insert("kudos", {"sender": sender, "recipient": recipient, "category": "helping",
                           "message": "thanks <b>!</b>", "sent_at": clock.now() - timedelta(days=days_ago),
                           "created_at": clock.now(), "updated_at": clock.now()})


def test_week_bounds_are_seven_local_days():
    from datetime import datetime, timezone

    bounds = week_bounds(datetime(2026, 11, 23, 12, tzinfo=timezone.utc))
    assert len(bounds) == 8 and all(b.tzinfo is not None for b in bounds)
    assert bounds[-1] - bounds[0] == timedelta(days=7) or bounds[-1] - bounds[0] in (
        timedelta(days=7, hours=1), timedelta(days=7, hours=-1))  # a DST change in the week


def test_week_counts_calls_scores_items_resets_and_kudos(desk, clock):
    desk.save_settings(desk.settings().with_changes(agent_name="sam"))
    clock.advance(-3 * 86400)  # three days ago
    a_call(desk, clock, ["greet", "listen"], outcome="positive")
    clock.advance(3 * 86400)
    a_call(desk, clock, ["greet"], seconds=120, outcome="negative")
    a_call(desk, clock, [], seconds=30)
    desk.start_reset(1, "box", "tray")
    for _ in range(2):  # the reset window ticks; a long silent gap would mean a suspend
        clock.advance(10)
        desk.finish_reset_if_due()
    desk.end_reset()
    add_kudos(desk.db, clock, "sam", "alex")
    add_kudos(desk.db, clock, "alex", "sam")
    add_kudos(desk.db, clock, "jo", "sam")
    add_kudos(desk.db, clock, "sam", "alex", days_ago=9)  # last week: not counted
    texts = {i.key: i.text for i in desk.checklists.templates.active().template.items}
    week = summarise_week(desk.db, clock.now(), "sam", texts)
    assert [d.calls for d in week.days] == [0, 0, 0, 1, 0, 0, 2]
    assert week.days[-1].average_handle == 75.0 and week.days[-1].resets == 1
    assert week.days[-1].reset_seconds == 20.0
    assert week.days[3].average_score == 0.25 and week.days[-1].average_score == pytest.approx(1 / 16)
    assert (week.calls, week.resets, week.runs) == (3, 1, 3)
    assert week.average_score == pytest.approx((0.25 + 0.125 + 0) / 3)
    assert (week.kudos_sent, week.kudos_received) == (1, 2)
    assert week.outcomes == {"positive": 1, "negative": 1}
    greet, listen = week.items[0], week.items[1]
    assert greet.key == "greet" and greet.text == texts["greet"] and greet.runs == 3
    assert greet.per_day == (None, None, None, 1.0, None, None, 0.5) and greet.week == pytest.approx(2 / 3)
    assert listen.per_day[3] == 1.0 and listen.per_day[-1] == 0.0
    assert [i.key for i in week.items] == list(texts)  # the template's order
    assert summarise_week(desk.db, clock.now(), "", texts).kudos_sent == 0  # no name: no kudos of mine


def fill(desk, clock):
    desk.save_settings(desk.settings().with_changes(agent_name="sam"))
    a_call(desk, clock, ["greet"], outcome="neutral")
    desk.start_reset(1, "box", "tray")
    desk.resets.set_mood_before(2)
    for _ in range(6):
        clock.advance(10)
        desk.finish_reset_if_due()
    add_kudos(desk.db, clock, "sam", "alex")
    add_kudos(desk.db, clock, "alex", "sam")
    add_kudos(desk.db, clock, "alex", "jo")  # not mine: stays
    now = clock.now()
    with desk.db.session() as s:
        s.insert("obstacles", {"author": "sam", "mine": True, "anonymous": False, "category": "tools",
                               "text": "=HYPERLINK(\"x\")", "logged_at": now, "status": "open", "created_at": now,
                               "updated_at": now})
        s.insert("obstacles", {"author": "jo", "mine": False, "anonymous": False, "category": "tools",
                               "text": "theirs", "logged_at": now, "status": "open", "created_at": now,
                               "updated_at": now})
        s.insert("teammates", {"name": "alex", "display_name": "Alex", "created_at": now, "updated_at": now})
    desk.notifications.post("info", "Hello", "world")


def test_export_zip_and_folder_hold_everything_personal(desk, clock, tmp_path):
    fill(desk, clock)
    target = mydata.export(desk.db, "sam", tmp_path / "mine.zip", clock.now())
    assert os.stat(target).st_mode & 0o777 == 0o600
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        doc = json.loads(archive.read("my-data.json"))
        obstacles = list(csv.DictReader(io.StringIO(archive.read("obstacles.csv").decode())))
        kudos = list(csv.DictReader(io.StringIO(archive.read("kudos.csv").decode())))
    assert names == {"my-data.json", *(f"{p.name}.csv" for p in mydata.PARTS)}
    assert doc["format"] == mydata.FORMAT and doc["version"] == 1
    assert len(doc["calls"]) == 1 and len(doc["checklist_runs"]) == 1 and len(doc["checklist_run_items"]) == 8
    assert doc["checklist_runs"][0]["outcome"] == "neutral"
    assert doc["resets"][0]["mood_before"] == 2
    assert sorted((k["sender"], k["recipient"]) for k in doc["kudos"]) == [("alex", "sam"), ("sam", "alex")]
    assert [o["text"] for o in doc["obstacles"]] == ['=HYPERLINK("x")']
    assert obstacles[0]["text"] == "'=HYPERLINK(\"x\")"  # no formula in a spreadsheet
    assert len(kudos) == 2 and {n["title"] for n in doc["notifications"]} >= {"Hello"}
    folder = mydata.export(desk.db, "sam", tmp_path / "folder", clock.now())
    assert json.loads((folder / "my-data.json").read_text()) == {**doc, "exported_at": doc["exported_at"]}
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(InvalidInput, match="is a file"):
        mydata.export(desk.db, "sam", tmp_path / "a-file", clock.now())


def test_the_export_has_every_column_of_its_tables(db):
    """The exported columns are listed by hand (mydata.PARTS): a column added to the schema must be added there."""
    with db.reading() as s:
        for part in mydata.PARTS:
            assert set(part.columns) == {c.name for c in s.all(f"PRAGMA table_info({part.table})")}, part.name


def test_delete_removes_personal_rows_in_one_go_and_keeps_settings_roster_templates(desk, clock):
    fill(desk, clock)
    before = mydata.counts(desk.db, "sam")
    assert before == {"calls": 1, "checklist_runs": 1, "checklist_run_items": 8, "resets": 1, "kudos": 2,
                      "obstacles": 1, "obstacle_votes": 0, "breath_answers": 0,
                      "notifications": before["notifications"]} and before["notifications"] >= 1
    assert mydata.describe(before)[0] == "1 calls"
    removed = mydata.delete_all(desk.db, "sam")
    assert removed == before
    assert mydata.counts(desk.db, "sam") == {k: 0 for k in before}
    with desk.db.reading() as s:
        for table, expected in (("kudos", 1), ("obstacles", 1), ("teammates", 1), ("checklist_templates", 1)):
            assert s.scalar(f"SELECT count(*) FROM {table}") == expected, table
        assert s.get("settings", "agent_name", column="key") is not None
        for table in ("calls", "checklist_runs", "checklist_run_items", "resets", "notifications"):
            assert s.scalar(f"SELECT count(*) FROM {table}") == 0, table
    assert desk.settings().agent_name == "sam"


def test_delete_is_refused_during_a_call_and_is_all_or_nothing(desk, clock, monkeypatch):
    fill(desk, clock)
    with pytest.raises(InvalidInput, match="on a call"):
        mydata.delete_all(desk.db, "sam", on_call=True)
    before = mydata.counts(desk.db, "sam")
    original = mydata.PARTS
    broken = mydata.Part("broken", "broken", "no_such_table", ("id",))  # fails half-way through
    monkeypatch.setattr(mydata, "PARTS", (*original, broken))
    with pytest.raises(Exception):
        mydata.delete_all(desk.db, "sam")
    monkeypatch.setattr(mydata, "PARTS", original)
    assert mydata.counts(desk.db, "sam") == before


# -- review of the merged app (findings 3 and 4) ------------------------------------------------------------
THEIRS = "11111111-1111-1111-1111-111111111111"


def team_desk(desk, clock):
    """alex on a hub: a kudos sent, an anonymous obstacle logged, a +1 on sam's obstacle, a deep breath
    joined; all of it waiting in the outbox."""
    from datetime import timedelta as td

    from tests.core.team_helpers import add_mates, join_hub, name_me

    name_me(desk, "alex")
    add_mates(desk, "dana", "sam", "lea")
    join_hub(desk, team="blue")
    desk.kudos.send("dana", "helping", "thanks for covering")
    desk.obstacles.log("rights", "I cannot refund without a transfer", anonymous=True)
    now = clock.now()
    with desk.db.session() as s:
        s.insert("obstacles", {"id": THEIRS, "author": "sam", "mine": False, "anonymous": False, "category": "tools",
                               "text": "slow CRM", "team": "blue", "logged_at": now, "status": "open",
                               "created_at": now, "updated_at": now})
        s.insert("broadcasts", {"id": "22222222-2222-2222-2222-222222222222", "sender": "lea", "team": "blue",
                                "sent_at": now, "expires_at": now + td(minutes=10), "created_at": now,
                                "updated_at": now})
    desk.obstacles.vote(THEIRS)
    desk.breath.join("22222222-2222-2222-2222-222222222222")


def test_deleted_records_are_not_pushed_later_and_pushed_payloads_are_cleared(desk, clock):
    from companion.team import outbox

    team_desk(desk, clock)
    with desk.db.session() as s:
        kinds = sorted(i.kind for i in outbox.pending(s))
        assert kinds == ["breath_join", "kudos", "obstacle", "obstacle_vote"]
        first = outbox.pending(s)[0]
        outbox.mark_pushed(s, [first.id], clock.now())  # the kudos already reached the hub
    mydata.delete_all(desk.db, "alex")
    with desk.db.reading() as s:
        assert outbox.pending(s) == []  # nothing of what was deleted is pushed afterwards
        assert outbox.waiting(s) == 0
        for item in s.all("SELECT * FROM outbox"):
            assert "thanks for covering" not in item.payload and "refund" not in item.payload


def test_my_plus_ones_and_deep_breath_answers_are_exported_and_deleted(desk, clock):
    team_desk(desk, clock)
    data = mydata.collect(desk.db, "alex")
    assert [v["obstacle_id"] for v in data["obstacle_votes"]] == [THEIRS]
    assert [(b["sender"], b["response"]) for b in data["breath_answers"]] == [("lea", "joined")]
    counts = mydata.counts(desk.db, "alex")
    assert counts["obstacle_votes"] == 1 and counts["breath_answers"] == 1
    assert "1 +1s you gave" in mydata.describe(counts)
    removed = mydata.delete_all(desk.db, "alex")
    assert removed["obstacle_votes"] == 1 and removed["breath_answers"] == 1
    with desk.db.reading() as s:
        assert s.scalar("SELECT count(*) FROM obstacle_votes") == 0
        assert s.scalar("SELECT count(*) FROM broadcasts") == 0
        assert s.get("obstacles", THEIRS) is not None  # sam's obstacle is not mine: it stays


def test_delete_is_refused_while_a_reset_runs(desk, clock):
    desk.start_call("4711")
    clock.advance(60)
    summary = desk.end_call(tough=True)
    desk.start_reset(1, None, "after_call", call_id=summary.id)
    before = mydata.counts(desk.db, "")
    with pytest.raises(InvalidInput, match="reset is running"):
        mydata.delete_all(desk.db, "", in_reset=desk.resets.current is not None)
    assert mydata.counts(desk.db, "") == before


def test_delete_my_data_waits_for_a_delivery_and_gives_up_clearly(db):
    import threading
    from datetime import datetime, timezone

    with db.session() as s:
        s.insert("calls", {"ref": "x", "started_at": datetime.now(timezone.utc)})
    delivery = threading.Lock()
    delivery.acquire()  # the sync worker is pushing a batch to the hub
    try:
        with pytest.raises(InvalidInput, match="delivering to your team hub.*Try again"):
            mydata.delete_all(db, "sam", delivery=delivery, wait=0.05)
    finally:
        delivery.release()
    with db.reading() as s:
        assert s.scalar("SELECT count(*) FROM calls") == 1  # nothing was deleted
    assert mydata.delete_all(db, "sam", delivery=delivery)["calls"] == 1
    assert not delivery.locked()  # and the lock is given back
