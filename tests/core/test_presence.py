"""Presence hooks (companion.presence): what runs when, with what, and how failures are told."""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from companion import presence
from companion.config import Settings, SettingsStore
from companion.errors import InvalidInput
from companion.paths import ENV_OPERATIONS_CONFIG, operations_config_path
from companion.presence import (HookCommands, HookResult, InlineWorker, OperationsConfig, PresenceHooks,
                                SubprocessRunner, effective, load_operations_config)


class FakeRunner:
    """Records every run; answers with the queued results (default: success)."""

    def __init__(self, *results: HookResult) -> None:
        self.runs: list[tuple[list[str], dict[str, str], float]] = []
        self.results = list(results)
        self.on_call_at_run: list[bool] = []
        self.desk = None

    def run(self, argv, env, timeout):
        self.runs.append((list(argv), dict(env), timeout))
        if self.desk is not None:
            self.on_call_at_run.append(self.desk.calls.on_call)
        return self.results.pop(0) if self.results else HookResult(True)


START_CMD = "curl -fsS -X PUT 'https://acd.example/agents/me/status' -d 'notready:$COMPANION_RESET_MINUTES'"
END_CMD = "curl -fsS -X PUT https://acd.example/agents/me/status -d available"


def hooks_for(desk, runner, reports, ops=OperationsConfig(), worker=InlineWorker):
    return PresenceHooks(lambda: effective(ops, desk.settings()), runner, reports.append, worker=worker).attach(
        desk.events)


@pytest.fixture
def configured(desk):
    desk.save_settings(desk.settings().with_changes(reset_start_hook=START_CMD, reset_end_hook=END_CMD))
    return desk


def test_start_and_end_hooks_run_with_the_reset_in_their_environment(configured, clock):
    runner, reports = FakeRunner(), []
    hooks_for(configured, runner, reports)
    configured.start_reset(3, "box", "tray")
    for _ in range(19):  # the ui's timer ticks the reset through its three minutes
        clock.advance(10)
        configured.finish_reset_if_due()
    (start_argv, start_env, timeout), (end_argv, end_env, _) = runner.runs
    assert start_argv == ["curl", "-fsS", "-X", "PUT", "https://acd.example/agents/me/status", "-d", "notready:3"]
    assert end_argv[-1] == "available" and timeout == presence.DEFAULT_TIMEOUT
    assert start_env["COMPANION_EVENT"] == "reset-start" and end_env["COMPANION_EVENT"] == "reset-end"
    assert (start_env["COMPANION_RESET_MINUTES"], start_env["COMPANION_RESET_SECONDS"]) == ("3", "180")
    assert start_env["COMPANION_RESET_PATTERN"] == "box" and start_env["COMPANION_RESET_TRIGGER"] == "tray"
    assert start_env["COMPANION_RESET_STARTED_AT"] == "2026-11-23T09:00:00Z"
    assert start_env["COMPANION_RESET_PLANNED_END"] == "2026-11-23T09:03:00Z"
    assert "COMPANION_RESET_REASON" not in start_env
    assert end_env["COMPANION_RESET_REASON"] == "completed" and end_env["COMPANION_RESET_ACTUAL_SECONDS"] == "180"
    assert reports == []


def test_no_hook_configured_runs_nothing(desk):
    runner = FakeRunner()
    hooks_for(desk, runner, [])
    desk.start_reset(1, None, "tray")
    desk.end_reset()
    assert runner.runs == []


def test_a_call_ends_the_reset_and_the_end_hook_runs_before_the_call_begins(configured, clock):
    """The ACD must not keep the agent in "Not Ready - Wellness" after the call; the hook is told why."""
    runner, reports = FakeRunner(), []
    runner.desk = configured
    hooks_for(configured, runner, reports)
    configured.start_reset(2, None, "tray")
    for _ in range(2):
        clock.advance(10)
        configured.finish_reset_if_due()
    configured.start_call("4711")
    assert [env["COMPANION_EVENT"] for _, env, _ in runner.runs] == ["reset-start", "reset-end"]
    assert runner.runs[1][1]["COMPANION_RESET_REASON"] == "call-started"
    assert runner.runs[1][1]["COMPANION_RESET_ACTUAL_SECONDS"] == "20"
    assert runner.on_call_at_run == [False, False]  # neither ran during the call
    configured.end_call()
    assert len(runner.runs) == 2  # a call's end runs no hook


def test_no_hook_starts_during_a_call(configured):
    runner = FakeRunner()
    hooks_for(configured, runner, [])
    configured.start_call()
    with pytest.raises(InvalidInput):
        configured.start_reset(1, None, "tray")
    assert runner.runs == []


def test_a_start_hook_that_had_not_begun_when_the_reset_ended_is_dropped_with_its_end_hook(configured):
    """A slow previous hook kept the worker busy; a call ended the reset meanwhile: no "Not Ready" during the
    call, and no pointless "Available" either."""
    release = threading.Event()
    runs: list[str] = []

    class SlowRunner:
        def run(self, argv, env, timeout):
            runs.append(env["COMPANION_EVENT"])
            release.wait(10)
            return HookResult(True)

    hooks = hooks_for(configured, SlowRunner(), [], worker=presence.HookWorker)
    configured.start_reset(1, None, "tray")
    deadline = time.monotonic() + 10
    while runs != ["reset-start"] and time.monotonic() < deadline:
        time.sleep(0.01)
    configured.end_reset()  # its start hook is running (held by the ACD), so the end hook is queued
    configured.start_reset(1, None, "tray")  # queued behind the first reset's hooks
    configured.start_call()  # ends the second reset before its start hook began
    release.set()
    assert hooks.close(10)
    assert runs == ["reset-start", "reset-end"]


def test_hooks_run_off_the_callers_thread_and_the_reset_never_waits(configured):
    release = threading.Event()
    threads: list[str] = []

    class BlockingRunner:
        def run(self, argv, env, timeout):
            threads.append(threading.current_thread().name)
            release.wait(10)
            return HookResult(True)

    hooks = hooks_for(configured, BlockingRunner(), [], worker=presence.HookWorker)
    began = time.monotonic()
    configured.start_reset(1, None, "tray")
    assert time.monotonic() - began < 1.0 and configured.resets.current is not None
    deadline = time.monotonic() + 10
    while not threads and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.monotonic()
    configured.end_reset()  # the start hook still hangs
    assert time.monotonic() - began < 1.0 and configured.resets.current is None
    release.set()
    assert hooks.close(10)
    assert threads == ["presence-hooks", "presence-hooks"]


def test_a_failure_is_logged_every_time_and_reported_once(configured, caplog):
    runner, reports = FakeRunner(*[HookResult(False, "exit status 22: 503 Service Unavailable")] * 6), []
    hooks_for(configured, runner, reports)
    for _ in range(3):
        configured.start_reset(1, None, "tray")
        configured.end_reset()
    assert len(runner.runs) == 6
    assert len(reports) == 2  # once for the start hook, once for the end hook
    assert "a reset started" in reports[0] and "exit status 22" in reports[0] and "by hand" in reports[0]
    assert "a reset ended" in reports[1]
    failures = [r for r in caplog.records if "failed" in r.getMessage() and r.name == "companion.presence"]
    assert len(failures) == 6
    assert all("acd.example" not in r.getMessage() for r in caplog.records)  # the command (a token?) stays out


def test_a_changed_command_that_fails_is_reported_again(configured):
    runner, reports = FakeRunner(*[HookResult(False, "exit status 6")] * 4), []
    hooks_for(configured, runner, reports)
    configured.start_reset(1, None, "tray")
    configured.end_reset()
    configured.save_settings(configured.settings().with_changes(reset_end_hook="curl -d other https://x.example"))
    configured.start_reset(1, None, "tray")
    configured.end_reset()
    assert len(reports) == 3


def test_a_runner_that_raises_is_a_failure_not_a_crash(configured):
    class Broken:
        def run(self, argv, env, timeout):
            raise RuntimeError("boom")

    reports: list[str] = []
    hooks_for(configured, Broken(), reports)
    configured.start_reset(1, None, "tray")
    configured.end_reset()
    assert len(reports) == 2 and "boom" in reports[0] and configured.resets.current is None


# -- commands -------------------------------------------------------------------------------------
def test_commands_are_split_without_a_shell_and_variables_cannot_inject_arguments():
    argv = presence.parse_command("notify-acd --reason 'wellness break' ; rm -rf ~ $(id) `id` | cat")
    assert argv == ["notify-acd", "--reason", "wellness break", ";", "rm", "-rf", "~", "$(id)", "`id`", "|", "cat"]
    env = {"COMPANION_RESET_MINUTES": "5"}
    assert presence.expand(["-d", '{"minutes":${COMPANION_RESET_MINUTES}}', "$COMPANION_NOPE", "$PATH", "$x"], env) \
        == ["-d", '{"minutes":5}', "$COMPANION_NOPE", "$PATH", "$x"]


def test_the_agents_home_and_name_fill_a_machine_wide_command(monkeypatch):
    monkeypatch.setenv("HOME", "/home/dana smith")
    monkeypatch.setenv("USER", "dana")
    argv = presence.expand(presence.parse_command("curl -H @$HOME/.config/acd/auth https://acd/users/${USER}x "
                                                  "$USERNAME_X"), {})
    assert argv == ["curl", "-H", "@/home/dana smith/.config/acd/auth", "https://acd/users/danax", "$USERNAME_X"]


@pytest.mark.parametrize("text, message", [("curl 'unclosed", "no closing quotation"),
                                           ("curl\n-d x", "one line"), ("x" * 2001, "at most")])
def test_a_bad_command_is_refused_in_settings_and_nothing_is_saved(desk, db, text, message):
    with pytest.raises(InvalidInput, match=message):
        desk.save_settings(desk.settings().with_changes(reset_start_hook=text))
    assert SettingsStore(db).load().reset_start_hook == ""


def test_settings_keep_the_hooks(desk, db):
    desk.save_settings(desk.settings().with_changes(reset_start_hook=START_CMD, reset_end_hook=END_CMD))
    stored = SettingsStore(db).load()
    assert (stored.reset_start_hook, stored.reset_end_hook) == (START_CMD, END_CMD)


# -- the operations config ----------------------------------------------------------------------------
def write_ops(tmp_path: Path, text: str, mode: int = 0o644) -> Path:
    path = tmp_path / "operations.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_the_operations_config_wins_over_settings_and_locks_what_it_sets(tmp_path):
    path = write_ops(tmp_path, '[presence_hooks]\nreset_start = "it-start --minutes $COMPANION_RESET_MINUTES"\n'
                               'timeout_seconds = 4\n')
    ops = load_operations_config(path)
    assert ops.problem is None and ops.locked == {"reset_start"}
    mine = Settings(reset_start_hook="my-start", reset_end_hook="my-end")
    commands = effective(ops, mine)
    assert (commands.reset_start, commands.reset_end, commands.timeout) == \
        ("it-start --minutes $COMPANION_RESET_MINUTES", "my-end", 4.0)


def test_an_empty_command_in_the_operations_config_switches_the_agents_hook_off(tmp_path):
    ops = load_operations_config(write_ops(tmp_path, '[presence_hooks]\nreset_start = ""\nreset_end = ""\n'))
    commands = effective(ops, Settings(reset_start_hook="my-start", reset_end_hook="my-end"))
    assert commands.command(presence.RESET_START) == "" and commands.command(presence.RESET_END) == ""
    assert ops.locked == {"reset_start", "reset_end"}


def test_no_operations_config_is_an_empty_one(tmp_path):
    ops = load_operations_config(tmp_path / "missing.toml")
    assert ops.problem is None and ops.locked == frozenset()
    assert effective(ops, Settings(reset_end_hook="x")).reset_end == "x"


@pytest.mark.parametrize("text, mode, words", [
    ("[presence_hooks]\nreset_start = 'a'\n", 0o666, "not trusted"),  # any user could plant a command
    ("[presence_hooks]\nreset_start = 'a'\n", 0o664, "not trusted"),
    ("[presence_hooks]\nreset_strat = 'a'\n", 0o644, "unknown key(s) reset_strat"),
    ("[presence_hooks]\nreset_start = \"a 'b\"\n", 0o644, "no closing quotation"),
    ("[presence_hooks]\ntimeout_seconds = 0\n", 0o644, "timeout_seconds must be"),
    ("[presence_hooks\n", 0o644, "cannot be read"),
    ("presence_hooks = 3\n", 0o644, "must be a table"),
])
def test_an_unusable_operations_config_switches_every_hook_off_and_says_why(desk, tmp_path, text, mode, words):
    ops = load_operations_config(write_ops(tmp_path, text, mode))
    assert ops.problem is not None and words in ops.problem and "off" in ops.problem
    desk.save_settings(desk.settings().with_changes(reset_start_hook="mine", reset_end_hook="mine too"))
    runner = FakeRunner()
    hooks_for(desk, runner, [], ops=ops)
    desk.start_reset(1, None, "tray")
    desk.end_reset()
    assert runner.runs == []


def test_an_operations_config_in_a_folder_others_can_write_is_not_trusted(tmp_path):
    folder = tmp_path / "etc-agent-companion"
    folder.mkdir()
    folder.chmod(0o777)  # anyone could swap the file for their own
    ops = load_operations_config(write_ops(folder, '[presence_hooks]\nreset_start = "a"\n'))
    assert ops.problem is not None and "operations config folder" in ops.problem and "not trusted" in ops.problem


def test_an_operations_config_that_is_a_folder_is_refused(tmp_path):
    assert "not a file" in load_operations_config(tmp_path).problem


def test_operations_config_path(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_OPERATIONS_CONFIG, str(tmp_path / "ops.toml"))
    assert operations_config_path() == tmp_path / "ops.toml"
    monkeypatch.delenv(ENV_OPERATIONS_CONFIG)
    if sys.platform.startswith("linux"):
        assert operations_config_path() == Path("/etc/agent-companion/operations.toml")


# -- the real runner ----------------------------------------------------------------------------------
def test_the_subprocess_runner_passes_the_environment_and_reads_no_stdin(tmp_path):
    out = tmp_path / "out"
    script = f"import os,sys; open({str(out)!r},'w').write(os.environ['COMPANION_EVENT']+'|'+sys.stdin.read())"
    result = SubprocessRunner().run([sys.executable, "-c", script], {"COMPANION_EVENT": "reset-start"}, 10)
    assert result.ok and out.read_text() == "reset-start|"


def test_the_subprocess_runner_reports_exit_status_and_stderr():
    result = SubprocessRunner().run([sys.executable, "-c", "import sys; sys.stderr.write('HTTP 401\\n'); "
                                     "sys.exit(22)"], {}, 10)
    assert not result.ok and result.detail == "exit status 22: HTTP 401"


def test_the_subprocess_runner_reports_a_missing_program(tmp_path):
    result = SubprocessRunner().run([str(tmp_path / "no-such-acd-tool")], {}, 10)
    assert not result.ok and result.detail.startswith("program not found")


def test_the_subprocess_runner_stops_a_hook_and_its_children_at_the_timeout(tmp_path):
    pidfile = tmp_path / "child.pid"
    script = ("import subprocess,sys,time; p=subprocess.Popen([sys.executable,'-c','import time; time.sleep(60)']);"
              f"open({str(pidfile)!r},'w').write(str(p.pid)); time.sleep(60)")
    began = time.monotonic()
    result = SubprocessRunner().run([sys.executable, "-c", script], {}, 1.5)
    assert not result.ok and "no answer within 1.5 s" in result.detail
    assert time.monotonic() - began < 15
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie awaiting its (killed) parent's reaper counts as gone
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_quit_during_a_reset_still_runs_the_end_hook(configured):
    runner = FakeRunner()
    hooks = hooks_for(configured, runner, [], worker=presence.HookWorker)
    configured.start_reset(1, None, "tray")
    deadline = time.monotonic() + 10
    while not runner.runs and time.monotonic() < deadline:  # the start hook has run (else both are dropped)
        time.sleep(0.01)
    configured.end_reset("quit")
    assert hooks.close(10)
    assert [env.get("COMPANION_RESET_REASON") for _, env, _ in runner.runs] == [None, "quit"]


def test_hook_commands_disabled_runs_nothing():
    assert HookCommands(reset_start="a", disabled="broken").command(presence.RESET_START) == ""


def test_windows_commands_keep_their_backslashes(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    assert presence.parse_command(r'"C:\Program Files\ACD\acd.exe" --status "Not Ready" C:\x\y') == \
        [r"C:\Program Files\ACD\acd.exe", "--status", "Not Ready", r"C:\x\y"]


# -- companion self-test ----------------------------------------------------------------------------------
def test_self_test_reports_the_operations_config(tmp_path, monkeypatch, capsys):
    from companion.paths import Paths
    from companion.selftest import run_self_test

    ops = write_ops(tmp_path, f'[presence_hooks]\nreset_start = "{sys.executable} -c pass"\nreset_end = ""\n')
    monkeypatch.setenv(ENV_OPERATIONS_CONFIG, str(ops))
    assert run_self_test(Paths(tmp_path / "data")) == 0
    assert f"ok   presence hooks: {ops} sets reset_end, reset_start (timeout 10 s)" in capsys.readouterr().out


@pytest.mark.parametrize("text, mode, words", [
    ('[presence_hooks]\nreset_start = "no-such-acd-tool --not-ready"\n', 0o644, "'no-such-acd-tool', which is not found"),
    ('[presence_hooks]\nreset_start = "curl"\n', 0o666, "is not trusted"),
])
def test_self_test_fails_on_an_unusable_operations_config(tmp_path, monkeypatch, text, mode, words):
    from companion import selftest
    from companion.paths import Paths

    monkeypatch.setenv(ENV_OPERATIONS_CONFIG, str(write_ops(tmp_path, text, mode)))
    assert ("presence hooks", selftest._check_presence_hooks) in selftest.CHECKS
    with pytest.raises(RuntimeError) as failed:  # run_self_test prints it as "FAIL presence hooks: ..." and exits 1
        selftest._check_presence_hooks(Paths(tmp_path / "data"))
    assert words in str(failed.value)


def test_the_worked_example_in_the_operations_guide_is_valid(tmp_path):
    text = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    example = text.split("**Worked example", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    ops = load_operations_config(write_ops(tmp_path, example))
    assert ops.problem is None and ops.locked == {"reset_start", "reset_end"} and ops.timeout_seconds == 10
    env = {"COMPANION_RESET_MINUTES": "3", "COMPANION_RESET_REASON": "completed"}
    start = presence.expand(presence.parse_command(ops.reset_start), env)
    end = presence.expand(presence.parse_command(ops.reset_end), env)
    assert start[0] == "curl" and "-fsS" in start and start[-1].startswith("https://")
    assert '{"status": "NOT_READY", "reason": "Wellness", "minutes": 3}' in start
    assert '{"status": "AVAILABLE", "after": "completed"}' in end
