"""The ``companion`` command line.

    companion [run] [--data-dir DIR]        start the tray app (or bring the running one forward)
    companion call start [--ref REF]        tell the running app a call started (for softphones)
    companion call end [--tough]            ... and that it ended
    companion reset [--minutes N] [--pattern P]
    companion status
    companion kudos                         open the Send kudos dialog (bind a desktop hotkey to it)
    companion kudos --to NAME --category C --message TEXT [--ref R]   send kudos directly
    companion show [--week]                 open My day (or My week) in the running app
    companion panel show                    bring the checklist panel back during a call (after Esc hid it)
    companion self-test                     check the database, resources, notifications, keyring
    companion migrate                       upgrade the database to this version (backed up first)
    companion team init|upgrade|doctor|add-agent|join|status|leave   the team hub (companion.team.commands)
    companion desktop install|uninstall [--system] [--autostart]   Linux application-menu entry and icon

Commands other than ``run`` use only the standard library and the local socket, so a softphone hook
returns in milliseconds. ``run`` needs the Qt layer; ``ui.main`` hands it in as ``gui`` (the core never
imports ui). Exit codes: 0 done, 1 refused or failed (message on stderr), 2 bad arguments, 3 not running,
4 ``migrate`` refused with its reason (companion.db.engine.MIGRATE_REFUSED).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from companion import APP_NAME, __version__
from companion.calls.refs import validate_ref
from companion.errors import CompanionError, InvalidInput, NotRunning
from companion.kudos.categories import CATEGORIES as KUDOS_CATEGORIES
from companion.kudos.rules import validate_message
from companion.paths import Paths, resolve_data_dir
from companion.reset.patterns import MAX_MINUTES, MIN_MINUTES, PATTERNS, validate_minutes
from companion.team.names import validate_name

GuiRunner = Callable[[argparse.Namespace, Paths], int]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_RUNNING = 0, 1, 2, 3


def _minutes(text: str) -> int:
    try:
        return validate_minutes(int(text))
    except (ValueError, InvalidInput):
        raise argparse.ArgumentTypeError(f"{text!r}: a reset lasts a whole number of minutes from "
                                         f"{MIN_MINUTES} to {MAX_MINUTES}") from None


def _ref(text: str) -> str:
    if not text:  # e.g. a softphone hook whose call-id variable was empty: say so, never guess
        raise argparse.ArgumentTypeError("the call reference is empty; give one (for example --ref 4711) "
                                         "or leave --ref out")
    try:
        return validate_ref(text) or ""
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


KUDOS_KEYS = tuple(c.key for c in KUDOS_CATEGORIES)


def _checked(validate: Callable[[str], str]) -> Callable[[str], str]:
    """An argparse type from a core validator: its InvalidInput message becomes the usage error."""
    def check(text: str) -> str:
        try:
            return validate(text)
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    check.__name__ = validate.__name__
    return check


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="folder for the database and log (default: the platform's user data folder; "
                             "env COMPANION_DATA_DIR)")
    parser = argparse.ArgumentParser(prog="companion", parents=[common],
                                     description=f"{APP_NAME}: a tray companion for contact-centre agents.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("run", parents=[common], help="start the tray app (the default)")

    call = sub.add_parser("call", parents=[common], help="tell the running app about a call")
    call_sub = call.add_subparsers(dest="call_command", metavar="start|end", required=True)
    start = call_sub.add_parser("start", parents=[common], help="a call started")
    start.add_argument("--ref", type=_ref, help="call reference from the softphone, e.g. 4711")
    end = call_sub.add_parser("end", parents=[common], help="the call ended")
    end.add_argument("--tough", action="store_true", help="mark the call as a tough one (offers a reset)")

    reset = sub.add_parser("reset", parents=[common], help="start a stress reset in the running app")
    reset.add_argument("--minutes", type=_minutes, default=1, help=f"{MIN_MINUTES}-{MAX_MINUTES} (default 1)")
    reset.add_argument("--pattern", choices=sorted(PATTERNS), help="breathing pattern (default: your setting)")

    sub.add_parser("status", parents=[common], help="show the running app's state")

    kudos = sub.add_parser("kudos", parents=[common], help="send kudos (no options: open the Send kudos dialog)")
    kudos.add_argument("--to", type=_checked(validate_name), metavar="NAME",
                       help="the teammate's name (as on the team roster)")
    kudos.add_argument("--category", choices=KUDOS_KEYS, help="H.E.A.R.T. category")
    kudos.add_argument("--message", type=_checked(validate_message), metavar="TEXT",
                       help="1-280 characters, plain text")
    kudos.add_argument("--ref", type=_ref, help="call reference (optional)")
    show = sub.add_parser("show", parents=[common], help="open My day (or My week) in the running app")
    show.add_argument("--week", action="store_true", help="open the Week view")
    panel = sub.add_parser("panel", parents=[common], help="the checklist panel during a call")
    panel.add_argument("panel_action", choices=("show",), metavar="show",
                       help="bring the panel back (after Esc hid it) and give it the keyboard")
    sub.add_parser("self-test", parents=[common], help="check database, resources, notifications and keyring")
    sub.add_parser("migrate", parents=[common],
                   help="upgrade the database to this version (backed up first; the app does it when it starts)")
    from companion.team import commands as team_commands  # argparse only: no driver, no database

    team_commands.add_parser(sub, common)

    desktop = sub.add_parser("desktop", parents=[common], help="Linux: add or remove the application-menu entry")
    desktop.add_argument("desktop_action", choices=("install", "uninstall"), metavar="install|uninstall")
    desktop.add_argument("--system", action="store_true",
                         help="for every user, in /usr/local/share (run as root); default: only you")
    desktop.add_argument("--autostart", action="store_true",
                         help="also start Agent Companion at login (as Settings does; install only)")
    return parser


def _request(args: argparse.Namespace) -> dict[str, object]:
    if args.command == "call":
        if args.call_command == "start":
            return {"cmd": "call.start", "ref": args.ref} if args.ref else {"cmd": "call.start"}
        return {"cmd": "call.end", "tough": args.tough}
    if args.command == "reset":
        req: dict[str, object] = {"cmd": "reset", "minutes": args.minutes}
        if args.pattern:
            req["pattern"] = args.pattern
        return req
    if args.command == "kudos":
        given = [name for name in ("to", "category", "message") if getattr(args, name) is not None]
        if not given and args.ref is None:
            return {"cmd": "kudos"}
        missing = [f"--{name}" for name in ("to", "category", "message") if getattr(args, name) is None]
        if missing:
            raise UsageError("to send kudos directly give --to, --category and --message "
                             f"(missing: {', '.join(missing)}); with no options the dialog opens")
        req = {"cmd": "kudos.send", "to": args.to, "category": args.category, "message": args.message}
        if args.ref:
            req["ref"] = args.ref
        return req
    if args.command == "show":
        return {"cmd": "show", "view": "week" if args.week else "day"}
    if args.command == "panel":
        return {"cmd": "panel.show"}
    return {"cmd": "status"}


class UsageError(Exception):
    pass


def _migrate(paths: Paths) -> int:
    """Open the database as the app would (backing it up and migrating it when it is older), then say what
    happened. Refused (exit status MIGRATE_REFUSED, the reason on stderr) while Agent Companion runs on this
    data folder -- unless it is that app's own start-up asking (``COMPANION_MIGRATE_FOR``), see
    companion.db.engine.migrate_in_child."""
    import os

    from companion import ipc
    from companion.db import schema
    from companion.db.engine import MIGRATE_REFUSED, open_database, pending_migration
    from companion.errors import DatabaseError

    asked_by_the_app = os.environ.get("COMPANION_MIGRATE_FOR")
    if not asked_by_the_app or Path(asked_by_the_app).resolve() != paths.data_dir.resolve():
        try:
            ipc.send(paths.server_name, {"cmd": "status"}, timeout=2.0)
        except ipc.NotAnswering:  # (before NotRunning, its base) something holds the socket: a busy/hung app
            print("companion: Agent Companion seems to be running on this data folder but does not answer. "
                  "Quit it first.", file=sys.stderr)
            return MIGRATE_REFUSED
        except NotRunning:
            pass  # nobody runs on this data folder
        except OSError:  # something holds the socket but does not answer: a running (hung) app
            print("companion: Agent Companion seems to be running on this data folder but does not answer. "
                  "Quit it first.", file=sys.stderr)
            return MIGRATE_REFUSED
        else:
            print("companion: Agent Companion is running on this data folder. Quit it first (it upgrades the "
                  "database itself when it starts).", file=sys.stderr)
            return MIGRATE_REFUSED
    path = paths.ensure().database
    before = pending_migration(path)
    try:
        db = open_database(path, paths.backups)
    except DatabaseError as exc:
        print(f"companion: {exc}", file=sys.stderr)
        return MIGRATE_REFUSED
    db.close()
    for notice in db.notices:
        print(notice)
    if before is not None:
        print(f"The database {path} was upgraded from schema {before} to {schema.HEAD}; the copy taken before "
              f"is in {paths.backups}.")
    else:
        print(f"The database {path} is up to date (schema {schema.HEAD}).")
    return EXIT_OK


def main(argv: Sequence[str] | None = None, gui: GuiRunner | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with a message on unknown arguments
    command = args.command or "run"
    args.command = command
    try:
        paths = Paths(resolve_data_dir(getattr(args, "data_dir", None)))
        if command == "run":
            if gui is None:
                print("companion: the tray app needs the Qt layer; run the installed `companion` command.",
                      file=sys.stderr)
                return EXIT_FAILED
            return gui(args, paths)
        if command == "self-test":
            from companion.selftest import run_self_test

            return run_self_test(paths)
        if command == "migrate":
            return _migrate(paths)
        if command == "team":
            from companion.team import commands as team_commands

            return team_commands.run(args, paths)
        if command == "desktop":
            from companion import desktop_entry

            return desktop_entry.run(args.desktop_action, system=args.system, autostart=args.autostart,
                                     data_dir=paths.data_dir)
        from companion import ipc

        try:
            request = _request(args)
        except UsageError as exc:
            parser.error(str(exc))  # exits 2
        answer = ipc.send(paths.server_name, request)
    except NotRunning as exc:
        print(f"companion: {exc}", file=sys.stderr)
        return EXIT_NOT_RUNNING
    except (CompanionError, InvalidInput, OSError) as exc:
        print(f"companion: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if answer.get("ok"):
        print(answer.get("message", "ok"))
        return EXIT_OK
    print(f"companion: {answer.get('error', 'refused')}", file=sys.stderr)
    return EXIT_FAILED
