"""``companion team ...``: provisioning (IT admins) and joining/leaving a hub (agents). No Qt.

    companion team init URL                                  schema, roles, policies (admin URL; idempotent)
    companion team upgrade URL                               the same: brings an older hub to this version
    companion team doctor URL                                checks what anonymity and the guards rest on
    companion team add-agent NAME --team TEAM --hub URL [--lead] [--display-name TEXT]
    companion team join URL --user NAME [--secret-stdin]     secret -> OS keyring (never a file)
    companion team status                                    hub, user, team, online?, outbox waiting
    companion team leave                                     forget the hub and the secret (local data stays)

Admin URLs may carry a password, but libpq's ~/.pgpass or PGPASSWORD keep it out of the shell history.
Every message printed goes through ``scrub``.
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Callable, TextIO

from companion.errors import CompanionError, InvalidInput
from companion.paths import Paths

if TYPE_CHECKING:  # the rest loads when a team command runs, not for `companion call start`
    from companion.secrets import SecretStore
    from companion.team.hub import HubConfig

EXIT_OK, EXIT_FAILED = 0, 1
EXIT_PROBLEMS = 2  # `team doctor` found something to fix
STATUS_TIMEOUT = 3


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    team = sub.add_parser("team", parents=[common], help="the team hub: set it up, join it, leave it")
    team_sub = team.add_subparsers(dest="team_command", metavar="init|upgrade|doctor|add-agent|join|status|leave",
                                   required=True)
    for command, text in (("init", "(IT admin) create or upgrade the hub schema"),
                          ("upgrade", "(IT admin) upgrade the hub schema (the same as init)"),
                          ("doctor", "(IT admin) check the hub: anonymity guards, limits, connections")):
        init = team_sub.add_parser(command, parents=[common], help=text)
        init.add_argument("url", metavar="URL", help="PostgreSQL URL of a superuser or the database owner")
    add = team_sub.add_parser("add-agent", parents=[common], help="(IT admin) enrol an agent; prints a one-time secret")
    add.add_argument("name", metavar="NAME", help="the agent's name (their database login role)")
    add.add_argument("--team", required=True, help="the agent's team")
    add.add_argument("--hub", required=True, metavar="URL", help="admin URL of the hub")
    add.add_argument("--lead", action="store_true", help="a team lead (may broadcast and publish templates)")
    add.add_argument("--display-name", help="the name teammates see (default: NAME)")
    join = team_sub.add_parser("join", parents=[common], help="connect this desk to the team hub")
    join.add_argument("url", metavar="URL", help="the hub's address, without a password")
    join.add_argument("--user", required=True, metavar="NAME", help="your agent name")
    join.add_argument("--secret-stdin", action="store_true", help="read the one-time secret from standard input")
    team_sub.add_parser("status", parents=[common], help="show the hub, your team and what waits to be sent")
    team_sub.add_parser("leave", parents=[common], help="disconnect this desk from the hub (keeps your data)")


class TeamCommands:
    def __init__(self, paths: Paths, *, secrets: SecretStore | None = None, out: TextIO | None = None,
                 ask_secret: Callable[[str], str] | None = None, stdin: TextIO | None = None) -> None:
        import getpass

        from companion.secrets import KeyringSecretStore

        self.paths = paths
        self.secrets = secrets if secrets is not None else KeyringSecretStore()
        self.out = out or sys.stdout
        self.ask_secret = ask_secret or getpass.getpass
        self.stdin = stdin or sys.stdin

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def _open(self) -> Any:
        from companion.db.engine import open_database

        self.paths.ensure()
        return open_database(self.paths.database, self.paths.backups)

    # -- admin --------------------------------------------------------------------------------------
    def init(self, url: str) -> int:
        from companion.team.provision import init_hub

        result = init_hub(url)
        from companion.team.provision import check_connections

        if result.changed:
            self.say(f"Team hub ready (schema version {result.after}; was {result.before or 'none'}).")
        else:
            self.say(f"Team hub already at schema version {result.after}; nothing changed.")
        if result.sessions_visible:
            from companion.team.provision import GUARDED_SQL, SESSION_VIEWS_SQL

            self.say("Agents can still see which session holds which lock (pg_locks) and map a wake-up's process "
                     "id to its sender (pg_stat_get_backend_*), which can tell who wrote an anonymous obstacle. "
                     "Ask a superuser to run in this database, then `companion team doctor URL` to check:")
            self.say(f"    {SESSION_VIEWS_SQL}")
            self.say(f"    {GUARDED_SQL}")
        connections = check_connections(url)
        if not connections.ok:
            self.say(f"Warning: {connections.text}.")
        return EXIT_OK

    def doctor(self, url: str) -> int:
        from companion.team.provision import doctor

        findings = doctor(url)
        for finding in findings:
            self.say(f"{'ok ' if finding.ok else 'FIX'}  {finding.text}")
        problems = sum(not f.ok for f in findings)
        self.say("The hub is in order." if not problems else f"{problems} thing{'s' if problems != 1 else ''} to fix.")
        return EXIT_OK if not problems else EXIT_PROBLEMS

    def add_agent(self, name: str, team: str, url: str, lead: bool, display_name: str | None) -> int:
        from companion.team.provision import add_agent

        secret = add_agent(url, name, team, lead=lead, display_name=display_name)
        role = "lead" if lead else "agent"
        self.say(f"Added {role} {name} to team {team}. One-time secret (shown once, not stored anywhere):")
        self.say(f"    {secret}")
        self.say(f"Give it to {name} privately; they run: companion team join <hub URL> --user {name}")
        from companion.team.provision import check_connections

        connections = check_connections(url)
        if not connections.ok:
            self.say(f"Warning: {connections.text}.")
        return EXIT_OK

    # -- agents -------------------------------------------------------------------------------------
    def join(self, url: str, user: str, secret_stdin: bool) -> int:
        from companion.config import SettingsStore
        from companion.secrets import SecretStoreError
        from companion.team import hub
        from companion.team.hub import CURSOR_STATE, HUB_STATE, HubConfig, HubError, describe_error
        from companion.team.names import validate_name

        validate_name(user, "Your agent name")
        if hub.url_has_password(url):
            raise InvalidInput("Leave the password out of the hub address: you will be asked for your secret.")
        current = self._current()
        same_hub = current is not None and (current.keyring_user, current.user) == (hub.keyring_user(url, user), user)
        if current is not None and not same_hub:  # its outbox and cursor belong to that hub
            raise InvalidInput(f"This desk is joined to {hub.scrub(current.url)} as {current.user}. Run "
                               "`companion team leave` first; nothing was changed.")
        if secret_stdin:
            secret = self.stdin.readline().rstrip("\r\n")
        else:
            secret = self.ask_secret(f"One-time secret for {user}: ")
        if not secret:
            raise InvalidInput("No secret was given; nothing was changed.")
        url = hub.strip_password(url)
        try:
            conn = hub.connect(url, user=user, password=secret)
        except hub.HubRefused:
            raise InvalidInput(f"The team hub refused that secret for {user}: check the name and the secret "
                               "(it is case-sensitive), or ask your IT admin for a new one. Nothing was "
                               "changed.") from None
        try:
            me = hub.whoami(conn)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) == "42501":  # a login role that is not an agent of this hub
                raise InvalidInput(f"{user} can log in but is not on this hub's roster; ask your IT admin.") from None
            raise HubError(f"The hub did not answer as expected: {describe_error(exc, secret)}") from None
        finally:
            conn.close()
        if me is None:
            raise InvalidInput(f"{user} can log in but is not on this hub's roster; ask your IT admin.")
        config = HubConfig(url=url, user=user, team=me["team"], lead=bool(me["is_lead"]))
        kept = False
        if self.secrets.available():
            try:
                self.secrets.set(config.keyring_user, secret)
                kept = True
            except SecretStoreError as exc:
                self.say(f"{exc} The secret was not saved.")
        db = self._open()
        try:
            store = SettingsStore(db)
            store.save(store.load().with_changes(agent_name=user))
            store.set_state(HUB_STATE, config.to_state())
            if not same_hub:
                store.set_state(CURSOR_STATE, None)  # a new hub: start from its beginning
        finally:
            db.close()
        lead = " as a team lead" if config.lead else ""
        self.say(f"Joined team {config.team} as {user}{lead}.")
        if kept:
            self.say(f"Your secret is in the {self.secrets.name} keyring.")
        else:
            self.say("No usable keyring on this computer: the secret was not saved anywhere. Agent Companion "
                     "will ask for it each time it starts and keep it in memory only.")
        self.say("Restart Agent Companion (Quit, then start it) to connect.")
        return EXIT_OK

    def _current(self) -> HubConfig | None:
        from companion.config import SettingsStore
        from companion.team.hub import HUB_STATE, HubConfig

        if not self.paths.database.exists():
            return None
        db = self._open()
        try:
            return HubConfig.from_state(SettingsStore(db).get_state(HUB_STATE))
        finally:
            db.close()

    def status(self) -> int:
        from companion.config import SettingsStore
        from companion.secrets import SecretStoreError
        from companion.team import hub, outbox
        from companion.team.hub import HUB_STATE, HubConfig, HubError

        db = self._open()
        try:
            store = SettingsStore(db)
            config = HubConfig.from_state(store.get_state(HUB_STATE))
            with db.reading() as s:
                waiting, rejected = outbox.waiting(s), len(outbox.rejected(s))
        finally:
            db.close()
        if config is None:
            self.say("Not joined to a team hub (everything works locally). Join with: companion team join URL "
                     "--user NAME")
            return EXIT_OK
        self.say(f"hub:     {hub.scrub(config.url)}")
        self.say(f"user:    {config.user}{' (lead)' if config.lead else ''}")
        self.say(f"team:    {config.team}")
        secret = None
        if self.secrets.available():
            try:
                secret = self.secrets.get(config.keyring_user)
            except SecretStoreError as exc:
                self.say(f"keyring: {exc}")
        if secret is None:
            self.say("hub:     not checked (no secret in the keyring: the app asks for it at start)")
        else:
            try:
                hub.connect(config.url, user=config.user, password=secret, timeout=STATUS_TIMEOUT).close()
                self.say("hub:     online")
            except HubError as exc:
                self.say(f"hub:     offline ({hub.scrub(str(exc), secret)})")
        self.say(f"waiting: {waiting} change{'s' if waiting != 1 else ''} to send")
        if rejected:
            self.say(f"refused: {rejected} change{'s' if rejected != 1 else ''} the hub refused (kept locally)")
        return EXIT_OK

    def leave(self) -> int:
        from companion.config import SettingsStore
        from companion.secrets import SecretStoreError
        from companion.team import outbox
        from companion.clock import SystemClock
        from companion.team.hub import CURSOR_STATE, HUB_STATE, HubConfig
        from companion.team.roster import Roster

        db = self._open()
        try:
            store = SettingsStore(db)
            config = HubConfig.from_state(store.get_state(HUB_STATE))
            if config is None:
                self.say("This desk is not joined to a team hub; nothing to do.")
                return EXIT_OK
            with db.reading() as s:
                waiting = outbox.waiting(s)
            store.set_state(HUB_STATE, None)
            store.set_state(CURSOR_STATE, None)
            Roster(db, SystemClock()).restore_local()  # the hand-typed roster is offered again
        finally:
            db.close()
        if self.secrets.available():
            try:
                self.secrets.delete(config.keyring_user)
            except SecretStoreError as exc:
                self.say(f"{exc} Remove the entry {config.keyring_user!r} of 'agent-companion' by hand.")
        self.say(f"Left team {config.team}. Your kudos and other local data stay on this computer.")
        if waiting:
            self.say(f"Not delivered: {waiting} change{'s' if waiting != 1 else ''} waiting for the hub "
                     "(they stay in your local database).")
        self.say("Restart Agent Companion for it to take effect.")
        return EXIT_OK


def run(args: argparse.Namespace, paths: Paths, **kwargs: Any) -> int:
    from companion.team.hub import HubError, describe_error

    commands = TeamCommands(paths, **kwargs)
    try:
        if args.team_command in ("init", "upgrade"):
            return commands.init(args.url)
        if args.team_command == "doctor":
            return commands.doctor(args.url)
        if args.team_command == "add-agent":
            return commands.add_agent(args.name, args.team, args.hub, args.lead, args.display_name)
        if args.team_command == "join":
            return commands.join(args.url, args.user, args.secret_stdin)
        if args.team_command == "status":
            return commands.status()
        return commands.leave()
    except CompanionError:
        raise
    except KeyboardInterrupt:
        raise InvalidInput("Cancelled; nothing was changed.") from None
    except Exception as exc:  # a driver error we did not expect: its text is scrubbed, no traceback
        raise HubError(f"The team command failed: {describe_error(exc)}") from None
