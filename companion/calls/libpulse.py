"""A minimal ctypes binding to libpulse: only what call detection needs (issue 13, memory).

It replaces ``pulsectl`` (1.7 MB of bindings, plus ``subprocess`` through ``ctypes.util.find_library``): the
library is loaded by its soname, and only these calls are declared: a plain ``pa_mainloop`` run on the
caller's thread, a context connected without autospawn, a subscription to source and source-output events,
and the introspection of sources (name) and source outputs (source, corked flag, three properties). It never
creates a stream, so it cannot record or read audio.
"""
from __future__ import annotations

import ctypes
import threading
import time
from ctypes import CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_uint8, c_uint32, c_uint64, c_void_p
from dataclasses import dataclass, field

PA_CHANNELS_MAX = 32
# pa_context_state_t
_READY, _FAILED, _TERMINATED = 4, 5, 6
_OP_RUNNING = 0
_NOAUTOSPAWN = 1
_MASK_SOURCE, _MASK_SOURCE_OUTPUT = 0x0002, 0x0008
PROPS = ("application.name", "application.process.binary", "application.process.id")


class PulseError(Exception):
    """Cannot connect, or the connection to the sound server was lost."""


class _SampleSpec(Structure):
    _fields_ = [("format", c_int), ("rate", c_uint32), ("channels", c_uint8)]


class _ChannelMap(Structure):
    _fields_ = [("channels", c_uint8), ("map", c_int * PA_CHANNELS_MAX)]


class _SourceOutputInfo(Structure):  # the leading fields of pa_source_output_info, up to ``corked``
    _fields_ = [("index", c_uint32), ("name", c_char_p), ("owner_module", c_uint32), ("client", c_uint32),
                ("source", c_uint32), ("sample_spec", _SampleSpec), ("channel_map", _ChannelMap),
                ("buffer_usec", c_uint64), ("source_usec", c_uint64), ("resample_method", c_char_p),
                ("driver", c_char_p), ("proplist", c_void_p), ("corked", c_int)]


class _SourceInfo(Structure):  # the leading fields of pa_source_info
    _fields_ = [("name", c_char_p), ("index", c_uint32)]


class _ServerInfo(Structure):  # the leading fields of pa_server_info
    _fields_ = [("user_name", c_char_p), ("host_name", c_char_p), ("server_version", c_char_p),
                ("server_name", c_char_p)]


_STATE_CB = CFUNCTYPE(None, c_void_p, c_void_p)
_SUBSCRIBE_CB = CFUNCTYPE(None, c_void_p, c_int, c_uint32, c_void_p)
_SOURCE_OUTPUT_CB = CFUNCTYPE(None, c_void_p, POINTER(_SourceOutputInfo), c_int, c_void_p)
_SOURCE_CB = CFUNCTYPE(None, c_void_p, POINTER(_SourceInfo), c_int, c_void_p)
_SERVER_CB = CFUNCTYPE(None, c_void_p, POINTER(_ServerInfo), c_void_p)

_lib: ctypes.CDLL | None = None


def load() -> ctypes.CDLL:
    """libpulse.so.0, with the signatures used here (OSError when it is not installed)."""
    global _lib
    if _lib is not None:
        return _lib
    lib = ctypes.CDLL("libpulse.so.0")
    sigs = {
        "pa_mainloop_new": (c_void_p, []),
        "pa_mainloop_free": (None, [c_void_p]),
        "pa_mainloop_get_api": (c_void_p, [c_void_p]),
        "pa_mainloop_prepare": (c_int, [c_void_p, c_int]),
        "pa_mainloop_poll": (c_int, [c_void_p]),
        "pa_mainloop_dispatch": (c_int, [c_void_p]),
        "pa_mainloop_wakeup": (None, [c_void_p]),
        "pa_context_new": (c_void_p, [c_void_p, c_char_p]),
        "pa_context_unref": (None, [c_void_p]),
        "pa_context_connect": (c_int, [c_void_p, c_char_p, c_int, c_void_p]),
        "pa_context_disconnect": (None, [c_void_p]),
        "pa_context_get_state": (c_int, [c_void_p]),
        "pa_context_errno": (c_int, [c_void_p]),
        "pa_strerror": (c_char_p, [c_int]),
        "pa_context_set_state_callback": (None, [c_void_p, _STATE_CB, c_void_p]),
        "pa_context_set_subscribe_callback": (None, [c_void_p, _SUBSCRIBE_CB, c_void_p]),
        "pa_context_subscribe": (c_void_p, [c_void_p, c_uint32, c_void_p, c_void_p]),
        "pa_context_get_server_info": (c_void_p, [c_void_p, _SERVER_CB, c_void_p]),
        "pa_context_get_source_info_list": (c_void_p, [c_void_p, _SOURCE_CB, c_void_p]),
        "pa_context_get_source_output_info_list": (c_void_p, [c_void_p, _SOURCE_OUTPUT_CB, c_void_p]),
        "pa_operation_get_state": (c_int, [c_void_p]),
        "pa_operation_unref": (None, [c_void_p]),
        "pa_proplist_gets": (c_char_p, [c_void_p, c_char_p]),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    _lib = lib
    return lib


def _text(value: bytes | None) -> str:
    return value.decode("utf-8", "replace") if value else ""


@dataclass
class Source:
    index: int
    name: str


@dataclass
class SourceOutput:
    index: int
    name: str
    source: int
    corked: bool
    proplist: dict[str, str] = field(default_factory=dict)


class Connection:
    """One context on a private ``pa_mainloop`` that runs on the thread calling ``connect``/``wait``.

    ``wakeup`` is the only method safe to call from another thread."""

    def __init__(self, client_name: str) -> None:
        self._pa = load()
        self._ml = self._pa.pa_mainloop_new()
        self._ctx = self._pa.pa_context_new(self._pa.pa_mainloop_get_api(self._ml), client_name.encode())
        self.changed = True  # a source or source output changed since the last listing
        self._closed = False
        self._lock = threading.Lock()  # wakeup (other thread) vs close (freeing the loop)
        # ctypes callbacks live as long as the connection
        self._state_cb = _STATE_CB(lambda _c, _u: None)  # only to wake the loop
        self._subscribe_cb = _SUBSCRIBE_CB(self._on_event)
        self._pa.pa_context_set_state_callback(self._ctx, self._state_cb, None)

    def _on_event(self, _ctx: int, _type: int, _index: int, _userdata: int) -> None:
        self.changed = True

    def _state(self) -> int:
        return self._pa.pa_context_get_state(self._ctx)

    def _error(self) -> str:
        return _text(self._pa.pa_strerror(self._pa.pa_context_errno(self._ctx)))

    def _iterate(self, timeout_ms: int = -1) -> None:
        pa = self._pa
        if pa.pa_mainloop_prepare(self._ml, timeout_ms) < 0 or pa.pa_mainloop_poll(self._ml) < 0 \
                or pa.pa_mainloop_dispatch(self._ml) < 0:
            raise PulseError("main loop failed")

    @property
    def connected(self) -> bool:
        return not self._closed and self._state() == _READY

    def connect(self, timeout: float = 5.0) -> None:
        """Connect to the default server, never spawning one; PulseError("cannot connect: ...") on failure."""
        if self._pa.pa_context_connect(self._ctx, None, _NOAUTOSPAWN, None) < 0:
            raise PulseError(f"cannot connect: {self._error()}")
        deadline = time.monotonic() + timeout
        while (state := self._state()) not in (_READY, _FAILED, _TERMINATED):
            left = deadline - time.monotonic()
            if left <= 0:
                raise PulseError("cannot connect: timed out")
            self._iterate(max(1, int(left * 1000)))
        if state != _READY:
            raise PulseError(f"cannot connect: {self._error()}")
        self._pa.pa_context_set_subscribe_callback(self._ctx, self._subscribe_cb, None)
        self._run(self._pa.pa_context_subscribe(self._ctx, _MASK_SOURCE | _MASK_SOURCE_OUTPUT, None, None))

    def _run(self, op: int | None) -> None:
        """Run the loop until the operation is done (PulseError if the connection goes meanwhile)."""
        if not op:
            raise PulseError(f"connection lost: {self._error()}")
        try:
            while self._pa.pa_operation_get_state(op) == _OP_RUNNING:
                self._iterate()
                if self._state() != _READY:
                    raise PulseError(f"connection lost: {self._error()}")
        finally:
            self._pa.pa_operation_unref(op)

    def server_info(self) -> tuple[str, str]:
        """(server name, version), e.g. ("pulseaudio", "16.1")."""
        got: list[tuple[str, str]] = []

        def on_info(_c: int, info: ctypes._Pointer, _u: int) -> None:  # type: ignore[type-arg]
            if info:
                got.append((_text(info.contents.server_name), _text(info.contents.server_version)))

        cb = _SERVER_CB(on_info)
        self._run(self._pa.pa_context_get_server_info(self._ctx, cb, None))
        return got[0] if got else ("", "")

    def source_list(self) -> list[Source]:
        items: list[Source] = []

        def on_item(_c: int, info: ctypes._Pointer, eol: int, _u: int) -> None:  # type: ignore[type-arg]
            if eol == 0 and info:
                items.append(Source(info.contents.index, _text(info.contents.name)))

        cb = _SOURCE_CB(on_item)
        self._run(self._pa.pa_context_get_source_info_list(self._ctx, cb, None))
        return items

    def source_output_list(self) -> list[SourceOutput]:
        items: list[SourceOutput] = []
        gets = self._pa.pa_proplist_gets

        def on_item(_c: int, info: ctypes._Pointer, eol: int, _u: int) -> None:  # type: ignore[type-arg]
            if eol == 0 and info:
                o = info.contents
                props = {}
                if o.proplist:
                    for key in PROPS:
                        value = gets(o.proplist, key.encode())
                        if value is not None:
                            props[key] = _text(value)
                items.append(SourceOutput(o.index, _text(o.name), o.source, bool(o.corked), props))

        cb = _SOURCE_OUTPUT_CB(on_item)
        self._run(self._pa.pa_context_get_source_output_info_list(self._ctx, cb, None))
        return items

    def wait(self) -> None:
        """Sleep in poll until the server reports a change (or ``wakeup``); PulseError if the connection goes."""
        while not self.changed and not self._closed:
            self._iterate()
            if self._state() != _READY:
                raise PulseError(f"connection lost: {self._error()}")
            if self._woken:
                self._woken = False
                return

    _woken = False

    def wakeup(self) -> None:
        """From any thread: make ``wait`` return."""
        with self._lock:
            self._woken = True
            if not self._closed:
                self._pa.pa_mainloop_wakeup(self._ml)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._pa.pa_context_disconnect(self._ctx)
        self._pa.pa_context_unref(self._ctx)
        self._pa.pa_mainloop_free(self._ml)
