"""The MSI installers under Wine's msiexec (scripts/build-msi; packaging/windows/agent-companion.wxs): a silent
per-user install without admin rights, the installed exe's self-test, an in-place upgrade from an older build,
the AUTOSTART=1 property, the per-machine variant, and an uninstall that removes the program and keeps the
agent's data. Wine does not enforce UAC: that the per-user MSI really needs no elevation, and that the
per-machine one asks for it, is checked once on a real PC (docs/operations.md)."""
from __future__ import annotations

import os
import pwd
import re
import subprocess
from pathlib import Path

import pytest

from tests.windows.wine import ROOT, Wine, winpath

pytestmark = pytest.mark.windows

WXS = (ROOT / "packaging" / "windows" / "agent-companion.wxs").read_text()
USER_UPGRADE_CODE, MACHINE_UPGRADE_CODE = re.findall(r'define UpgradeCode = "([0-9A-F-]+)"', WXS)
OLD_VERSION = "0.0.1"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def _version() -> str:
    return re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE).group(1)


@pytest.fixture(scope="module")
def msis(wine: Wine) -> dict[str, Path]:
    """This version's MSIs and an older build's (the same folder, an older version number) to upgrade from."""
    old_dir = ROOT / "build" / "windows" / "msi-old"
    for env in ({}, {"MSI_VERSION": OLD_VERSION, "OUT_DIR": str(old_dir)}):
        res = subprocess.run(["bash", "scripts/build-msi"], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                             text=True, timeout=900)
        assert res.returncode == 0, res.stderr[-3000:]
    new_dir = ROOT / "dist" / "windows"
    return {"user": new_dir / f"AgentCompanion-{_version()}-user.msi",
            "machine": new_dir / f"AgentCompanion-{_version()}-machine.msi",
            "old-user": old_dir / f"AgentCompanion-{OLD_VERSION}-user.msi"}


def _msiexec(wine: Wine, *args: str) -> int:
    return wine.run("msiexec", *args, timeout=600).returncode


def _products(wine: Wine, upgrade_code: str) -> list[tuple[str, str]]:
    res = wine.run(wine.python, "tests/windows/inside/msi_products.py", "{" + upgrade_code + "}")
    assert res.returncode == 0, res.stdout
    return [tuple(line.split()) for line in res.stdout.splitlines() if line.startswith("{")]


def _uninstall_leftovers(wine: Wine, upgrade_code: str) -> None:
    """The prefix is kept between runs: an installation left by an interrupted run goes first."""
    for product, _ in _products(wine, upgrade_code):
        _msiexec(wine, "/x", product, "/qn")
    assert _products(wine, upgrade_code) == []


def _reg_value(wine: Wine, root: str, key: str, name: str) -> str | None:
    code = ("import winreg,sys\ntry:\n"
            f"  k=winreg.OpenKey(winreg.{root}, {key!r}, 0, winreg.KEY_READ|winreg.KEY_WOW64_64KEY)\n"
            f"  sys.stdout.write('=' + winreg.QueryValueEx(k, {name!r})[0])\n"
            "except FileNotFoundError:\n  sys.stdout.write('-')\n")
    out = wine.run(wine.python, "-c", code).stdout.strip()
    return out[1:] if out.startswith("=") else None


def _self_test(wine: Wine, exe: Path) -> str:
    res = wine.run(exe / "AgentCompanion.exe", "self-test")
    assert res.returncode == 0, res.stdout
    assert "self-test passed" in res.stdout and "WinVaultKeyring" in res.stdout, res.stdout
    return res.stdout


def test_per_user_install_upgrade_autostart_and_uninstall(wine: Wine, msis: dict[str, Path]):
    users = wine.prefix / "drive_c" / "users" / pwd.getpwuid(os.getuid()).pw_name
    program = users / "AppData" / "Local" / "Programs" / "Agent Companion"
    data = users / "AppData" / "Local" / "agent-companion"
    shortcut = (users / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs"
                / "Agent Companion.lnk")
    _uninstall_leftovers(wine, USER_UPGRADE_CODE)

    # the previous build, silently, per user
    assert _msiexec(wine, "/i", winpath(msis["old-user"]), "/qn") == 0
    assert [v for _, v in _products(wine, USER_UPGRADE_CODE)] == [OLD_VERSION]
    assert (program / "AgentCompanion.exe").is_file() and (program / "companion.cmd").is_file()
    assert shortcut.is_file()
    assert _reg_value(wine, "HKEY_CURRENT_USER", RUN_KEY, "AgentCompanion") is None  # no AUTOSTART=1
    _self_test(wine, program)  # run without --data-dir: creates the agent's data folder
    assert (data / "companion.sqlite").is_file()

    # this build upgrades it in place (same UpgradeCode), and AUTOSTART=1 adds the Run key
    assert _msiexec(wine, "/i", winpath(msis["user"]), "/qn", "AUTOSTART=1") == 0
    assert [v for _, v in _products(wine, USER_UPGRADE_CODE)] == [_version()]
    _self_test(wine, program)
    run = _reg_value(wine, "HKEY_CURRENT_USER", RUN_KEY, "AgentCompanion")
    assert run is not None and run.endswith('Agent Companion\\AgentCompanion.exe"')

    # uninstall: the program, its shortcut and its Run key go; the agent's data stays
    assert _msiexec(wine, "/x", winpath(msis["user"]), "/qn") == 0
    assert _products(wine, USER_UPGRADE_CODE) == []
    assert not (program / "AgentCompanion.exe").exists() and not (program / "_internal").exists()
    assert not shortcut.exists()
    assert _reg_value(wine, "HKEY_CURRENT_USER", RUN_KEY, "AgentCompanion") is None
    assert (data / "companion.sqlite").is_file()


def test_per_machine_install_with_autostart_and_uninstall(wine: Wine, msis: dict[str, Path]):
    program = wine.prefix / "drive_c" / "Program Files" / "Agent Companion"
    _uninstall_leftovers(wine, MACHINE_UPGRADE_CODE)
    assert _msiexec(wine, "/i", winpath(msis["machine"]), "/qn", "AUTOSTART=1") == 0
    try:
        assert [v for _, v in _products(wine, MACHINE_UPGRADE_CODE)] == [_version()]
        assert (program / "AgentCompanion.exe").is_file()
        _self_test(wine, program)
        run = _reg_value(wine, "HKEY_LOCAL_MACHINE", RUN_KEY, "AgentCompanion")
        assert run == '"C:\\Program Files\\Agent Companion\\AgentCompanion.exe"'
    finally:
        assert _msiexec(wine, "/x", winpath(msis["machine"]), "/qn") == 0
    assert not (program / "AgentCompanion.exe").exists()
    assert _reg_value(wine, "HKEY_LOCAL_MACHINE", RUN_KEY, "AgentCompanion") is None
    assert _products(wine, MACHINE_UPGRADE_CODE) == []
