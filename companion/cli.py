"""The ``companion`` command line.

    companion [run] [--data-dir DIR]        start the tray app (or bring the running one forward)
    companion call start [--ref REF]        tell the running app a call started (for softphones)
    companion call end [--tough]            ... and that it ended
    companion reset [--minutes N] [--pattern P]
    companion status
    companion self-test                     check the database, resources, notifications, keyring
    companion desktop install|uninstall [--system] [--autostart]   Linux application-menu entry and icon

Commands other than ``run`` use only the standard library and the local socket, so a softphone hook
returns in milliseconds. ``run`` needs the Qt layer; ``ui.main`` hands it in as ``gui`` (the core never
imports ui). Exit codes: 0 done, 1 refused or failed (message on stderr), 2 bad arguments, 3 not running.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from companion import APP_NAME, __version__
from companion.calls.refs import validate_ref
from companion.errors import CompanionError, InvalidInput, NotRunning
from companion.paths import Paths, resolve_data_dir
from companion.reset.patterns import MAX_MINUTES, MIN_MINUTES, PATTERNS, validate_minutes

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
    sub.add_parser("self-test", parents=[common], help="check database, resources, notifications and keyring")

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
    return {"cmd": "status"}


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
        if command == "desktop":
            from companion import desktop_entry

            return desktop_entry.run(args.desktop_action, system=args.system, autostart=args.autostart,
                                     data_dir=paths.data_dir)
        from companion import ipc

        answer = ipc.send(paths.server_name, _request(args))
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
