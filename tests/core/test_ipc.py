import json
import os
import socket
import threading

import pytest
from hypothesis import given, settings, strategies as st

from companion import ipc
from companion.errors import InvalidInput, NotRunning


def req(**obj):
    return json.dumps({"v": 1, **obj}).encode()


@pytest.mark.parametrize("obj, expected", [
    ({"cmd": "call.start"}, ("call.start", {"ref": None})),
    ({"cmd": "call.start", "ref": "4711"}, ("call.start", {"ref": "4711"})),
    ({"cmd": "call.end"}, ("call.end", {"tough": False})),
    ({"cmd": "call.end", "tough": True}, ("call.end", {"tough": True})),
    ({"cmd": "reset"}, ("reset", {"minutes": 1, "pattern": None})),
    ({"cmd": "reset", "minutes": 5, "pattern": "478"}, ("reset", {"minutes": 5, "pattern": "478"})),
    ({"cmd": "status"}, ("status", {})),
    ({"cmd": "show"}, ("show", {})),
    ({"cmd": "show", "view": "week"}, ("show", {"view": "week"})),
    ({"cmd": "show", "view": "day"}, ("show", {"view": "day"})),
    ({"cmd": "panel.show"}, ("panel.show", {})),
])
def test_valid_requests(obj, expected):
    request = ipc.parse_request(req(**obj))
    assert (request.cmd, request.args) == expected


@pytest.mark.parametrize("data, reason", [
    (b"", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1,2]", "JSON object"),
    (json.dumps({"cmd": "status"}).encode(), "protocol version"),
    (req(cmd="rm -rf"), "unknown command"),
    (req(cmd="call.start", ref=12), "ref must be a string"),
    (req(cmd="call.start", ref="<script>"), "call reference"),
    (req(cmd="call.end", tough="yes"), "true or false"),
    (req(cmd="reset", minutes=0), "minutes"),
    (req(cmd="reset", minutes=2.5), "minutes"),
    (req(cmd="reset", minutes=True), "minutes"),
    (req(cmd="reset", pattern="yoga"), "unknown pattern"),
    (req(cmd="status", extra=1), "unexpected field"),
    (req(cmd="show", view="year"), "unknown view"),
    (req(cmd="show", view=["week"]), "unknown view"),
    (req(cmd="status", view="week"), "unexpected field"),
    (b"{" + b" " * 5000 + b"}", "longer than"),
    (b"[" * 3000, "not JSON"),
    (req(cmd="reset", minutes="5"), "whole number"),
    (json.dumps({"v": True, "cmd": "status"}).encode(), "protocol version"),
])
def test_malformed_requests_are_refused_clearly(data, reason):
    with pytest.raises(InvalidInput, match=reason):
        ipc.parse_request(data)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=600), st.text(max_size=300).map(str.encode),
                 st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.booleans(), st.integers(),
                                                                st.text(max_size=20)), max_size=4)
                 .map(lambda d: json.dumps({"v": 1, **d}).encode())))
def test_any_input_is_either_a_valid_request_or_invalid_input(data):
    try:
        request = ipc.parse_request(data)
    except InvalidInput:
        return
    assert request.cmd in ipc.COMMANDS


def ok_handler(request):
    return True, f"did {request.cmd}", {"args": request.args}


def test_errors_never_echo_input_at_length():
    answer = ipc.respond(req(cmd="\u00e9" * 600), ok_handler)
    assert len(answer) < 300 and b"unknown command" in answer


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=ipc.MAX_MESSAGE), st.text(max_size=2000).map(str.encode),
                 st.builds(lambda cmd, ref: req(cmd=cmd, ref=ref), st.sampled_from(ipc.COMMANDS + ("x",)),
                           st.text(max_size=3000))))
def test_every_request_line_gets_one_short_json_answer(data):
    answer = ipc.respond(data, ok_handler)
    assert answer.endswith(b"\n") and len(answer) <= ipc.MAX_MESSAGE
    assert isinstance(json.loads(answer)["ok"], bool)


def test_handler_crashes_become_an_answer(caplog):
    def broken(request):
        raise RuntimeError("boom")

    answer = json.loads(ipc.respond(req(cmd="status"), broken))
    assert answer == {"ok": False, "error": "Agent Companion hit an internal error; see its log."}
    assert "boom" in caplog.text


def test_send_without_a_running_instance(tmp_path):
    with pytest.raises(NotRunning, match="not running"):
        ipc.send(str(tmp_path / "nobody.sock"), {"cmd": "status"})


def test_round_trip_over_a_unix_socket(tmp_path):
    path = str(tmp_path / "s.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    seen = []

    def serve():
        conn, _ = server.accept()
        with conn:
            line = conn.recv(ipc.MAX_MESSAGE).split(b"\n")[0]
            seen.append(ipc.parse_request(line))
            conn.sendall(ipc.reply(True, "fine", extra=1))

    thread = threading.Thread(target=serve)
    thread.start()
    answer = ipc.send(path, {"cmd": "call.start", "ref": "9"})
    thread.join(5)
    server.close()
    assert answer == {"ok": True, "message": "fine", "extra": 1}
    assert seen[0].args == {"ref": "9"}


def test_garbage_answer_is_reported(tmp_path):
    path = str(tmp_path / "g.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.recv(100)
            conn.sendall(b"not json\n")

    thread = threading.Thread(target=serve)
    thread.start()
    with pytest.raises(NotRunning, match="did not answer properly"):
        ipc.send(path, {"cmd": "status"})
    thread.join(5)
    server.close()


def test_socket_lives_in_a_private_folder():
    from companion.paths import Paths

    name = Paths(__import__("pathlib").Path("/tmp/x")).server_name
    folder = os.path.dirname(name)
    assert os.stat(folder).st_mode & 0o777 == 0o700
    assert len(name) < 100  # AF_UNIX path limit


def test_a_handler_answer_that_cannot_be_sent_still_gets_a_reply():
    def odd(request):
        return True, "fine", {"ok": "overridden?", "value": object()}

    answer = json.loads(ipc.respond(req(cmd="status"), odd))
    assert answer == {"ok": False, "error": "Agent Companion hit an internal error; see its log."}

    def sneaky(request):
        return False, "no", {"ok": True}

    assert json.loads(ipc.respond(req(cmd="status"), sneaky))["ok"] is False  # extra cannot override ok


# -- kudos (issue 3) --------------------------------------------------------------------------------
def test_kudos_requests():
    assert ipc.parse_request(req(cmd="kudos")) == ipc.Request("kudos", {})
    request = ipc.parse_request(req(cmd="kudos.send", to="dana", category="teamwork", message=" <b>x</b> ",
                                    ref="4711"))
    assert request.args == {"to": "dana", "category": "teamwork", "message": "<b>x</b>", "ref": "4711"}
    assert ipc.parse_request(req(cmd="kudos.send", to="dana", category="helping", message="hi")).args["ref"] is None


@pytest.mark.parametrize("obj, reason", [
    ({"cmd": "kudos", "to": "dana"}, "unexpected field"),
    ({"cmd": "kudos.send", "category": "helping", "message": "hi"}, "recipient"),
    ({"cmd": "kudos.send", "to": "Dana Scully", "category": "helping", "message": "hi"}, "recipient"),
    ({"cmd": "kudos.send", "to": "dana", "category": "kind", "message": "hi"}, "Unknown kudos category"),
    ({"cmd": "kudos.send", "to": "dana", "category": "helping"}, "must be text"),
    ({"cmd": "kudos.send", "to": "dana", "category": "helping", "message": "x" * 281}, "at most 280"),
    ({"cmd": "kudos.send", "to": "dana", "category": "helping", "message": "4111 1111 1111 1111"}, "card number"),
    ({"cmd": "kudos.send", "to": "dana", "category": "helping", "message": "a\u202eb"}, "direction"),
    ({"cmd": "kudos.send", "to": "dana", "category": "helping", "message": "hi", "ref": 4711}, "ref must be"),
    ({"cmd": "kudos.send", "to": "dana", "category": "helping", "message": "hi", "ref": "a b"}, "call reference"),
    ({"cmd": "kudos.send", "to": "dana", "category": "helping", "message": "hi", "from": "x"}, "unexpected"),
])
def test_malformed_kudos_requests_are_refused_clearly(obj, reason):
    with pytest.raises(InvalidInput, match=reason):
        ipc.parse_request(req(**obj))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "to": st.one_of(st.none(), st.integers(), st.text(max_size=70), st.sampled_from(["dana", "sam", "a"])),
    "category": st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["helping", "teamwork"])),
    "message": st.one_of(st.none(), st.booleans(), st.text(max_size=400),
                         st.sampled_from(["<b>x</b>", "\u202e", "4111111111111111", "ok"])),
    "ref": st.one_of(st.none(), st.integers(), st.text(max_size=70))}))
def test_any_kudos_request_is_valid_or_refused_with_invalid_input(fields):
    try:
        request = ipc.parse_request(req(cmd="kudos.send", **fields))
    except InvalidInput as exc:
        assert str(exc)
        return
    assert set(request.args) == {"to", "category", "message", "ref"} and len(request.args["message"]) <= 280
