import pytest

from companion.calls.refs import validate_ref
from companion.errors import InvalidInput
from tests.fakes import START


def calls(db):
    with db.reading() as s:
        return s.all("SELECT * FROM calls ORDER BY started_at")


def test_call_records_handle_time(desk, clock, db):
    desk.start_call("4711")
    assert desk.state() == "on_call" and desk.calls.current_ref == "4711"
    clock.advance(185.5)
    summary = desk.end_call()
    assert summary.handle_seconds == pytest.approx(185.5) and not summary.offer_reset
    (row,) = calls(db)
    assert (row.ref, row.handle_seconds, row.tough, row.started_at) == ("4711", 185.5, False, START)
    assert (row.ended_at - row.started_at).total_seconds() == 185.5
    assert desk.state() == "ready"


def test_open_call_is_in_the_database_before_it_ends(desk, db):
    desk.start_call()
    (row,) = calls(db)
    assert row.ended_at is None and row.ref is None


def test_handle_time_ignores_wall_clock_changes(desk, clock, db):
    desk.start_call()
    clock.advance(60)
    clock.jump_wall_clock(-3600)
    clock.advance(60)
    assert desk.end_call().handle_seconds == pytest.approx(120)


def test_long_call_offers_reset(desk, clock):
    desk.start_call()
    clock.advance(8 * 60)
    assert desk.end_call().offer_reset


def test_short_tough_call_offers_reset(desk, clock):
    desk.start_call()
    clock.advance(30)
    summary = desk.end_call(tough=True)
    assert summary.offer_reset and summary.tough


def test_threshold_follows_settings(desk, clock):
    desk.save_settings(desk.settings().with_changes(long_call_minutes=2))
    desk.start_call()
    clock.advance(121)
    assert desk.end_call().offer_reset
    desk.save_settings(desk.settings().with_changes(offer_reset_after_calls=False))
    desk.start_call()
    clock.advance(600)
    assert not desk.end_call(tough=True).offer_reset


def test_end_without_call_is_refused(desk, db):
    with pytest.raises(InvalidInput, match="No call"):
        desk.end_call()
    assert calls(db) == []


def test_repeated_start_with_same_ref_is_one_call(desk, db):
    first = desk.start_call("A1")
    again = desk.start_call("A1")
    assert (first.outcome, again.outcome, again.id) == ("started", "continued", first.id)
    assert len(calls(db)) == 1


def test_new_call_while_on_call_ends_the_first(desk, clock, db):
    desk.start_call("A1")
    clock.advance(10)
    replaced = desk.start_call("B2")
    assert (replaced.outcome, replaced.previous_ref) == ("replaced", "A1")
    first, second = calls(db)
    assert first.handle_seconds == 10 and second.ended_at is None and desk.calls.current_ref == "B2"


def test_abandoned_calls_are_closed_on_start(db, clock, notifier):
    from companion.desk import Desk
    from companion.notify.base import NotifierChain

    desk = Desk(db, clock, NotifierChain([notifier]))
    desk.start_call("X")
    clock.advance(5)
    Desk(db, clock, NotifierChain([notifier]))  # the app restarted mid-call
    (row,) = calls(db)
    assert row.ended_at is not None and row.handle_seconds is None


@pytest.mark.parametrize("ref", ["", None, "4711", "case-12/AB:3", "x" * 64])
def test_valid_refs(ref):
    assert validate_ref(ref) == (ref or None)


@pytest.mark.parametrize("ref", ["x" * 65, "-rf", "<b>x</b>", "a b", "4711\n", "ünï"])
def test_bad_refs_are_refused(desk, db, ref):
    with pytest.raises(InvalidInput, match="call reference"):
        desk.start_call(ref)
    assert calls(db) == [] and desk.state() == "ready"


# -- review of the merged app (finding 12): a card number is never a call reference -------------------------
CARDS = ["4111111111111111", "4111-1111-1111-1111", "case-5500000000000004", "378282246310005"]


@pytest.mark.parametrize("ref", CARDS)
def test_card_numbers_are_refused_as_call_references(desk, db, ref):
    with pytest.raises(InvalidInput, match="card number"):
        validate_ref(ref)
    with pytest.raises(InvalidInput, match="card number"):
        desk.start_call(ref)  # the tray and the socket start calls through the desk
    assert calls(db) == [] and desk.state() == "ready"


def test_card_numbers_are_refused_by_the_cli_and_the_socket(capsys):
    import json

    from companion import cli, ipc

    with pytest.raises(SystemExit) as exc:
        cli.main(["call", "start", "--ref", CARDS[0]])
    assert exc.value.code == 2 and "card number" in capsys.readouterr().err
    with pytest.raises(InvalidInput, match="card number"):
        ipc.parse_request(json.dumps({"v": 1, "cmd": "call.start", "ref": CARDS[1]}).encode())
    assert validate_ref("4111111111111112") == "4111111111111112"  # not Luhn-valid: an order number
