#!/usr/bin/env python3
"""Start-up, memory and idle-CPU benchmark: a bare PySide6 tray app against Agent Companion.

Not a test: run it by hand (see bench/README.md)::

    .venv/bin/python bench/startup.py                      # 5 timed runs each, 10 s settle, 60 s idle
    .venv/bin/python bench/startup.py --runs 3 --idle-seconds 10 --rss-after 2 --json

Both apps run on a fresh HeadlessDesktop (tests/e2e/desktop.py: Xvfb, private D-Bus, openbox, tint2 as
XEmbed tray host, dunst, unlocked gnome-keyring). For each app:

* start-up: from just before ``Popen`` to the moment the app appends ``tray-shown`` to the file named by
  COMPANION_READY_FILE (polled every 5 ms). Median of ``--runs`` runs (after ``--warmup`` discarded runs;
  bare and companion runs alternate). Also shown: when the tray host had actually embedded the icon (seen
  in the X window tree) and, for the companion, when it wrote ``services-ready``;
* idle RSS: ``--rss-after`` seconds after tray-shown (psutil, the process itself, no children);
* idle CPU: user+system seconds (psutil) used during the following ``--idle-seconds``, as seconds per minute.

Targets: start-up <= 1.5x bare, companion idle RSS <= 85 MB (10^6 bytes), companion idle CPU < 0.005 s/min
(prints as 0.00). Exit status: 0 all targets met, 1 a target missed, 2 the benchmark could not run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.desktop import DesktopError, HeadlessDesktop  # noqa: E402

READY_ENV = "COMPANION_READY_FILE"
POLL = 0.005
START_TIMEOUT = 60.0
SETTLE_TIMEOUT = 15.0

TARGET_START_RATIO = 1.5
TARGET_RSS_BYTES = 85 * 1000 * 1000
TARGET_CPU_PER_MIN = 0.005


class BenchError(RuntimeError):
    pass


@dataclass
class App:
    name: str
    argv_template: list[str]  # "{data_dir}" is replaced by a fresh folder for every launch
    marks: tuple[str, ...] = ()  # extra ready-file lines to wait for (and time) after tray-shown

    def argv(self, data_dir: Path) -> list[str]:
        return [a.replace("{data_dir}", str(data_dir)) for a in self.argv_template]


@dataclass
class Launch:
    """One running instance of an app on the desktop."""

    app: App
    desktop: HeadlessDesktop
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    t0: float = 0.0
    startup_s: float | None = None
    embedded_s: float | None = None
    marks_s: dict[str, float | None] = field(default_factory=dict)
    shown_at: float = 0.0  # perf_counter() when tray-shown was seen

    def start(self) -> "Launch":
        ready = self.workdir / "ready"
        data = self.workdir / "data"
        env = dict(self.desktop.env, **{READY_ENV: str(ready)})
        argv = self.app.argv(data)
        self._log = open(self.workdir / "output.log", "wb")
        self.t0 = time.perf_counter()
        try:
            self.proc = subprocess.Popen(argv, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=ROOT)
        except OSError as exc:
            raise BenchError(f"cannot start {self.app.name} ({shlex.join(argv)}): {exc}") from None
        seen: dict[str, float] = {}
        deadline = self.t0 + START_TIMEOUT
        while "tray-shown" not in seen:
            time.sleep(POLL)
            now = time.perf_counter()
            self._read_marks(ready, seen, now)
            if "tray-shown" in seen:
                break
            if self.proc.poll() is not None:
                raise BenchError(f"{self.app.name} exited with {self.proc.returncode} before tray-shown:\n"
                                 + self.output())
            if now > deadline:
                raise BenchError(f"{self.app.name}: no tray-shown line within {START_TIMEOUT:g} s:\n" + self.output())
        self.startup_s = seen["tray-shown"] - self.t0
        self.shown_at = seen["tray-shown"]
        # Then (no longer racing the start-up) wait for the tray host to embed the icon, and for extra marks.
        settle_deadline = time.perf_counter() + SETTLE_TIMEOUT
        while time.perf_counter() < settle_deadline:
            now = time.perf_counter()
            if self.embedded_s is None and self.desktop.has_tray_icon(self.proc.pid):
                self.embedded_s = time.perf_counter() - self.t0
            self._read_marks(ready, seen, now)
            if self.embedded_s is not None and all(m in seen for m in self.app.marks):
                break
            if self.proc.poll() is not None:
                raise BenchError(f"{self.app.name} exited with {self.proc.returncode}:\n" + self.output())
            time.sleep(POLL)
        if self.embedded_s is None:
            raise BenchError(f"{self.app.name} wrote tray-shown but no icon was embedded in the tray within "
                             f"{SETTLE_TIMEOUT:g} s (icons: {self.desktop.tray_icons()})")
        self.marks_s = {m: (seen[m] - self.t0 if m in seen else None) for m in self.app.marks}
        return self

    @staticmethod
    def _read_marks(ready: Path, seen: dict[str, float], now: float) -> None:
        try:
            text = ready.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        for line in text.splitlines():
            seen.setdefault(line.strip(), now)

    def output(self) -> str:
        self._log.flush()
        text = (self.workdir / "output.log").read_text(errors="replace")
        return text[-3000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if hasattr(self, "_log"):
            self._log.close()


def cpu_seconds(ps: psutil.Process) -> float:
    t = ps.cpu_times()
    return t.user + t.system


def schedstat_ns(pid: int) -> int:
    """On-CPU time of all current threads in ns (/proc/<pid>/task/*/schedstat): finer than psutil's ticks."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return total


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def run_bench(args: argparse.Namespace, apps: list[App], log: Any) -> dict[str, Any]:
    results: dict[str, Any] = {a.name: {"argv": a.argv_template, "startup_s": [], "embedded_s": [],
                                        "marks_s": {m: [] for m in a.marks}} for a in apps}
    with tempfile.TemporaryDirectory(prefix="bench-startup.") as tmp, \
            HeadlessDesktop().start(tray="tint2", wm=True, dunst=True, keyring_password="bench") as desktop:
        log(f"desktop {desktop.display} up; {args.warmup} warm-up + {args.runs} timed runs per app")
        n = 0
        for i in range(args.warmup + args.runs):
            for app in apps:
                n += 1
                launch = Launch(app, desktop, Path(tmp) / f"{n:03d}-{app.name}")
                launch.workdir.mkdir()
                try:
                    launch.start()
                finally:
                    launch.stop()
                timed = i >= args.warmup
                log(f"  {'run ' + str(i - args.warmup + 1) if timed else 'warm-up'} {app.name:<10} "
                    f"tray-shown {launch.startup_s:.3f} s, embedded {launch.embedded_s:.3f} s"
                    + "".join(f", {m} {v:.3f} s" for m, v in launch.marks_s.items() if v is not None))
                if timed:
                    r = results[app.name]
                    r["startup_s"].append(launch.startup_s)
                    r["embedded_s"].append(launch.embedded_s)
                    for m, v in launch.marks_s.items():
                        if v is not None:
                            r["marks_s"][m].append(v)

        # Idle phase: one fresh instance of each app, side by side.
        log(f"idle: waiting {args.rss_after:g} s after tray-shown, then measuring CPU for {args.idle_seconds:g} s")
        launches = []
        try:
            for app in apps:
                n += 1
                launch = Launch(app, desktop, Path(tmp) / f"{n:03d}-{app.name}-idle")
                launch.workdir.mkdir()
                launches.append(launch)
                launch.start()
            procs = {ln.app.name: psutil.Process(ln.proc.pid) for ln in launches if ln.proc is not None}
            last_shown = max(ln.shown_at for ln in launches)
            time.sleep(max(0.0, last_shown + args.rss_after - time.perf_counter()))
            for name, ps in procs.items():
                mem = ps.memory_full_info()
                results[name].update(rss_bytes=mem.rss, uss_bytes=mem.uss, pss_bytes=getattr(mem, "pss", None),
                                     threads=ps.num_threads())
            cpu0 = {name: (cpu_seconds(ps), schedstat_ns(ps.pid)) for name, ps in procs.items()}
            t_idle = time.perf_counter()
            time.sleep(args.idle_seconds)
            elapsed = time.perf_counter() - t_idle
            for name, ps in procs.items():
                if not ps.is_running():
                    raise BenchError(f"{name} exited during the idle phase")
                cpu, ns = cpu_seconds(ps) - cpu0[name][0], schedstat_ns(ps.pid) - cpu0[name][1]
                results[name].update(idle_seconds=elapsed, idle_cpu_s=cpu, idle_cpu_s_per_min=cpu * 60 / elapsed,
                                     idle_sched_ms_per_min=ns / 1e6 * 60 / elapsed)
        finally:
            for launch in launches:
                launch.stop()
    for name in results:
        r = results[name]
        r["startup_median_s"] = median(r["startup_s"])
        r["embedded_median_s"] = median(r["embedded_s"])
        r["marks_median_s"] = {m: median(v) for m, v in r["marks_s"].items()}
    return results


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    bare, comp = results["bare"], results["companion"]
    ratio = comp["startup_median_s"] / bare["startup_median_s"]
    return [
        {"metric": "start-up ratio (companion / bare)", "value": ratio, "target": f"<= {TARGET_START_RATIO}x",
         "pass": ratio <= TARGET_START_RATIO},
        {"metric": "companion idle RSS (bytes)", "value": comp["rss_bytes"], "target": f"<= {TARGET_RSS_BYTES}",
         "pass": comp["rss_bytes"] <= TARGET_RSS_BYTES},
        {"metric": "companion idle CPU (s/min)", "value": comp["idle_cpu_s_per_min"],
         "target": f"< {TARGET_CPU_PER_MIN}", "pass": comp["idle_cpu_s_per_min"] < TARGET_CPU_PER_MIN},
    ]


def table(results: dict[str, Any], checks: list[dict[str, Any]], args: argparse.Namespace) -> str:
    bare, comp = results["bare"], results["companion"]

    def ratio(a: float | None, b: float | None) -> str:
        return f"{b / a:.2f}x" if a and b is not None else "-"

    def fmt(v: float | None, spec: str, unit: str = "") -> str:
        return "-" if v is None else f"{v:{spec}}{unit}"

    ok = {c["metric"]: ("PASS" if c["pass"] else "FAIL") for c in checks}
    mb = 1e6
    rows = [
        ("start-up to tray-shown (median)", fmt(bare["startup_median_s"], ".3f", " s"),
         fmt(comp["startup_median_s"], ".3f", " s"), ratio(bare["startup_median_s"], comp["startup_median_s"]),
         f"<= {TARGET_START_RATIO}x bare", ok["start-up ratio (companion / bare)"]),
        ("  min .. max", f"{min(bare['startup_s']):.3f}..{max(bare['startup_s']):.3f}",
         f"{min(comp['startup_s']):.3f}..{max(comp['startup_s']):.3f}", "", "", ""),
        ("icon embedded by tray host (median)", fmt(bare["embedded_median_s"], ".3f", " s"),
         fmt(comp["embedded_median_s"], ".3f", " s"),
         ratio(bare["embedded_median_s"], comp["embedded_median_s"]), "", ""),
    ]
    for m, v in comp["marks_median_s"].items():
        rows.append((f"{m} (median)", "-", fmt(v, ".3f", " s"), "", "", ""))
    rows += [
        (f"idle RSS after {args.rss_after:g} s", fmt(bare["rss_bytes"] / mb, ".1f", " MB"),
         fmt(comp["rss_bytes"] / mb, ".1f", " MB"), ratio(bare["rss_bytes"], comp["rss_bytes"]),
         f"<= {TARGET_RSS_BYTES / mb:.0f} MB", ok["companion idle RSS (bytes)"]),
        ("  USS (private)", fmt(bare["uss_bytes"] / mb, ".1f", " MB"), fmt(comp["uss_bytes"] / mb, ".1f", " MB"),
         ratio(bare["uss_bytes"], comp["uss_bytes"]), "", ""),
        (f"idle CPU over {bare['idle_seconds']:.0f} s", fmt(bare["idle_cpu_s_per_min"], ".2f", " s/min"),
         fmt(comp["idle_cpu_s_per_min"], ".2f", " s/min"), "", "0.00 s/min", ok["companion idle CPU (s/min)"]),
        ("  scheduler on-CPU time", fmt(bare["idle_sched_ms_per_min"], ".2f", " ms/min"),
         fmt(comp["idle_sched_ms_per_min"], ".2f", " ms/min"), "", "", ""),
        ("  threads", str(bare["threads"]), str(comp["threads"]), "", "", ""),
    ]
    header = ("metric", "bare", "companion", "ratio", "target", "result")
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    line = lambda r: " | ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    sep = "-+-".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed start-ups per app (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="discarded start-ups per app first (default 1)")
    parser.add_argument("--rss-after", type=float, default=10.0,
                        help="seconds after tray-shown before RSS is read (default 10)")
    parser.add_argument("--idle-seconds", type=float, default=60.0,
                        help="seconds of idle CPU measurement (default 60)")
    parser.add_argument("--companion-cmd", default=None,
                        help="command line for the app under test; {data_dir} is replaced by a fresh folder "
                             "(default: <venv>/bin/companion --data-dir {data_dir})")
    parser.add_argument("--json", action="store_true",
                        help="print the results as one JSON object on the last line instead of a table")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    log = (lambda msg: print(msg, file=sys.stderr, flush=True))
    bare = App("bare", [sys.executable, str(ROOT / "bench" / "bare_tray.py"), "--data-dir", "{data_dir}"])
    if args.companion_cmd:
        companion = App("companion", shlex.split(args.companion_cmd))
    else:
        exe = Path(sys.executable).parent / "companion"
        if not exe.exists():
            print(f"startup.py: {exe} not found; run scripts/setup (pip install -e '.[test]') first",
                  file=sys.stderr)
            return 2
        companion = App("companion", [str(exe), "--data-dir", "{data_dir}"], marks=("services-ready",))

    try:
        results = run_bench(args, [bare, companion], log)
    except (BenchError, DesktopError) as exc:
        print(f"startup.py: {exc}", file=sys.stderr)
        return 2
    checks = evaluate(results)
    report = {
        "results": results,
        "checks": checks,
        "pass": all(c["pass"] for c in checks),
        "settings": {"runs": args.runs, "warmup": args.warmup, "rss_after_s": args.rss_after,
                     "idle_seconds": args.idle_seconds, "poll_s": POLL},
        "environment": {"python": platform.python_version(), "machine": platform.machine(),
                        "cpus": os.cpu_count(), "loadavg": os.getloadavg(), "pyside6": _version("PySide6-Essentials")},
    }
    if args.json:  # one JSON object on one line, the last line of the output (bench/report reads it)
        print(json.dumps(report))
    else:
        print(table(results, checks, args))
        print("\nresult:", "all targets met" if report["pass"] else
              "MISSED: " + ", ".join(c["metric"] for c in checks if not c["pass"]))
    return 0 if report["pass"] else 1


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
