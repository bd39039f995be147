"""Talking to the team hub: hub settings, connections, pushing and pulling wire records.

psycopg is imported inside the functions that need it (never on the way to the tray icon). Errors from
libpq can quote connection strings: everything that leaves this module as text goes through ``scrub``,
and failures are re-raised as ``HubError`` with a scrubbed message and no chained exception, so neither a
log line nor a traceback can carry a password.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from companion.errors import CompanionError, InvalidInput
from companion.team.hub_schema import RECORD_TABLES

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

HUB_STATE = "team.hub"       # app state key: {"url", "user", "team", "lead"}
CURSOR_STATE = "team.cursor"  # app state key: {"token": "<opaque cursor issued by the hub>"}
CONNECT_TIMEOUT = 5
#: seconds after which the hub cancels one of the sync worker's statements (a hub stalled on a lock): the worker
#: then backs off, and it never holds a batch -- and with it Desk.delivery, which Delete my data waits for --
#: longer than this per statement
WORKER_STATEMENT_TIMEOUT = 30.0
APPLICATION_NAME = "agent-companion"


class HubError(CompanionError):
    """The hub could not be reached or refused us. The message is scrubbed of secrets."""


class HubUnavailable(HubError):
    """The hub is unreachable or the login failed: try again later."""


class HubRefused(HubUnavailable):
    """The hub answered but refused the login (wrong secret, or no such login role)."""


class HubFull(HubUnavailable):
    """The hub has no free connection slot (max_connections, or this login's connection limit)."""


_HUB_FULL = re.compile(r"too many clients|too many connections|remaining connection slots are reserved",
                       re.IGNORECASE)


_LOGIN_REFUSED = re.compile(r"password authentication failed|authentication failed for user|"
                            r"no password supplied|role \S+ does not exist", re.IGNORECASE)


# -- secrets out of text -------------------------------------------------------------------------------
_URL_PASSWORD = re.compile(r"(://[^/\s:@]*:)\S*@")   # the whole user-info part, up to the last @
_KV_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_ENV_PASSWORD = re.compile(r"(PGPASSWORD\s*=\s*)\S+")


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` without passwords: the given secrets, ``user:password@`` in URLs and ``password=...``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _KV_PASSWORD.sub(r"\1***", text)
    return _ENV_PASSWORD.sub(r"\1***", text)


def describe_error(exc: BaseException, *secrets: str | None) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return scrub(text, *secrets)


# -- URLs ---------------------------------------------------------------------------------------------
UNREADABLE_URL = ("That hub address cannot be read. In a postgresql:// address, percent-encode @ / : and "
                  "spaces in the user name or password (@ as %40, / as %2F, : as %3A, a space as %20), or leave "
                  "the password out and put it in ~/.pgpass or PGPASSWORD.")
_URL_SCHEMES = ("postgresql://", "postgres://")
_USERINFO = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2}")


def _check_url_form(url: str) -> None:
    """Refuse, before libpq sees it, a URL whose user-info part (between :// and the last @) is not clean:
    libpq would split it elsewhere and quote the pieces (a fragment of the password) in its error."""
    if not url.startswith(_URL_SCHEMES):
        return
    rest = url.split("://", 1)[1]
    if "@" not in rest:
        if any(c.isspace() for c in rest):
            raise InvalidInput(UNREADABLE_URL)
        return
    userinfo = rest[:rest.rindex("@")]
    user, _colon, password = userinfo.partition(":")
    for part in (user, password):
        if _USERINFO.sub("", part):  # anything left over is a character that must be percent-encoded
            raise InvalidInput(UNREADABLE_URL)
    if any(c.isspace() for c in rest):
        raise InvalidInput(UNREADABLE_URL)


def parse_url(url: str) -> dict[str, str]:
    """libpq URL or key=value string -> its parameters. A malformed one raises InvalidInput, with our own
    message only: libpq's text can quote pieces of the string (a fragment of a password)."""
    from psycopg.conninfo import conninfo_to_dict

    _check_url_form(url)
    try:
        params = conninfo_to_dict(url)
    except Exception:  # psycopg.ProgrammingError; its text may quote the string
        raise InvalidInput(UNREADABLE_URL) from None
    return {k: str(v) for k, v in params.items() if v is not None}


def url_has_password(url: str) -> bool:
    return "password" in parse_url(url)


def strip_password(url: str) -> str:
    """The same address without a password (user name kept: it is not a secret)."""
    from psycopg.conninfo import make_conninfo

    params = parse_url(url)
    if "password" not in params:
        return url
    params.pop("password")
    if url.startswith(("postgresql://", "postgres://")):
        return _URL_PASSWORD.sub(lambda m: m.group(1)[:-1] + "@", url)
    return make_conninfo(**params)


def keyring_user(url: str, user: str) -> str:
    """The keyring entry's user: ``NAME@host:port/db``."""
    params = parse_url(url)
    host = params.get("host") or params.get("hostaddr") or "localhost"
    return f"{user}@{host}:{params.get('port') or '5432'}/{params.get('dbname') or user}"


def team_channel(team: str) -> str:
    """The LISTEN channel of a team's records (the hub NOTIFYs it with an empty payload)."""
    return "companion_" + hashlib.md5(team.encode(), usedforsecurity=False).hexdigest()


def roster_channel(team: str) -> str:
    return "companion_r_" + hashlib.md5(team.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class HubConfig:
    url: str    # without password
    user: str
    team: str
    lead: bool = False

    def to_state(self) -> dict[str, Any]:
        return {"url": self.url, "user": self.user, "team": self.team, "lead": self.lead}

    @classmethod
    def from_state(cls, value: Any) -> "HubConfig | None":
        if not isinstance(value, dict):
            return None
        url, user, team = value.get("url"), value.get("user"), value.get("team")
        if not all(isinstance(v, str) and v for v in (url, user, team)):
            return None
        return cls(url=url, user=user, team=team, lead=bool(value.get("lead")))

    @property
    def keyring_user(self) -> str:
        return keyring_user(self.url, self.user)


# -- connections ---------------------------------------------------------------------------------------
def connect(url: str, *, user: str | None = None, password: str | None = None,
            timeout: float = CONNECT_TIMEOUT, autocommit: bool = True,
            statement_timeout: float | None = None) -> "psycopg.Connection[Any]":
    """A connection to the hub; failures raise HubUnavailable with a scrubbed message. ``statement_timeout``
    (seconds): the hub cancels a statement that runs longer (the sync worker's: WORKER_STATEMENT_TIMEOUT)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    extra: dict[str, Any] = {"connect_timeout": max(1, int(timeout)), "application_name": APPLICATION_NAME,
                             "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                             "keepalives_count": 3}
    if user:
        extra["user"] = user
    if password is not None:
        extra["password"] = password
    url_password = parse_url(url).get("password")  # refuses an unclean URL before libpq sees it
    try:
        conninfo = make_conninfo(url, **extra)
        conn = psycopg.connect(conninfo, autocommit=autocommit)
        if statement_timeout is not None:  # a SET, not a startup option: a session-mode pooler passes it on
            try:
                conn.execute("SELECT set_config('statement_timeout', %s, false)",
                             (f"{max(1, int(statement_timeout * 1000))}ms",))
                if not autocommit:
                    conn.commit()
            except BaseException:
                conn.close()
                raise
    except psycopg.Error as exc:
        text = describe_error(exc, password, url_password, url)
        if _LOGIN_REFUSED.search(str(exc)):
            raise HubRefused(f"The team hub refused the login: {text}") from None
        if _HUB_FULL.search(str(exc)):
            raise HubFull(f"The team hub is full: {text}") from None
        raise HubUnavailable(f"The team hub cannot be reached: {text}") from None
    return conn


def listen(conn: "psycopg.Connection[Any]", team: str) -> tuple[str, str]:
    """LISTEN on my team's channels; returns (records channel, roster channel). From hub schema version 3 the
    names are keyed by the hub (``companion.my_channels()``: nobody can guess, so listen to, another team's);
    an older hub uses the md5 names."""
    import psycopg
    from psycopg import sql

    try:
        with conn.transaction():
            channels = conn.execute("SELECT companion.my_channels()").fetchone()[0]
    except psycopg.errors.UndefinedFunction:
        channels = None
    if not channels:
        channels = [team_channel(team), roster_channel(team)]
    for channel in channels:
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
    return channels[0], channels[1]


def tend(conn: "psycopg.Connection[Any]", held: bool = False) -> int | None:
    """The hub's round chores any desk runs (hub schema 3): publish anonymous obstacles that are due (never the
    caller's own), and when ``held`` (my feed is held back by an open transaction) end agent sessions holding a
    transaction too long. Returns how many obstacles were published; None on an older hub."""
    import psycopg

    try:
        with conn.transaction():
            return conn.execute("SELECT companion.tend(%s)", (held,)).fetchone()[0]
    except psycopg.errors.UndefinedFunction:
        return None


# -- the roster ---------------------------------------------------------------------------------------
def roster(conn: "psycopg.Connection[Any]") -> list[dict[str, Any]]:
    """The agents of my team (row-level security shows no others)."""
    rows = conn.execute("SELECT name, display_name, team, is_lead FROM companion.agents ORDER BY name").fetchall()
    return [{"name": r[0], "display_name": r[1], "team": r[2], "is_lead": r[3]} for r in rows]


def whoami(conn: "psycopg.Connection[Any]") -> dict[str, Any] | None:
    row = conn.execute("SELECT name, display_name, team, is_lead FROM companion.agents "
                       "WHERE name = current_user").fetchone()
    if row is None:
        return None
    return {"name": row[0], "display_name": row[1], "team": row[2], "is_lead": row[3]}


def breath_join_count(conn: "psycopg.Connection[Any]", broadcast_id: str) -> int | None:
    """A lead's view of a deep breath: how many joined (None while the team has fewer than 5 agents)."""
    return conn.execute("SELECT companion.breath_join_count(%s)", (broadcast_id,)).fetchone()[0]


# -- push ---------------------------------------------------------------------------------------------
class Rejected(Exception):
    """The hub refused this record (row-level security, a constraint, bad data): it will not pass later."""


class LimitReached(Rejected):
    """The hub's own per-agent limit (hub schema 3, SQLSTATE CA429): refused, not retried; the agent is told."""


class SlowDown(Exception):
    """The hub's rows-a-minute limit (SQLSTATE CA420): nothing is refused; push again in a minute."""


LIMIT_SQLSTATE = "CA429"
SLOW_DOWN_SQLSTATE = "CA420"


def _is_rejection(exc: Exception) -> bool:
    state = getattr(exc, "sqlstate", None) or ""
    return state.startswith(("22", "23")) or state in ("42501", LIMIT_SQLSTATE)


def _refusal(exc: Exception) -> Rejected:
    state = getattr(exc, "sqlstate", None) or ""
    diag = getattr(exc, "diag", None)
    text = describe_error(getattr(diag, "message_primary", None) or exc) if state == LIMIT_SQLSTATE else \
        f"{state} {describe_error(exc)}".strip()
    return (LimitReached if state == LIMIT_SQLSTATE else Rejected)(text)


def _insert_sql(kind: str) -> tuple[str, tuple[str, ...]]:
    table, fields, _who = RECORD_TABLES[kind]
    columns = ("id", "sender", "team", *fields)
    placeholders = ", ".join(["%s"] * len(columns))
    return (f"INSERT INTO companion.{table} ({', '.join(columns)}) VALUES ({placeholders}) ON CONFLICT DO NOTHING",
            columns)


def push_record(conn: "psycopg.Connection[Any]", kind: str, record: dict[str, Any]) -> bool:
    """Insert one wire record (idempotent: a record already there, by id, is left alone).

    Runs in a savepoint of the caller's transaction. Returns True when a row was added. Raises Rejected
    when the hub refuses the record; connection problems propagate as psycopg errors.
    """
    import psycopg
    from psycopg.types.json import Jsonb

    if kind not in RECORD_TABLES:
        raise Rejected(f"unknown kind {kind!r}")
    statement, columns = _insert_sql(kind)
    try:
        values = [record[c] if c != "sender" else record.get("sender") for c in columns]
    except KeyError as exc:
        raise Rejected(f"the record has no {exc.args[0]!r}") from None
    if kind == "template":
        values[columns.index("body")] = Jsonb(record["body"])
    try:
        if kind == "obstacle" and record.get("anonymous") is True:
            if record.get("sender") is not None:
                raise Rejected("an anonymous obstacle has no sender")
            staged = _stage_anonymous(conn, record)
            if staged is not None:
                return staged
        with conn.transaction():
            cur = conn.execute(statement, values)
            return cur.rowcount == 1
    except psycopg.Error as exc:
        if _is_rejection(exc):
            raise _refusal(exc) from None
        if getattr(exc, "sqlstate", None) == SLOW_DOWN_SQLSTATE:
            raise SlowDown(describe_error(exc)) from None
        raise


def _stage_anonymous(conn: "psycopg.Connection[Any]", record: dict[str, Any]) -> bool | None:
    """An anonymous obstacle is not inserted by its author's session (the hub would wake the team from the
    author's backend, whose pid names them): the hub stages it and another desk publishes it later
    (``companion.tend``). None: an older hub without staging (the plain insert is used)."""
    import psycopg

    try:
        with conn.transaction():
            return bool(conn.execute(
                "SELECT companion.submit_anonymous_obstacle(%s, %s, %s, %s, %s)",
                (record["id"], record["team"], record["category"], record["text"], record["logged_at"])).fetchone()[0])
    except psycopg.errors.UndefinedFunction:
        log.warning("the team hub is older than schema version 3: an anonymous obstacle goes in directly")
        return None


# -- pull ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cursor:
    """A position in the hub's feed: every row up to it has been applied. Opaque: the hub encrypts and
    authenticates it, so it says nothing about where a record sits (docs/team-hub.md, "Cursor")."""

    token: str = ""

    def to_state(self) -> dict[str, Any]:
        return {"token": self.token}

    @classmethod
    def from_state(cls, value: Any) -> "Cursor":
        token = value.get("token") if isinstance(value, dict) else None
        return cls(token) if isinstance(token, str) else cls()  # none, or an older format: from the start


@dataclass(frozen=True)
class Batch:
    records: list[dict[str, Any]]
    cursor: Cursor      # the safe cursor to store after applying these records
    more: bool          # a full page: pull again (from ``next``)
    next: Cursor = Cursor()  # the position after the last record: where the next page of this round starts

    @property
    def settled(self) -> bool:
        """Every record of this page is below the safe cursor (no transaction still open before them)."""
        return self.cursor == self.next


def pull(conn: "psycopg.Connection[Any]", cursor: Cursor, limit: int = 200) -> Batch:
    """The records after ``cursor`` that I may read, oldest transaction first, through the hub's
    ``companion.pull`` (SECURITY DEFINER: agents cannot read the ordering columns themselves).

    One statement, so one snapshot. The safe cursor only moves past rows whose transaction is older than the
    snapshot's xmin: every such transaction has ended, so no row can later appear below it. Newer visible rows
    are returned too (applying is idempotent): ``next`` lets the caller page on past them within a round, but
    only the safe cursor is to be stored, so they come again until they are settled.
    """
    import psycopg

    try:
        result = conn.execute("SELECT companion.pull(%s, %s)", (cursor.token, limit)).fetchone()[0]
    except psycopg.errors.InvalidParameterValue:
        if not cursor.token or not conn.autocommit:
            raise
        # a cursor this hub did not issue (its cursor key changed): from the start (applying is idempotent)
        log.warning("the team hub did not recognise the stored cursor; pulling from the start")
        result = conn.execute("SELECT companion.pull(%s, %s)", ("", limit)).fetchone()[0]
    return Batch(records=list(result["records"]), cursor=Cursor(result["cursor"]), more=bool(result["more"]),
                 next=Cursor(result["next"]))
