"""The local-socket protocol between ``companion`` commands and the running instance.

One request per connection: a single line of JSON, at most ``MAX_MESSAGE`` bytes, answered by one line.
    {"v": 1, "cmd": "call.start", "ref": "4711"}      -> {"ok": true, "message": "..."}
    {"v": 1, "cmd": "call.end", "tough": false}
    {"v": 1, "cmd": "reset", "minutes": 1, "pattern": "box"}
    {"v": 1, "cmd": "kudos"}                           (open the Send kudos dialog)
    {"v": 1, "cmd": "kudos.send", "to": "dana", "category": "helping", "message": "...", "ref": "4711"}
    {"v": 1, "cmd": "show"} | {"v": 1, "cmd": "show", "view": "week"} | {"v": 1, "cmd": "status"}
    {"v": 1, "cmd": "panel.show"}                      (bring the hidden checklist panel back, same call)
Anything else gets {"ok": false, "error": "..."} and changes nothing.

The socket lives in a private per-user folder (see companion.paths), so other users cannot reach it.
The client below uses only the standard library: a ``companion call start`` from a softphone does not
load Qt.
"""
from __future__ import annotations

import json
import logging
import socket
import sys
from dataclasses import dataclass
from typing import Any, Callable

from companion.calls.refs import validate_ref
from companion.errors import CompanionError, InvalidInput, NotRunning
from companion.reset.patterns import PATTERNS, validate_minutes

log = logging.getLogger(__name__)

VERSION = 1
MAX_MESSAGE = 4096
TIMEOUT = 5.0
COMMANDS = ("call.start", "call.end", "reset", "show", "status", "kudos", "kudos.send", "panel.show")
VIEWS = ("day", "week")  # show: open My day / My week
NOT_RUNNING = "Agent Companion is not running (start it with `companion`)."
NOT_ANSWERING = "Agent Companion is running but did not answer properly; see its log."

Handler = Callable[["Request"], tuple[bool, str, dict[str, Any]]]


@dataclass(frozen=True)
class Request:
    cmd: str
    args: dict[str, Any]


def _serialise(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"


def encode(obj: dict[str, Any]) -> bytes:
    data = _serialise(obj)
    if len(data) > MAX_MESSAGE:
        raise InvalidInput("message too long")
    return data


def parse_request(data: bytes) -> Request:
    """Validate one request line. Raises InvalidInput with a clear reason."""
    if len(data) > MAX_MESSAGE:
        raise InvalidInput(f"message longer than {MAX_MESSAGE} bytes")
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInput("message is not JSON") from None
    if not isinstance(obj, dict):
        raise InvalidInput("message must be a JSON object")
    version = obj.get("v")
    if type(version) is not int or version != VERSION:
        raise InvalidInput(f"unsupported protocol version {_short(version)} (expected {VERSION})")
    cmd = obj.get("cmd")
    if cmd not in COMMANDS:
        raise InvalidInput(f"unknown command {_short(cmd)}")
    allowed = {"call.start": {"ref"}, "call.end": {"tough"}, "reset": {"minutes", "pattern"},
               "kudos.send": {"to", "category", "message", "ref"}, "show": {"view"}}.get(cmd, set())
    extra = set(obj) - {"v", "cmd"} - allowed
    if extra:
        raise InvalidInput(f"unexpected field(s) for {cmd}: {_short(', '.join(sorted(extra)))}")
    args: dict[str, Any] = {}
    if cmd == "call.start":
        ref = obj.get("ref")
        if ref is not None and not isinstance(ref, str):
            raise InvalidInput("ref must be a string")
        args["ref"] = validate_ref(ref)
    elif cmd == "call.end":
        tough = obj.get("tough", False)
        if not isinstance(tough, bool):
            raise InvalidInput("tough must be true or false")
        args["tough"] = tough
    elif cmd == "reset":
        minutes = validate_minutes(obj.get("minutes", 1))
        pattern = obj.get("pattern")
        if pattern is not None and (not isinstance(pattern, str) or pattern not in PATTERNS):
            raise InvalidInput(f"unknown pattern {_short(pattern)}")
        args.update(minutes=minutes, pattern=pattern)
    elif cmd == "kudos.send":
        args.update(_kudos_args(obj))
    elif cmd == "show" and "view" in obj:
        if obj["view"] not in VIEWS:
            raise InvalidInput(f"unknown view {_short(obj['view'])} (day or week)")
        args["view"] = obj["view"]
    return Request(cmd, args)


def _kudos_args(obj: dict[str, Any]) -> dict[str, Any]:
    """The fields of a kudos sent from the command line (the core checks them again, with the roster)."""
    from companion.kudos.categories import category
    from companion.kudos.rules import validate_message
    from companion.team.names import validate_name

    ref = obj.get("ref")
    if ref is not None and not isinstance(ref, str):
        raise InvalidInput("ref must be a string")
    return {"to": validate_name(obj.get("to"), "The recipient (to)"), "category": category(obj.get("category")).key,
            "message": validate_message(obj.get("message")), "ref": validate_ref(ref)}


def _short(value: Any, limit: int = 40) -> str:
    """Quote a piece of someone else's input in an error, briefly: never echo it at length."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def reply(ok: bool, text: str, **extra: Any) -> bytes:
    """One answer line, always within MAX_MESSAGE (the text is shortened if it has to be)."""
    text = text[:1000]
    while True:
        body: dict[str, Any] = {**extra, "ok": ok, ("message" if ok else "error"): text}
        data = _serialise(body)
        if len(data) <= MAX_MESSAGE:
            return data
        if not text and extra:
            extra = {}
        text = text[: len(text) // 2]


def respond(line: bytes, handler: Handler) -> bytes:
    """The server side of one request: validate, dispatch, answer. Always returns an answer line."""
    try:
        request = parse_request(line)
    except CompanionError as exc:
        log.warning("refused a local-socket message: %s", exc)
        return reply(False, str(exc))
    try:
        ok, text, extra = handler(request)
        return reply(ok, text, **extra)
    except CompanionError as exc:
        log.info("refused %s: %s", request.cmd, exc)
        return reply(False, str(exc))
    except Exception:
        log.exception("local-socket command %s failed", request.cmd)
        return reply(False, "Agent Companion hit an internal error; see its log.")


class NotAnswering(NotRunning):
    """Something holds the socket but does not answer (busy, hung, or gone mid-answer): the CLI's exit status
    is still 3, but unlike NotRunning it does not mean "nobody runs here" (``companion migrate`` refuses)."""


def send(server_name: str, request: dict[str, Any], timeout: float = TIMEOUT) -> dict[str, Any]:
    """Send one request to the running instance and return its answer. Raises NotRunning (NotAnswering when
    something is there but does not answer)."""
    payload = encode({"v": VERSION, **request})
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return _send_pipe(server_name, payload)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(server_name)
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise NotRunning(NOT_RUNNING) from exc
        sock.sendall(payload)
        answer = _read_line(sock)
    # A full backlog refuses a Unix-socket connect with EAGAIN at once (BlockingIOError): the app is there but
    # busy. A reset or broken pipe is an app that went away mid-answer. Both are "not answering" (exit 3).
    except (socket.timeout, BlockingIOError, ConnectionResetError, BrokenPipeError) as exc:
        raise NotAnswering(NOT_ANSWERING) from exc
    finally:
        sock.close()
    return _decode_answer(answer)


def _read_line(sock: socket.socket) -> bytes:
    chunks = bytearray()
    while b"\n" not in chunks and len(chunks) <= MAX_MESSAGE:
        chunk = sock.recv(MAX_MESSAGE)
        if not chunk:
            break
        chunks.extend(chunk)
    return bytes(chunks.split(b"\n", 1)[0])


def _decode_answer(answer: bytes) -> dict[str, Any]:
    try:
        obj = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotAnswering(NOT_ANSWERING) from None
    if not isinstance(obj, dict) or "ok" not in obj:
        raise NotAnswering(NOT_ANSWERING)
    return obj


def _send_pipe(server_name: str, payload: bytes) -> dict[str, Any]:  # pragma: no cover - Windows
    path = "\\\\.\\pipe\\" + server_name
    try:
        with open(path, "r+b", buffering=0) as pipe:
            pipe.write(payload)
            answer = pipe.readline(MAX_MESSAGE + 1)
    except FileNotFoundError as exc:
        raise NotRunning(NOT_RUNNING) from exc
    return _decode_answer(answer.rstrip(b"\n"))
