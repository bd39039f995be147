"""Run by the Windows CPython under Wine (started by tests/windows/test_wine.py), with the app installed from
this checkout: the Windows code paths that the Linux suite only tests with fakes, against the real Windows APIs
(as far as Wine implements them)."""
import os
import subprocess
import sys
import uuid
import winreg
from pathlib import Path

import pytest

from companion import autostart, ipc
from companion.errors import NotRunning
from companion.paths import Paths, default_data_dir
from companion.secrets import KeyringSecretStore, SessionSecrets


def test_the_data_folder_is_under_localappdata():
    assert default_data_dir() == Path(os.environ["LOCALAPPDATA"]) / "agent-companion"


def test_autostart_writes_and_removes_the_run_key():
    starter = autostart.for_platform()
    assert isinstance(starter, autostart.WindowsRunKey)
    command = [r"C:\Program Files\Agent Companion\AgentCompanion.exe", "--data-dir", r"C:\agents\dana"]
    starter.enable(command)
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, autostart.RUN_KEY) as key:
            value, kind = winreg.QueryValueEx(key, autostart.RUN_VALUE)
        assert kind == winreg.REG_SZ
        assert value == r'"C:\Program Files\Agent Companion\AgentCompanion.exe" --data-dir C:\agents\dana'
        assert starter.is_enabled()
    finally:
        starter.disable()
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, autostart.RUN_KEY) as key:
        with pytest.raises(FileNotFoundError):
            winreg.QueryValueEx(key, autostart.RUN_VALUE)
    assert not starter.is_enabled()
    starter.disable()  # again: nothing to remove is fine


def test_the_secret_goes_into_the_credential_manager(tmp_path):
    store = KeyringSecretStore(service=f"agent-companion-test-{uuid.uuid4().hex[:8]}")
    assert store.available()
    assert store.name == "keyring.backends.Windows.WinVaultKeyring"
    user, secret = "dana@hub", f"s3cret-{uuid.uuid4().hex}"
    store.set(user, secret)
    try:
        # read back by another process through the Credential Manager API (CredRead), not from this one's memory
        probe = ("import keyring,sys; from keyring.backends.Windows import WinVaultKeyring; "
                 f"sys.stdout.write(WinVaultKeyring().get_password({store.service!r}, {user!r}) or '')")
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
        assert out.stdout == secret
        assert SessionSecrets(keyring_store=store).get(user) == secret
    finally:
        store.delete(user)
    assert store.get(user) is None


def test_the_pipe_name_is_per_user_and_per_data_folder(monkeypatch):
    paths = Paths(Path(r"C:\agents\dana"))
    mine = paths.server_name
    assert os.environ["USERNAME"] in mine
    monkeypatch.setenv("USERNAME", "someone-else")
    assert paths.server_name != mine
    assert Paths(Path(r"C:\agents\lee")).server_name != Paths(Path(r"C:\agents\dana")).server_name


def test_a_client_with_no_app_running_is_told_so():
    with pytest.raises(NotRunning):
        ipc.send(Paths(Path(r"C:\nobody-runs-here")).server_name, {"cmd": "status"})
