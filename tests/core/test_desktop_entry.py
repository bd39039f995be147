"""`companion desktop install|uninstall`: menu entry, icon and (optionally) autostart in temporary XDG folders."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from companion import desktop_entry, resources
from companion.autostart import desktop_exec_line
from tests.process import COMPANION


def validate(path: Path) -> None:
    tool = shutil.which("desktop-file-validate")
    assert tool, "desktop-file-validate is missing: run scripts/setup (apt package desktop-file-utils)"
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and "error" not in out.stdout, out.stdout + out.stderr


@pytest.fixture
def xdg(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "HOME": str(tmp_path / "home")}
    env.pop("COMPANION_DATA_DIR", None)
    return tmp_path, env


def companion(env, *args):
    return subprocess.run([COMPANION, *args], capture_output=True, text=True, timeout=60, env=env)


def entry_values(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_install_writes_a_valid_entry_that_starts_this_installation_and_the_icon(xdg):
    tmp, env = xdg
    result = companion(env, "desktop", "install")
    assert result.returncode == 0, result.stderr
    entry = tmp / "share" / "applications" / "agent-companion.desktop"
    icon = tmp / "share" / "icons" / "hicolor" / "scalable" / "apps" / "agent-companion.svg"
    exe = str(Path(COMPANION).resolve())
    assert f"installed {entry}" in result.stdout and f"installed {icon}" in result.stdout
    values = entry_values(entry)
    assert values["Exec"] == exe and values["TryExec"] == exe  # no --data-dir: the default folder
    assert values["Name"] == "Agent Companion" and values["Icon"] == "agent-companion"
    assert icon.read_bytes() == resources.path("icons/agent-companion.svg").read_bytes()
    assert entry.stat().st_mode & 0o777 == 0o644 and icon.stat().st_mode & 0o777 == 0o644
    validate(entry)
    assert not (tmp / "config" / "autostart").exists()  # only with --autostart
    # The Exec line really starts this installation: run it (as `--version`).
    ran = subprocess.run([values["Exec"], "--version"], capture_output=True, text=True, timeout=60, env=env)
    assert ran.returncode == 0 and "companion" in ran.stdout


def test_a_non_default_data_folder_is_passed_on_quoted(xdg):
    tmp, env = xdg
    data = tmp / "agent data 100%"
    result = companion(env, "desktop", "install", "--autostart", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    entry = tmp / "share" / "applications" / "agent-companion.desktop"
    login = tmp / "config" / "autostart" / "agent-companion.desktop"
    expected = f'{Path(COMPANION).resolve()} --data-dir "{data}"'.replace("%", "%%")
    assert entry_values(entry)["Exec"] == expected and entry_values(login)["Exec"] == expected
    validate(entry)
    validate(login)


def test_uninstall_removes_exactly_what_install_wrote(xdg):
    tmp, env = xdg
    assert companion(env, "desktop", "install", "--autostart").returncode == 0
    other = tmp / "share" / "applications" / "someone-else.desktop"
    other.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    result = companion(env, "desktop", "uninstall")
    assert result.returncode == 0 and result.stdout.count("removed ") == 3
    assert not (tmp / "share" / "applications" / "agent-companion.desktop").exists()
    assert not (tmp / "share" / "icons" / "hicolor" / "scalable" / "apps" / "agent-companion.svg").exists()
    assert not (tmp / "config" / "autostart" / "agent-companion.desktop").exists()
    assert other.exists()
    again = companion(env, "desktop", "uninstall")
    assert again.returncode == 0 and "nothing to remove" in again.stdout


def test_an_entry_not_written_by_us_is_kept(xdg):
    tmp, env = xdg
    entry = tmp / "share" / "applications" / "agent-companion.desktop"
    entry.parent.mkdir(parents=True)
    entry.write_text("[Desktop Entry]\nType=Application\nName=Packaged by IT\nExec=/opt/ac/companion\n")
    result = companion(env, "desktop", "uninstall")
    assert result.returncode == 0 and "kept" in result.stdout and "not installed by Agent Companion" in result.stdout
    assert entry.read_text().startswith("[Desktop Entry]\nType=Application\nName=Packaged by IT")


def test_system_wide_install_and_refusals(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(desktop_entry, "SYSTEM_DATA_DIR", tmp_path / "usr-local-share")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert desktop_entry.run("install", system=True, autostart=False, data_dir=tmp_path / "d", environ=env) == 0
    assert (tmp_path / "usr-local-share" / "applications" / "agent-companion.desktop").exists()
    assert desktop_entry.run("install", system=True, autostart=True, data_dir=tmp_path / "d", environ=env) == 1
    assert "--autostart is per user" in capsys.readouterr().err
    assert desktop_entry.run("uninstall", system=True, autostart=False, data_dir=tmp_path / "d", environ=env) == 0
    assert not (tmp_path / "usr-local-share" / "applications" / "agent-companion.desktop").exists()
    monkeypatch.setattr(sys, "platform", "win32")
    assert desktop_entry.run("install", system=False, autostart=False, data_dir=tmp_path, environ=env) == 1
    assert "desktop entries are for Linux" in capsys.readouterr().err


def test_bad_action_is_a_usage_error(xdg):
    _, env = xdg
    result = companion(env, "desktop", "reinstall")
    assert result.returncode == 2 and "invalid choice" in result.stderr


# -- the Exec line: quoting per the Desktop Entry spec -----------------------------------------------------------
def parse_exec(value: str) -> list[str]:
    """Undo a desktop entry's Exec value (string escapes, then quoting, then %%) as a launcher would."""
    unescaped, i = "", 0
    while i < len(value):  # string-value escapes: \\s \\n \\t \\r \\\\ (others are kept for the quoting rules)
        if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in "sntr\\":
            unescaped += {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[value[i + 1]]
            i += 2
        else:
            unescaped += value[i]
            i += 1
    args, cur, quoted, started, i = [], "", False, False, 0
    while i < len(unescaped):
        c = unescaped[i]
        if quoted and c == "\\" and i + 1 < len(unescaped) and unescaped[i + 1] in '"`$\\':
            cur += unescaped[i + 1]
            i += 2
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c == " " and not quoted:
            if started:
                args.append(cur)
            cur, started = "", False
        else:
            cur, started = cur + c, True
        i += 1
    assert not quoted
    if started:
        args.append(cur)
    return [a.replace("%%", "%") for a in args]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"), min_size=1,
                        max_size=30), min_size=1, max_size=4))
def test_any_printable_command_survives_the_exec_line(args):
    assert parse_exec(desktop_exec_line(args)) == args


def test_awkward_paths_give_entries_the_validator_accepts(tmp_path):
    template = resources.path("agent-companion.desktop").read_text()
    for awkward in ['/opt/a b/companion', '/opt/quote"d/companion', '/opt/back\\slash/c', '/opt/$HOME/`x`/c',
                    '/opt/100%/c', "/opt/it's/c"]:
        path = tmp_path / "agent-companion.desktop"
        path.write_text(desktop_entry.entry_text(template, [awkward, "--data-dir", awkward + "/data"]))
        validate(path)
        assert parse_exec(entry_values(path)["Exec"]) == [awkward, "--data-dir", awkward + "/data"]


def test_control_characters_are_refused():
    with pytest.raises(ValueError, match="control character"):
        desktop_exec_line(["/opt/a\nb/companion"])


def test_no_permission_is_said_plainly(tmp_path, monkeypatch, capsys):
    locked = tmp_path / "usr-local-share"
    locked.mkdir(mode=0o555)
    monkeypatch.setattr(desktop_entry, "SYSTEM_DATA_DIR", locked)
    if os.geteuid() == 0:  # root writes anywhere: take the permission away from the write itself
        def refuse(path, data):
            raise PermissionError(13, "Permission denied", str(path))
        monkeypatch.setattr(desktop_entry, "_write", refuse)
    assert desktop_entry.run("install", system=True, autostart=False, data_dir=tmp_path / "d",
                             environ={"XDG_CONFIG_HOME": str(tmp_path / "config")}) == 1
    err = capsys.readouterr().err
    assert "permission denied (--system needs root: run it with sudo)" in err and "Traceback" not in err
