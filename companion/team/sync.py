"""The sync worker: pushes the local outbox to the team hub and pulls what the team sent.

It runs on its own thread (never the GUI thread), or step by step in tests (``step()`` returns how long
to wait). Each round:
1. connect if needed (LISTEN on the team's channels, pull the roster) - a reconnect is a full catch-up;
2. push pending outbox items in order, each an idempotent insert by id in a savepoint of a hub
   transaction (an anonymous obstacle and a breath join each in a transaction of its own, so the hub cannot
   tie them to their author's other records); a record the hub refuses (row-level security, a constraint)
   is marked rejected with the reason and the others go on;
3. pull from the cursor in pages (``companion.pull`` on the hub), applying each page in one local
   transaction together with the safe cursor; a page of rows still behind a hub transaction left open is
   applied too and the round pages on past it, storing only the safe cursor; publish ``team.received`` with
   what ``apply`` had to say about a page (``items``);
4. a lead's own deep-breath broadcasts: fetch how many joined (while open, and once more a little after)
   and record it on the desk (companion.team.breath.record_joined_count);
5. wait for a NOTIFY (a wake-up only: nothing is read from its payload), a local commit that enqueued
   something, or the idle timeout.
While the hub is unreachable it backs off exponentially (1 s doubling to 60 s, with jitter) and publishes
``team.status`` ({online, waiting}) so the tray can say "Team hub offline - N waiting". When it is this
computer's database that fails it says so instead (``problem``: "database_busy", or "database" when it
cannot be written: read-only, disk full ...).
"""
from __future__ import annotations

import json
import logging
import random
import select
import socket
import threading
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol

from companion import events as ev
from companion.clock import Clock
from companion.db.sql import Tx
from companion.errors import DatabaseError, DatabaseLockedError
from companion.events import EventHub
from companion.status import TEAM_DATABASE, TEAM_DATABASE_BUSY, TEAM_HUB_FULL
from companion.team import hub, outbox
from companion.team import store as team_store
from companion.team.hub import Cursor, HubError, describe_error

log = logging.getLogger(__name__)

IDLE_SECONDS = 60.0     # a safety round when nothing wakes us (it also notices a dead connection)
BACKOFF_START = 1.0
BACKOFF_MAX = 60.0
JITTER = 0.2            # +-20 %
HUB_FULL_DELAY = 60.0   # the hub has no free slot: about one attempt a minute per desk (+-20 %), no storm
BATCH = 200
PAGE_PAUSE = 0.01  # seconds between the pages of one pull round (a 100,000-record flood: ~5 s more in all)
TELL_AT = 5000   # a long pull round (a flood) tells the app at least every this many received items
COUNT_SETTLE = timedelta(minutes=2)   # the lead's last join count, this long after a deep breath closed
COUNT_RECENT = timedelta(days=1)      # broadcasts older than this are not counted again after a restart

Apply = Callable[[Any, dict[str, Any], str], Any]          # (session, record, me) -> what to tell, or None
ApplyRoster = Callable[[Any, list[dict[str, Any]]], Any]   # (session, agents)
Connect = Callable[[], Any]                                # -> a psycopg connection (autocommit)


class Waker(Protocol):
    def wait(self, timeout: float, fileno: int | None = None) -> None: ...

    def wake(self) -> None: ...

    def close(self) -> None: ...


class SocketWaker:
    """Sleeps in select() on a private socket pair and the hub connection's socket."""

    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def wake(self) -> None:
        try:
            self._writer.send(b"!")
        except (BlockingIOError, OSError):
            pass  # already awake (buffer full) or closing

    def wait(self, timeout: float, fileno: int | None = None) -> None:
        watched: list[Any] = [self._reader]
        if fileno is not None and fileno >= 0:
            watched.append(fileno)
        try:
            select.select(watched, [], [], max(0.0, timeout))
        except (OSError, ValueError):  # the hub socket was closed under us: go round again
            pass
        try:
            while self._reader.recv(256):
                pass
        except (BlockingIOError, OSError):
            pass

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


def _transactions(items: list[tuple[str, str, str]]) -> list[list[tuple[str, str, str]]]:
    """Outbox items (id, kind, payload) in order, grouped into hub transactions: an anonymous obstacle and a
    breath join each go alone, so nothing on the hub ties them to their author's other records."""
    groups: list[list[tuple[str, str, str]]] = []
    run: list[tuple[str, str, str]] = []
    for item in items:
        if _alone(item[1], item[2]):
            if run:
                groups.append(run)
                run = []
            groups.append([item])
        else:
            run.append(item)
    if run:
        groups.append(run)
    return groups


def _alone(kind: str, payload: str) -> bool:
    """The kind's anonymity policy (companion.team.kinds): always alone, never, or alone unless the record
    says ``"anonymous": false`` (an unreadable payload of that kind goes alone)."""
    from companion.team.kinds import ALONE, ALONE_IF_ANONYMOUS, RECORD_KINDS

    spec = RECORD_KINDS.get(kind)
    if spec is None or spec.policy != ALONE_IF_ANONYMOUS:
        return spec is not None and spec.policy == ALONE
    try:
        record = json.loads(payload)
    except ValueError:
        return True
    return not isinstance(record, dict) or record.get("anonymous") is not False


# An anonymous obstacle is held back on the desk for a random while (fixed per record, so a restart does not
# draw again) and then pushed alone, in a round where this desk pushes nothing else; for a moment after it the
# desk pushes nothing of its own. Its place in the team's feed then says nothing about its author's other records.
ANONYMOUS_HOLD = (120, 900)        # seconds after it was logged
QUIET_AFTER_ANONYMOUS = (20, 60)   # seconds in which this desk pushes nothing else
SLOW_DOWN_SECONDS = 60             # the hub's rows-a-minute limit answered (hub.SlowDown): push again after this
HELD_RECHECK = 15.0                # my pull was held back by an open hub transaction: look again this soon (the
                                   # hub's reaper, companion.tend, ends it once it is older than a minute)


def _spread(item_id: str, bounds: tuple[int, int], salt: str) -> float:
    import hashlib

    low, high = bounds
    digest = int.from_bytes(hashlib.sha256(f"{salt}:{item_id}".encode()).digest()[:4], "big")
    return low + digest % (high - low + 1)


def _anonymous(kind: str, payload: str) -> bool:
    from companion.team.kinds import ALONE_IF_ANONYMOUS, RECORD_KINDS

    spec = RECORD_KINDS.get(kind)
    return spec is not None and spec.policy == ALONE_IF_ANONYMOUS and _alone(kind, payload)


def backoff_delay(failures: int, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait after ``failures`` failed attempts in a row: 1, 2, 4 ... 60, each +-20 %."""
    nominal = min(BACKOFF_MAX, BACKOFF_START * 2 ** max(0, failures - 1))
    return min(BACKOFF_MAX, nominal * (1 + JITTER * (2 * rng() - 1)))


def _connection_errors() -> tuple[type[BaseException], ...]:
    import psycopg

    return (HubError, psycopg.Error, OSError)


class SyncWorker:
    def __init__(self, db: Any, connect: Connect, apply: Apply, apply_roster: ApplyRoster, events: EventHub,
                 clock: Clock, *, me: str, team: str, waker: Waker | None = None,
                 rng: Callable[[], float] = random.random, batch: int = BATCH, listen: bool = True,
                 idle_seconds: float = IDLE_SECONDS, delivery: threading.Lock | None = None) -> None:
        self.db = db
        self._delivery = delivery or threading.Lock()  # shared with Delete my data (Desk.delivery)
        self._connect = connect
        self._apply = apply
        self._apply_roster = apply_roster
        self.events = events
        self.clock = clock
        self.me = me
        self.team = team
        self.waker: Waker = waker or SocketWaker()
        self._rng = rng
        self._batch = batch
        self._gathered: list[Any] | None = None  # during a pull round: what to tell at its end (see _tell)
        self._listen = listen              # False: poll every idle_seconds (behind a transaction pooler)
        self._idle_seconds = idle_seconds
        self._conn: Any = None
        self._failures = 0
        self._next_attempt = 0.0
        self._roster_due = True
        self._roster_channel = hub.roster_channel(team)  # the hub's keyed name once connected (schema 3)
        self._held = False                 # my last pull was held back by a hub transaction left open
        self._woken: set[str] = set()
        self._counted: set[str] = set()    # my broadcasts whose last join count (after closing) was fetched
        self._quiet_until = None            # after pushing an anonymous obstacle: push nothing else until then
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._hooked = False
        self.online: bool | None = None
        self.waiting = -1
        self.problem: str | None = None
        self.last_error: str | None = None

    # -- one round ---------------------------------------------------------------------------------
    def step(self) -> float:
        """Do what is due now; return the seconds to wait before the next round."""
        if self._conn is None and self.clock.monotonic() < self._next_attempt:
            self._publish_status(False, self.problem)  # e.g. a kudos sent while offline: the tray's count moves
            return self._next_attempt - self.clock.monotonic()
        try:
            if self._conn is None:
                self._open()
            channels, self._woken = self._woken | self._drain(), set()
            push_due = self._push()
            hub.tend(self._conn, self._held)  # publish due anonymous obstacles; end a stuck transaction
            self._held = not self._pull()
            if self._roster_due or self._roster_channel in channels:
                self._pull_roster()
            count_due = self._count_joins()
            self._woken = self._drain()  # woken while we worked: go again (and remember for what)
            again = bool(self._woken)
        except hub.HubFull as exc:  # a desk that cannot get a slot waits longer, and the tray says why
            return self._went_offline(describe_error(exc), problem=TEAM_HUB_FULL)
        except _connection_errors() as exc:
            return self._went_offline(describe_error(exc))
        except DatabaseError as exc:  # this computer's database (busy, read-only, full): not the hub's fault
            busy = isinstance(exc, DatabaseLockedError)
            return self._went_offline(str(exc), problem=TEAM_DATABASE_BUSY if busy else TEAM_DATABASE)
        except Exception as exc:  # a bug or a local database problem: log it, keep the thread alive
            log.exception("team sync round failed")
            return self._went_offline(f"{type(exc).__name__}: {describe_error(exc)}")
        self._failures = 0
        self.last_error = None
        self._publish_status(True)
        if again:
            return 0.0
        waits = [w for w in (count_due, push_due, HELD_RECHECK if self._held else None) if w is not None]
        return self._idle_seconds if not waits else max(0.0, min(self._idle_seconds, *waits))

    def _open(self) -> None:
        conn = self._connect()
        try:
            if self._listen:
                self._roster_channel = hub.listen(conn, self.team)[1]
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._roster_due = True  # catch-up after every (re)connect: roster, push, pull from the cursor
        log.info("team hub connected as %s", self.me)

    def _went_offline(self, reason: str, problem: str | None = None) -> float:
        self._close_connection()
        self._failures += 1
        delay = backoff_delay(self._failures, self._rng)
        if problem == TEAM_HUB_FULL:
            delay = max(delay, HUB_FULL_DELAY * (1 + JITTER * (2 * self._rng() - 1)))
        self._next_attempt = self.clock.monotonic() + delay
        if reason != self.last_error:
            what = ("team hub unavailable" if problem is None else "the team hub is full"
                    if problem == TEAM_HUB_FULL else "team delivery waits for the local database")
            log.warning("%s (%s); retrying in %.1f s", what, reason, delay)
        self.last_error = reason
        try:
            self._publish_status(False, problem)
        except Exception:  # the local database is the problem: nothing to count now
            log.exception("team status could not be counted")
        return delay

    def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def _drain(self) -> set[str]:
        """Channels with notifications already received, also those that came in while a query ran
        (psycopg keeps them for the next ``notifies()``). The payload is never read: a wake-up only."""
        if self._conn is None:
            return set()
        return {n.channel for n in self._conn.notifies(timeout=0)}

    # -- push ---------------------------------------------------------------------------------------
    def _push(self) -> float | None:
        """Push what is ready; return the seconds until something held back is due (None: nothing held)."""
        now = self.clock.now()
        if self._quiet_until is not None and now < self._quiet_until:
            return (self._quiet_until - now).total_seconds()
        self._quiet_until = None
        due_in: float | None = None
        while True:
            with self._delivery:  # Delete my data waits: it cannot land between this read and the hub's commit
                ready, due_in, pending = self._ready(now, due_in)
                if not ready:
                    return due_in
                self._push_items(ready)
            if self._quiet_until is not None:
                return (self._quiet_until - now).total_seconds()
            if pending < self._batch:
                return due_in

    def _ready(self, now: datetime, due_in: float | None) -> tuple[list[tuple[str, str, str]], float | None, int]:
        """What to push in this batch, the seconds until something held back is due, and how many items were
        pending (a full batch: there may be more)."""
        with self.db.reading() as s:
            pending = [(i.id, i.kind, i.payload, i.created_at) for i in outbox.pending(s, self._batch)]
        ready: list[tuple[str, str, str]] = []
        anonymous_ready: list[tuple[str, str, str]] = []
        for item_id, kind, payload, created_at in pending:
            if _anonymous(kind, payload):
                wait = (created_at - now).total_seconds() + _spread(item_id, ANONYMOUS_HOLD, "hold")
                if wait > 0:
                    due_in = wait if due_in is None else min(due_in, wait)
                else:
                    anonymous_ready.append((item_id, kind, payload))
            else:
                ready.append((item_id, kind, payload))
        if not ready and anonymous_ready:  # alone in its round, then a quiet moment for this desk
            ready = anonymous_ready[:1]
            self._quiet_until = now + timedelta(seconds=_spread(ready[0][0], QUIET_AFTER_ANONYMOUS, "quiet"))
        elif anonymous_ready:  # other records go first; the anonymous one waits for a round of its own
            due_in = 1.0 if due_in is None else min(due_in, 1.0)
        return ready, due_in, len(pending)

    def _push_items(self, items: list[tuple[str, str, str]]) -> None:
        pushed: list[str] = []
        rejected: list[tuple[str, str, str]] = []
        slowed = False
        for group in _transactions(items):
            with self._conn.transaction():
                for item_id, kind, payload in group:
                    try:
                        record = json.loads(payload)
                        if not isinstance(record, dict):
                            raise hub.Rejected("the record is not a JSON object")
                        hub.push_record(self._conn, kind, record)
                        pushed.append(item_id)
                    except (hub.Rejected, ValueError) as exc:
                        rejected.append((item_id, kind, str(exc)))
                    except hub.SlowDown as exc:  # the hub's rows-a-minute limit: the rest waits, nothing is lost
                        log.info("the team hub asks this desk to slow down (%s); pushing again in %d s", exc,
                                 SLOW_DOWN_SECONDS)
                        self._quiet_until = self.clock.now() + timedelta(seconds=SLOW_DOWN_SECONDS)
                        slowed = True
                        break
            if slowed:
                break
        with self.db.session() as s:  # after the hub committed: a crash here only means a re-push
            outbox.mark_pushed(s, pushed, self.clock.now())
            for item_id, _kind, reason in rejected:
                log.warning("the team hub refused outbox item %s: %s", item_id, reason)
                outbox.mark_rejected(s, [item_id], reason)
        if rejected:  # refused for good: never retried, kept locally, and the agent is told
            from companion.team.received import Received

            self.events.publish(ev.TEAM_RECEIVED, items=[
                Received(outbox.REFUSED, item_id, None, {"what": kind, "reason": reason})
                for item_id, kind, reason in rejected])

    # -- pull ---------------------------------------------------------------------------------------
    def _pull(self) -> bool:
        """Page through everything new in this round (True: all of it settled). Only the safe cursor is stored: once a page holds a
        record of a transaction that may still be followed by an older one (a hub transaction left open),
        the stored cursor stays where it is for the rest of the round, but delivery pages on (``next``)."""
        from companion.config import SettingsStore

        store = SettingsStore(self.db)
        stored = Cursor.from_state(store.get_state(hub.CURSOR_STATE))
        position, settled = stored, True
        self._gathered = []  # what the round's pages bring is told together (a flood is one notice, not 500)
        try:
            while True:
                page = hub.pull(self._conn, position, self._batch)
                safe = page.cursor if settled else stored
                if page.records or safe != stored:
                    self._apply_batch(hub.Batch(records=page.records, cursor=safe, more=page.more, next=page.next))
                stored, settled = safe, settled and page.settled
                if not page.more:
                    return settled
                position = page.next
                # A flood pages on for a while: between pages the GUI thread gets the interpreter (the local
                # socket answers within 100 ms throughout; issue 14), and a stop is not kept waiting.
                if self._stop.wait(PAGE_PAUSE):
                    return False
        finally:
            told, self._gathered = self._gathered, None
            if told:
                self.events.publish(ev.TEAM_RECEIVED, items=told)

    def _tell(self, told: list[Any]) -> None:
        """Publish what was applied (``team.received``): at once, or gathered for the end of a pull round,
        and at least every TELL_AT items (so a flood's notices stay few and its memory bounded)."""
        if self._gathered is None:
            self.events.publish(ev.TEAM_RECEIVED, items=told)
            return
        self._gathered.extend(told)
        if len(self._gathered) >= TELL_AT:
            told, self._gathered = self._gathered, []
            self.events.publish(ev.TEAM_RECEIVED, items=told)

    # -- the lead's count of a group deep breath ----------------------------------------------------
    def _count_joins(self) -> float | None:
        """For my own deep-breath broadcasts: how many joined (the hub's count, never who), fetched each round
        while one is open and once more ``COUNT_SETTLE`` after it closed (joins queued on a desk that was
        offline arrive late). Returns the seconds until that last fetch is due, if one is waiting."""
        from companion.team.breath import record_joined_count

        now = self.clock.now()
        with self.db.reading() as s:
            mine = [(b.id, b.expires_at) for b in team_store.broadcasts_from_since(s, self.me, now - COUNT_RECENT)]
        due: list[str] = []
        wait: float | None = None
        for broadcast_id, expires_at in mine:
            final = expires_at + COUNT_SETTLE
            if now < expires_at:
                due.append(broadcast_id)
                wait = min(wait if wait is not None else IDLE_SECONDS, (final - now).total_seconds())
            elif broadcast_id in self._counted:
                continue
            elif now >= final:
                due.append(broadcast_id)
                self._counted.add(broadcast_id)
            else:
                wait = min(wait if wait is not None else IDLE_SECONDS, (final - now).total_seconds())
        for broadcast_id in due:
            count = self._fetch_join_count(broadcast_id)
            if count is not None:
                with self.db.session() as s:
                    record_joined_count(s, broadcast_id, count)
        return wait

    def _fetch_join_count(self, broadcast_id: str) -> int | None:
        import psycopg

        try:
            return hub.breath_join_count(self._conn, broadcast_id)
        except psycopg.errors.InsufficientPrivilege:  # not (or no longer) a lead, or not on the hub yet
            log.info("the team hub shows no join count for broadcast %s to %s", broadcast_id, self.me)
            return None

    def _apply_batch(self, batch: hub.Batch) -> None:
        """One local transaction for the batch and its cursor. If ``apply`` fails on a record, the batch is
        applied again record by record, and a record that still fails is logged and passed over: one bad
        record must not hold up the team's feed forever. A busy or failing local database (``DatabaseError``)
        is not a bad record: nothing of the batch nor its cursor is committed, nobody is told, and the error
        propagates so the round is retried later (the agent is told about every record exactly once)."""
        from companion.config import write_state

        cursor = batch.cursor.to_state()
        told: list[Any] = []
        try:
            with self.db.session() as s:
                for record in batch.records:
                    result = self._apply(s, record, self.me)
                    if result is not None:
                        told.append(result)
                write_state(s, hub.CURSOR_STATE, cursor)
        except DatabaseError:
            raise
        except Exception as exc:
            log.warning("applying a batch from the team hub failed (%s); applying one by one", describe_error(exc))
            told = []
            for record in batch.records:
                try:
                    with self.db.session() as s:
                        result = self._apply(s, record, self.me)
                except DatabaseError:
                    if told:  # what was committed one by one before is told now, once; the cursor stays
                        self._tell(told)
                    raise
                except Exception as one:
                    log.error("could not apply %s %s from the team hub: %s", record.get("kind"), record.get("id"),
                              describe_error(one))
                    continue
                if result is not None:
                    told.append(result)
            with self.db.session() as s:
                write_state(s, hub.CURSOR_STATE, cursor)
        if told:
            self._tell(told)

    def _pull_roster(self) -> None:
        agents = hub.roster(self._conn)
        with self.db.session() as s:
            self._apply_roster(s, agents)
        self._roster_due = False

    # -- status -------------------------------------------------------------------------------------
    def _publish_status(self, online: bool, problem: str | None = None) -> None:
        """``team.status``: online, what waits, and (only when set) a ``problem`` on this computer."""
        with self.db.reading() as s:
            waiting = outbox.waiting(s)
        if (online, waiting, problem) != (self.online, self.waiting, self.problem):
            self.online, self.waiting, self.problem = online, waiting, problem
            extra = {"problem": problem} if problem else {}
            self.events.publish(ev.TEAM_STATUS, online=online, waiting=waiting, **extra)

    # -- the thread ---------------------------------------------------------------------------------
    def wake(self) -> None:
        self.waker.wake()

    def run(self) -> None:
        """Rounds until ``stop()``; each waits for a NOTIFY, a local wake-up or its timeout."""
        try:
            while not self._stop.is_set():
                try:
                    delay = self.step()
                except Exception:  # e.g. the local database failed while counting: never end the thread
                    log.exception("team sync round failed")
                    delay = BACKOFF_MAX
                if self._stop.is_set():
                    break
                listening = self._conn is not None and self._listen
                self.waker.wait(delay, self._conn.fileno() if listening else None)
        finally:
            self._close_connection()

    def start(self) -> None:
        self._hook_outbox()
        self._thread = threading.Thread(target=self.run, name="team-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.waker.wake()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("team sync did not stop within %.0f s (a hub call is hanging)", timeout)
            self._thread = None
        else:
            self._close_connection()
        self._unhook_outbox()
        self.waker.close()

    # Wake the worker as soon as a local transaction that enqueued something commits, so a kudos goes
    # out at once without the local features knowing about the worker.
    def _hook_outbox(self) -> None:
        if not self._hooked:
            self.db.add_commit_hook(self._after_commit)
            self._hooked = True

    def _unhook_outbox(self) -> None:
        if self._hooked:
            self.db.remove_commit_hook(self._after_commit)
            self._hooked = False

    def _after_commit(self, tx: Tx) -> None:
        if tx.info.get(outbox.ENQUEUED):
            self.waker.wake()
