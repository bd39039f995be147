"""The local-socket protocol between ``companion`` commands and the running instance.

One request per connection: a single line of JSON, at most ``MAX_MESSAGE`` bytes, answered by one line.
    {"v": 1, "cmd": "call.start", "ref": "4711"}      -> {"ok": true, "message": "..."}
    {"v": 1, "cmd": "call.end", "tough": false}
    {"v": 1, "cmd": "reset", "minutes": 1, "pattern": "box"}
    {"v": 1, "cmd": "show"} | {"v": 1, "cmd": "status"}
Anything else gets {"ok": false, "error": "..."} and changes nothing.

The socket lives in a private per-user folder (see companion.paths), so other users cannot reach it.
The client below uses only the standard library: a ``companion call start`` from a softphone does not
load Qt.
"""
from __future__ import annotations

import json
import socket
import sys
from dataclasses import dataclass
from typing import Any

from companion.calls.refs import validate_ref
from companion.errors import InvalidInput, NotRunning
from companion.reset.patterns import MAX_MINUTES, MIN_MINUTES, PATTERNS

VERSION = 1
MAX_MESSAGE = 4096
TIMEOUT = 5.0
COMMANDS = ("call.start", "call.end", "reset", "show", "status")


@dataclass(frozen=True)
class Request:
    cmd: str
    args: dict[str, Any]


def encode(obj: dict[str, Any]) -> bytes:
    data = json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"
    if len(data) > MAX_MESSAGE:
        raise InvalidInput("message too long")
    return data


def parse_request(data: bytes) -> Request:
    """Validate one request line. Raises InvalidInput with a clear reason."""
    if len(data) > MAX_MESSAGE:
        raise InvalidInput(f"message longer than {MAX_MESSAGE} bytes")
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("message is not JSON") from None
    if not isinstance(obj, dict):
        raise InvalidInput("message must be a JSON object")
    if obj.get("v") != VERSION:
        raise InvalidInput(f"unsupported protocol version {obj.get('v')!r} (expected {VERSION})")
    cmd = obj.get("cmd")
    if cmd not in COMMANDS:
        raise InvalidInput(f"unknown command {cmd!r}")
    allowed = {"call.start": {"ref"}, "call.end": {"tough"}, "reset": {"minutes", "pattern"}}.get(cmd, set())
    extra = set(obj) - {"v", "cmd"} - allowed
    if extra:
        raise InvalidInput(f"unexpected field(s) for {cmd}: {', '.join(sorted(extra))}")
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
        minutes = obj.get("minutes", 1)
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise InvalidInput(f"minutes must be a whole number from {MIN_MINUTES} to {MAX_MINUTES}")
        pattern = obj.get("pattern")
        if pattern is not None and pattern not in PATTERNS:
            raise InvalidInput(f"unknown pattern {pattern!r}")
        args.update(minutes=minutes, pattern=pattern)
    return Request(cmd, args)


def reply(ok: bool, text: str, **extra: Any) -> bytes:
    body: dict[str, Any] = {"ok": ok, ("message" if ok else "error"): text[:1000]}
    body.update(extra)
    return encode(body)


def send(server_name: str, request: dict[str, Any], timeout: float = TIMEOUT) -> dict[str, Any]:
    """Send one request to the running instance and return its answer. Raises NotRunning."""
    payload = encode({"v": VERSION, **request})
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return _send_pipe(server_name, payload)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(server_name)
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise NotRunning("Agent Companion is not running (start it with `companion`).") from exc
        sock.sendall(payload)
        answer = _read_line(sock)
    except socket.timeout as exc:
        raise NotRunning("Agent Companion did not answer in time.") from exc
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
    except (UnicodeDecodeError, ValueError):
        raise NotRunning("Agent Companion answered with something unreadable.") from None
    if not isinstance(obj, dict) or "ok" not in obj:
        raise NotRunning("Agent Companion answered with something unreadable.")
    return obj


def _send_pipe(server_name: str, payload: bytes) -> dict[str, Any]:  # pragma: no cover - Windows
    path = "\\\\.\\pipe\\" + server_name
    try:
        with open(path, "r+b", buffering=0) as pipe:
            pipe.write(payload)
            answer = pipe.readline(MAX_MESSAGE + 1)
    except FileNotFoundError as exc:
        raise NotRunning("Agent Companion is not running (start it with `companion`).") from exc
    return _decode_answer(answer.rstrip(b"\n"))
