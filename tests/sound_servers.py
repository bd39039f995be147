"""Throwaway sound servers for the call-detection tests: a real PulseAudio (``pulseaudio -n``) or a real PipeWire
(``pipewire`` + ``wireplumber`` + ``pipewire-pulse`` on a private D-Bus), each with a null microphone ``mic`` in
a private runtime folder, and ``parecord``/``pw-record`` with an application name as the stand-in softphone.

    server = SoundServer("pulse", tmp_path)      # or "pipewire"
    server.start()
    phone = server.record("FakeSoftphone")       # a capture stream on the null mic, as a softphone on a call
    ...
    server.stop_recording(phone)
    server.restart()                             # the daemon killed and started again (same socket)
    server.stop()

Everything that talks to it gets ``server.env`` (XDG_RUNTIME_DIR, PULSE_SERVER, HOME, D-Bus address). Runs as
root too: PulseAudio only warns about root when it is not a system instance and ``-n`` loads exactly the
modules we name (no autospawn, no D-Bus, no hardware). Debian packages: pulseaudio pulseaudio-utils |
pipewire pipewire-pulse wireplumber pipewire-bin, dbus (scripts/setup installs them).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

PACKAGES = {
    "pulse": ("pulseaudio", "pactl", "parecord"),
    "pipewire": ("pipewire", "wireplumber", "pipewire-pulse", "pw-record", "pactl", "dbus-daemon"),
}

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={runtime}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SoundServerError(RuntimeError):
    pass


def missing_programs(kind: str) -> list[str]:
    return [p for p in PACKAGES[kind] if shutil.which(p) is None]


class SoundServer:
    def __init__(self, kind: str, base: Path, timeout: float = 30.0) -> None:
        assert kind in PACKAGES, kind
        self.kind = kind
        self.timeout = timeout
        self.dir = base / f"sound-{kind}"
        # Short: unix socket paths (D-Bus, PipeWire, pulse/native) must stay under 108 bytes, pytest's are long
        self.runtime = Path(tempfile.mkdtemp(prefix="snd-"))
        self.logs = self.dir / "logs"
        self.daemons: list[subprocess.Popen] = []
        self.recorders: list[subprocess.Popen] = []
        self._bus: subprocess.Popen | None = None
        self.env: dict[str, str] = {}

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> "SoundServer":
        missing = missing_programs(self.kind)
        if missing:
            raise SoundServerError(f"missing programs {missing}: run scripts/setup")
        self.runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.runtime.chmod(0o700)
        self.logs.mkdir(parents=True, exist_ok=True)
        home = self.dir / "home"
        home.mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(self.runtime),
            "PULSE_RUNTIME_PATH": str(self.runtime / "pulse"),
            "PULSE_SERVER": f"unix:{self.runtime / 'pulse' / 'native'}",
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_STATE_HOME": str(home / ".state"),
        }
        if self.kind == "pipewire":
            self._start_bus()
        self._start_daemons()
        return self

    def _start_bus(self) -> None:
        conf = self.dir / "bus.conf"
        conf.write_text(_BUS_CONFIG.format(runtime=self.runtime))
        with open(self.logs / "dbus.log", "ab") as log:
            self._bus = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--nosyslog",
                                          "--print-address=1"], stdout=subprocess.PIPE, stderr=log, env=self.env,
                                         text=True)
        address = self._bus.stdout.readline().strip() if self._bus.stdout else ""
        if not address:
            raise SoundServerError("dbus-daemon printed no address")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "ab") as log:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.DEVNULL, stderr=log,
                                    start_new_session=True)
        self.daemons.append(proc)
        return proc

    def _start_daemons(self) -> None:
        if self.kind == "pulse":
            self._spawn("pulseaudio", [
                "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
                "--use-pid-file=no", "--log-target=stderr",
                "-L", "module-native-protocol-unix auth-anonymous=1",  # clients need no cookie from this HOME
                "-L", "module-null-sink sink_name=spk",
                "-L", "module-null-source source_name=mic"])
            self._wait_ready()
        else:
            self._spawn("pipewire", ["pipewire"])
            self._wait_for(lambda: any(p.name.startswith("pipewire-0") for p in self.runtime.iterdir()),
                           "pipewire's socket")
            self._spawn("wireplumber", ["wireplumber"])
            self._spawn("pipewire-pulse", ["pipewire-pulse"])
            self._wait_ready()
            self.pactl("load-module", "module-null-sink", "media.class=Audio/Source/Virtual", "sink_name=mic",
                       "channel_map=mono")
            self._wait_for(lambda: "\tmic\t" in self.pactl("list", "short", "sources"), "the null mic")

    def _wait_for(self, condition, what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            for proc in self.daemons:
                if proc.poll() is not None:
                    raise SoundServerError(f"{proc.args[0]} exited ({proc.returncode}) waiting for {what}: "
                                           f"{self.log_tail()}")
            try:
                if condition():
                    return
            except (OSError, subprocess.SubprocessError):
                pass
            time.sleep(0.05)
        raise SoundServerError(f"timed out waiting for {what}: {self.log_tail()}")

    def _wait_ready(self) -> None:
        self._wait_for(lambda: subprocess.run(["pactl", "info"], env=self.env, capture_output=True,
                                              timeout=10).returncode == 0, "pactl info")

    def kill(self) -> None:
        """The sound server dies (SIGKILL): what a crash or a restart mid-shift looks like to clients."""
        for proc in reversed(self.daemons):
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
        for proc in self.daemons:
            proc.wait(15)
        self.daemons.clear()

    def restart(self) -> None:
        self.kill()
        for stale in (self.runtime / "pulse" / "native", self.runtime / "pulse" / "pid"):
            stale.unlink(missing_ok=True)
        self._start_daemons()

    def stop(self) -> None:
        for proc in self.recorders:
            self.stop_recording(proc)
        for proc in reversed(self.daemons):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.daemons:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        self.daemons.clear()
        if self._bus is not None:
            self._bus.terminate()
            self._bus.wait(10)
            if self._bus.stdout:
                self._bus.stdout.close()
            self._bus = None
        shutil.rmtree(self.runtime, ignore_errors=True)

    def client_env(self) -> dict[str, str]:
        """What a client (the app under test) needs beside its own environment: where the server listens."""
        return {"PULSE_SERVER": self.env["PULSE_SERVER"]}

    # -- the stand-in softphone --------------------------------------------------------------------
    def record(self, app_name: str) -> subprocess.Popen:
        """Open a capture stream on the null mic as ``app_name`` (audio goes to /dev/null)."""
        if self.kind == "pulse":
            argv = ["parecord", "--device=mic", f"--property=application.name={app_name}", "/dev/null"]
        else:
            argv = ["pw-record", "--target", "mic", "-P", f"application.name={app_name}", "/dev/null"]
        with open(self.logs / "recorders.log", "ab") as log:
            proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        self.recorders.append(proc)
        self._wait_for(lambda: app_name in self.recording_apps(), f"{app_name}'s capture stream")
        return proc

    def stop_recording(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc in self.recorders:
            self.recorders.remove(proc)

    # -- looking at the server -----------------------------------------------------------------------
    def pactl(self, *args: str) -> str:
        done = subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, timeout=20)
        if done.returncode != 0:
            raise SoundServerError(f"pactl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def recording_apps(self) -> list[str]:
        """The application name of every capture stream (source output) on the server, whoever opened it."""
        names = []
        for line in self.pactl("list", "source-outputs").splitlines():
            line = line.strip()
            if line.startswith("application.name = "):
                names.append(line.split("=", 1)[1].strip().strip('"'))
        return names

    def log_tail(self, lines: int = 15) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)
