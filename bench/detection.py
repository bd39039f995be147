"""bench/detection.py -- automatic call detection: latency, idle CPU and the memory it adds.

    .venv/bin/python bench/detection.py                    # PulseAudio, 10 calls, 60 s idle (~3 min)
    .venv/bin/python bench/detection.py --server pipewire  # the same through pipewire-pulse
    .venv/bin/python bench/detection.py --runs 4 --idle-seconds 10 --json   # quick; LAST line is JSON

It starts a private sound server with a null microphone (tests/sound_servers.py) and the real app (offscreen)
and measures:

* latency: from just before a stand-in softphone (``parecord``/``pw-record`` named "Zoiper") is started to the
  moment the app has started the call (the ``call-detected`` ready-file line, stamped with the same monotonic
  clock), and from the softphone's exit to the call's end. Both include the debounce on purpose (2 s to start,
  4 s to end: the defaults), so "beyond the debounce" is shown too;
* idle CPU over ``--idle-seconds`` of three fresh processes side by side: the bare PySide6 tray
  (bench/bare_tray.py), the app with detection on (connected to the sound server, nobody on the mic) and the
  app with detection switched off in Settings;
* RSS added by the detector: the app with detection on minus the app with it off, ``--rss-after`` seconds after
  each is ready (target <= 5 MB).

Exit status: 0 targets met, 1 a target missed, 2 it could not run.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sound_servers import SoundServer, SoundServerError  # noqa: E402

COMPANION = str(Path(sys.executable).with_name("companion"))
TARGET_RSS_ADDED = 5e6
TARGET_CPU_PER_MIN = 0.005
MB = 1e6


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def ready_events(ready: Path, prefix: str) -> list[dict]:
    if not ready.exists():
        return []
    return [json.loads(line[len(prefix) + 1:]) for line in ready.read_text().splitlines()
            if line.startswith(prefix + " ")]


def wait_for(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(0.005)
    raise RuntimeError(f"timed out waiting for {what}")


class App:
    def __init__(self, argv: list[str], env: dict[str, str], base: Path, name: str) -> None:
        self.ready = base / f"{name}.ready"
        self.proc = subprocess.Popen(argv, env={**env, "COMPANION_READY_FILE": str(self.ready)},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ps = psutil.Process(self.proc.pid)

    def lines(self) -> list[str]:
        return self.ready.read_text().splitlines() if self.ready.exists() else []

    def wait_line(self, line: str, timeout: float = 60.0) -> None:
        wait_for(lambda: line in self.lines(), f"{line!r} from {self.proc.args}", timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def companion(env: dict[str, str], base: Path, name: str) -> App:
    return App([COMPANION, "--data-dir", str(base / name)], env, base, name)


def detection_off(env: dict[str, str], base: Path, name: str) -> None:
    """A data folder whose settings have call detection switched off (as the Settings window stores it)."""
    app = companion(env, base, name)
    app.wait_line("services-ready")
    app.stop()
    con = sqlite3.connect(base / name / "companion.sqlite")
    con.execute('INSERT INTO settings ("key", value, updated_at) VALUES (?, ?, ?) ON CONFLICT ("key") DO UPDATE '
                'SET value = excluded.value', ("call_detection", "false", "2026-01-01T00:00:00+00:00"))
    con.commit()
    con.close()
    (base / f"{name}.ready").unlink()


def cpu_seconds(ps: psutil.Process) -> float:
    t = ps.cpu_times()
    return t.user + t.system


def schedstat_ns(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return total


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]


def measure_latency(server: SoundServer, env: dict[str, str], base: Path, runs: int) -> dict:
    app = companion(env, base, "latency")
    try:
        app.wait_line("services-ready")
        wait_for(lambda: any(e["status"] == "on" for e in ready_events(app.ready, "detection")), "detection on")
        starts, ends = [], []
        for i in range(runs):
            opened = time.monotonic()
            phone = server.record("Zoiper")
            started = wait_for(lambda: (ready_events(app.ready, "call-detected")[i:] or [None])[0], "call start")
            starts.append(started["mono"] - opened)
            server.stop_recording(phone)
            released = time.monotonic()
            ended = wait_for(lambda: (ready_events(app.ready, "call-detected-end")[i:] or [None])[0], "call end")
            ends.append(ended["mono"] - released)
            log(f"detection: call {i + 1}/{runs}: started after {starts[-1]:.3f} s, ended {ends[-1]:.3f} s "
                "after release")
            time.sleep(0.5)
        return {"start_median_s": statistics.median(starts), "start_p95_s": p95(starts),
                "end_median_s": statistics.median(ends), "end_p95_s": p95(ends),
                "starts_s": [round(s, 4) for s in starts], "ends_s": [round(s, 4) for s in ends]}
    finally:
        app.stop()


def measure_idle(env: dict[str, str], base: Path, rss_after: float, idle_seconds: float) -> dict:
    detection_off(env, base, "off")
    apps = {
        "bare": App([sys.executable, str(ROOT / "bench" / "bare_tray.py")], env, base, "bare"),
        "detection_on": companion(env, base, "on"),
        "detection_off": companion(env, base, "off"),
    }
    try:
        apps["bare"].wait_line("tray-shown")
        for name in ("detection_on", "detection_off"):
            apps[name].wait_line("services-ready")
        wait_for(lambda: any(e["status"] == "on" for e in ready_events(apps["detection_on"].ready, "detection")),
                 "detection on")
        time.sleep(rss_after)
        results = {name: {"rss_bytes": app.ps.memory_info().rss, "uss_bytes": app.ps.memory_full_info().uss}
                   for name, app in apps.items()}
        before = {name: (cpu_seconds(app.ps), schedstat_ns(app.proc.pid)) for name, app in apps.items()}
        log(f"detection: idle for {idle_seconds:g} s ...")
        time.sleep(idle_seconds)
        for name, app in apps.items():
            cpu, sched = cpu_seconds(app.ps), schedstat_ns(app.proc.pid)
            results[name]["idle_cpu_s_per_min"] = (cpu - before[name][0]) * 60 / idle_seconds
            results[name]["sched_ms_per_min"] = (sched - before[name][1]) / 1e6 * 60 / idle_seconds
        return results
    finally:
        for app in apps.values():
            app.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=("pulse", "pipewire"), default="pulse")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rss-after", type=float, default=10.0)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-detect-") as tmp:
        base = Path(tmp)
        server = SoundServer(args.server, base)
        try:
            server.start()
        except SoundServerError as exc:
            log(f"detection: the sound server did not start: {exc}")
            server.stop()
            return 2
        env = {**os.environ, **server.client_env(), "QT_QPA_PLATFORM": "offscreen",
               "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bench-no-bus"}
        try:
            latency = measure_latency(server, env, base, args.runs)
            idle = measure_idle(env, base, args.rss_after, args.idle_seconds)
        except (RuntimeError, SoundServerError) as exc:
            log(f"detection: {exc}")
            return 2
        finally:
            server.stop()
    added = idle["detection_on"]["rss_bytes"] - idle["detection_off"]["rss_bytes"]
    out = {"server": args.server, "runs": args.runs, **latency,
           "rss_added_bytes": added, "results": idle,
           "idle_cpu_s_per_min": idle["detection_on"]["idle_cpu_s_per_min"],
           "bare_idle_cpu_s_per_min": idle["bare"]["idle_cpu_s_per_min"]}
    met = added <= TARGET_RSS_ADDED and out["idle_cpu_s_per_min"] < TARGET_CPU_PER_MIN
    out["pass"] = met
    log(f"detection ({args.server}): start median {latency['start_median_s']:.3f} s, p95 "
        f"{latency['start_p95_s']:.3f} s (debounce 2 s); end median {latency['end_median_s']:.3f} s, p95 "
        f"{latency['end_p95_s']:.3f} s (debounce 4 s)")
    for name, r in idle.items():
        log(f"  {name:14} RSS {r['rss_bytes'] / MB:6.1f} MB  USS {r['uss_bytes'] / MB:6.1f} MB  idle CPU "
            f"{r['idle_cpu_s_per_min']:.3f} s/min (scheduler {r['sched_ms_per_min']:.2f} ms/min)")
    log(f"  RSS added by detection: {added / MB:+.1f} MB (target <= {TARGET_RSS_ADDED / MB:.0f} MB)")
    if args.json:
        print(json.dumps(out))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
