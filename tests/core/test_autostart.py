import plistlib

from companion import autostart


def test_xdg_autostart_entry(tmp_path):
    entry = autostart.for_platform("linux", environ={"XDG_CONFIG_HOME": str(tmp_path)}, home=tmp_path / "h")
    assert not entry.is_enabled()
    entry.enable(["/opt/my apps/companion", "--data-dir", "/x/100%"])
    text = (tmp_path / "autostart" / "agent-companion.desktop").read_text()
    assert entry.is_enabled()
    assert "Type=Application" in text and "Name=Agent Companion" in text
    assert 'Exec="/opt/my apps/companion" --data-dir "/x/100%%"' in text
    entry.disable()
    assert not entry.is_enabled()
    entry.disable()  # twice is fine


def test_xdg_falls_back_to_home_config(tmp_path):
    entry = autostart.for_platform("linux", environ={}, home=tmp_path)
    entry.enable(["companion"])
    assert (tmp_path / ".config" / "autostart" / "agent-companion.desktop").exists()


class FakeKey:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeWinreg:
    HKEY_CURRENT_USER = "HKCU"
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self):
        self.values = {}

    def CreateKey(self, root, path):
        assert (root, path) == ("HKCU", autostart.RUN_KEY)
        return FakeKey()

    def OpenKey(self, root, path, reserved=0, access=0):
        assert (root, path) == ("HKCU", autostart.RUN_KEY)
        return FakeKey()

    def SetValueEx(self, key, name, reserved, kind, value):
        assert kind == self.REG_SZ
        self.values[name] = value

    def QueryValueEx(self, key, name):
        if name not in self.values:
            raise FileNotFoundError(name)
        return self.values[name], self.REG_SZ

    def DeleteValue(self, key, name):
        if name not in self.values:
            raise FileNotFoundError(name)
        del self.values[name]


def test_windows_run_key():
    reg = FakeWinreg()
    entry = autostart.for_platform("win32", registry=reg)
    assert not entry.is_enabled()
    entry.enable([r"C:\Program Files\Agent Companion\companion.exe", "run"])
    assert reg.values["AgentCompanion"] == r'"C:\Program Files\Agent Companion\companion.exe" run'
    assert entry.is_enabled()
    entry.disable()
    assert not entry.is_enabled() and reg.values == {}
    entry.disable()


def test_macos_launch_agent(tmp_path):
    entry = autostart.for_platform("darwin", home=tmp_path)
    entry.enable(["/Applications/Agent Companion.app/Contents/MacOS/companion"])
    plist = plistlib.loads((tmp_path / "Library/LaunchAgents/org.agentcompanion.companion.plist").read_bytes())
    assert plist["RunAtLoad"] is True
    assert plist["ProgramArguments"] == ["/Applications/Agent Companion.app/Contents/MacOS/companion"]
    assert entry.is_enabled()
    entry.disable()
    assert not entry.is_enabled()


def test_launch_command(tmp_path):
    script = tmp_path / "companion"
    script.write_text("")
    assert autostart.launch_command(argv0=str(script), frozen=False) == [str(script.resolve())]
    assert autostart.launch_command(argv0="/somewhere/pytest", frozen=False)[1:] == ["-m", "ui"]


def test_launch_command_keeps_a_non_default_data_folder(tmp_path):
    script = tmp_path / "companion"
    script.write_text("")
    default = tmp_path / "default"
    assert autostart.launch_command(default, default, argv0=str(script), frozen=False) == [str(script.resolve())]
    assert autostart.launch_command(tmp_path / "agent2", default, argv0=str(script), frozen=False) == [
        str(script.resolve()), "--data-dir", str(tmp_path / "agent2")]
