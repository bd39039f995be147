import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from companion import cli


def run(*args):
    return subprocess.run([sys.executable, "-m", "companion", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args", [["--bogus"], ["call"], ["call", "pause"], ["reset", "--minutes", "9"],
                                  ["call", "start", "--ref", "x" * 5000], ["call", "start", "--ref", "a b"],
                                  ["reset", "--minutes", "two"], ["reset", "--pattern", "yoga"], ["dance"]])
def test_bad_arguments_exit_2_with_a_message(args, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: companion" in err and "error:" in err


def test_an_empty_call_reference_is_refused_not_taken_as_none(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["call", "start", "--ref", ""])
    assert exc.value.code == 2
    assert "the call reference is empty; give one (for example --ref 4711) or leave --ref out" in \
        capsys.readouterr().err


@pytest.mark.parametrize("args", [["call", "start", "--ref", "4711"], ["call", "end"], ["reset"], ["status"],
                                  ["show", "--week"]])
def test_commands_without_a_running_app_say_so(args, capsys):
    assert cli.main(args) == cli.EXIT_NOT_RUNNING
    assert "not running" in capsys.readouterr().err


@pytest.mark.parametrize("args, request_", [(["show"], {"cmd": "show", "view": "day"}),
                                             (["show", "--week"], {"cmd": "show", "view": "week"}),
                                             (["panel", "show"], {"cmd": "panel.show"})])
def test_show_asks_for_my_day_or_week(args, request_):
    parsed = cli.build_parser().parse_args(args)
    assert cli._request(parsed) == request_


def test_panel_needs_an_action(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["panel"])
    assert exit_.value.code == 2 and "show" in capsys.readouterr().err
    assert cli.main(["panel", "show", "--data-dir", "/nonexistent-companion-test"]) == 3


def test_run_needs_the_gui(capsys):
    assert cli.main([]) == cli.EXIT_FAILED
    assert "Qt layer" in capsys.readouterr().err


def test_run_is_the_default_and_gets_paths(tmp_path):
    seen = {}

    def gui(args, paths):
        seen["args"], seen["paths"] = args, paths
        return 0

    assert cli.main(["--data-dir", str(tmp_path)], gui=gui) == 0
    assert seen["args"].command == "run" and seen["paths"].data_dir == tmp_path
    assert cli.main(["run", "--data-dir", str(tmp_path / "b")], gui=gui) == 0
    assert seen["paths"].data_dir == tmp_path / "b"


def test_data_dir_from_environment(monkeypatch, tmp_path):
    from companion.paths import resolve_data_dir

    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(None) == tmp_path / "env"
    assert resolve_data_dir(str(tmp_path / "opt")) == tmp_path / "opt"


def test_call_start_does_not_load_qt_or_sqlalchemy():
    code = ("import sys; from companion import cli; cli.main(['status']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy', 'ui', 'psycopg', "
            "'keyring') or m in ('companion.team.hub', 'companion.secrets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().endswith("[]"), out.stdout + out.stderr


def test_version():
    result = run("--version")
    assert result.returncode == 0 and "companion 0.1.0" in result.stdout


def test_self_test_passes_here(tmp_path):
    result = run("self-test", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   database" in result.stdout and "ok   resources" in result.stdout


def test_self_test_reports_a_damaged_database_without_touching_it(tmp_path):
    damaged = tmp_path / "companion.sqlite"
    damaged.write_bytes(b"not a database" * 100)
    result = run("self-test", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert "FAIL database" in result.stdout and "self-test failed: database" in result.stderr
    assert damaged.read_bytes() == b"not a database" * 100
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_self_test_names_a_missing_notification_bus(tmp_path, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    result = run("self-test", "--data-dir", str(tmp_path))
    assert result.returncode == 1 and "FAIL notifications" in result.stdout and "D-Bus" in result.stdout


def test_an_existing_data_folder_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert run("self-test", "--data-dir", str(shared)).returncode == 0
    assert shared.stat().st_mode & 0o777 == 0o755
    assert (shared / "companion.sqlite").stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "fresh"
    assert run("self-test", "--data-dir", str(fresh)).returncode == 0
    assert fresh.stat().st_mode & 0o777 == 0o700


_WORDS = ["call", "start", "end", "reset", "status", "run", "self-test", "--ref", "--minutes", "--pattern",
          "kudos", "--to", "--category", "--message", "helping", "dana",
          "--tough", "--data-dir", "4711", "0", "6", "box", "-x", "<b>", "\x00", "é" * 300, "x" * 10_000]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=40)), max_size=6))
def test_any_command_line_gets_an_exit_code_not_a_traceback(argv):
    argv = [a for a in argv if a not in ("run", "self-test", "--data-dir")]  # no GUI, no folder creation
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        assert exc.code in (0, 2)
    else:
        assert code in (cli.EXIT_OK, cli.EXIT_FAILED, cli.EXIT_NOT_RUNNING)


# -- kudos (issue 3) --------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["kudos", "--to", "dana"],                                                     # not all three
    ["kudos", "--ref", "4711"],
    ["kudos", "--to", "Dana", "--category", "helping", "--message", "hi"],         # not a role name
    ["kudos", "--to", "dana", "--category", "kind", "--message", "hi"],
    ["kudos", "--to", "dana", "--category", "helping", "--message", "x" * 281],
    ["kudos", "--to", "dana", "--category", "helping", "--message", "4111 1111 1111 1111"],
    ["kudos", "--to", "dana", "--category", "helping", "--message", "hi", "--ref", "a b"],
])
def test_bad_kudos_arguments_exit_2_with_a_message(args, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize("args, expected", [
    (["kudos"], {"cmd": "kudos"}),
    (["kudos", "--to", "dana", "--category", "helping", "--message", "<b>x</b>"],
     {"cmd": "kudos.send", "to": "dana", "category": "helping", "message": "<b>x</b>"}),
    (["kudos", "--to", "dana", "--category", "teamwork", "--message", "thanks", "--ref", "4711"],
     {"cmd": "kudos.send", "to": "dana", "category": "teamwork", "message": "thanks", "ref": "4711"}),
])
def test_kudos_command_lines_become_requests(args, expected, capsys, monkeypatch):
    from companion import ipc

    sent = []
    monkeypatch.setattr(ipc, "send", lambda name, request: sent.append(request) or {"ok": True, "message": "Sent."})
    assert cli.main(args) == cli.EXIT_OK
    assert sent == [expected] and ipc.parse_request(ipc.encode({"v": 1, **expected})).cmd == expected["cmd"]
    assert capsys.readouterr().out == "Sent.\n"


def test_kudos_refused_by_the_app_exits_1(capsys, monkeypatch):
    from companion import ipc

    monkeypatch.setattr(ipc, "send", lambda name, request: {"ok": False, "error": "dana is not on your roster"})
    assert cli.main(["kudos", "--to", "dana", "--category", "helping", "--message", "hi"]) == cli.EXIT_FAILED
    assert "not on your roster" in capsys.readouterr().err


def test_kudos_without_a_running_app_exits_3(capsys):
    assert cli.main(["kudos"]) == cli.EXIT_NOT_RUNNING
    assert cli.main(["kudos", "--to", "dana", "--category", "helping", "--message", "hi"]) == cli.EXIT_NOT_RUNNING


def test_kudos_does_not_load_qt_or_sqlalchemy():
    code = ("import sys; from companion import cli; cli.main(['kudos', '--to', 'dana', '--category', 'helping', "
            "'--message', 'hi'])\nprint(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'sqlalchemy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().endswith("[]"), out.stderr
