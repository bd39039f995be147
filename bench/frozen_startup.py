#!/usr/bin/env python3
"""The frozen builds' start-up to tray and idle memory, on Linux and under Wine, beside a bare tray app frozen the
same way (PyInstaller one-folder of bench/bare_tray.py, which then draws a plain square icon).

Not a test: run it by hand after scripts/build and scripts/build-windows (see bench/README.md)::

    .venv/bin/python bench/frozen_startup.py                  # 3 runs each, RSS 10 s after tray-shown
    .venv/bin/python bench/frozen_startup.py --runs 5 --build-bare

* start-up: from just before Popen to ``tray-shown`` in COMPANION_READY_FILE (median; one warm-up run first,
  which under Wine also starts the wineserver);
* tray: when the tray host (tint2, on a fresh HeadlessDesktop) had embedded a viewable icon;
* idle RSS: VmRSS of the process ``--rss-after`` seconds after tray-shown. Under Wine that is the Windows
  process's Linux process, Wine's own libraries included (so it overstates what Windows would show).
``--build-bare`` (re)builds the frozen bare tray apps first (build/bench/, ~1 min on Linux, ~3 min under Wine).
Prints a Markdown table and, with --json, a JSON object on the last line.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.desktop import HeadlessDesktop  # noqa: E402
from tests.windows.wine import ensure, winpath  # noqa: E402

BARE = ROOT / "build" / "bench"


def build_bare(wine) -> None:
    common = ["--noconfirm", "--onedir", "--log-level", "WARN", "--name", "bare-tray",
              "--workpath", "build/bench-work"]
    subprocess.run([str(ROOT / ".build-venv" / "bin" / "pyinstaller"), *common, "--distpath", "build/bench/linux",
                    "bench/bare_tray.py"], cwd=ROOT, check=True)
    res = wine.run(wine.python, "-m", "PyInstaller", *common, "--windowed", "--distpath", "build/bench/windows",
                   "bench/bare_tray.py", timeout=1800)
    if res.returncode != 0:
        raise SystemExit(res.stdout[-3000:])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


def measure(argv: list[str], env: dict[str, str], ready_path, desktop, rss_after: float, wine=None) -> dict:
    with tempfile.TemporaryDirectory(prefix="frozen-bench.") as tmp:
        ready = Path(tmp) / "ready"
        data = Path(tmp) / "data"
        ready_value = winpath(ready) if wine else str(ready)
        data_value = winpath(data) if wine else str(data)
        t0 = time.monotonic()
        if wine:  # through wine.popen: its output must go to a pipe
            proc = wine.popen(argv[-1], "--data-dir", data_value, log=Path(tmp) / "out.log",
                              env={**env, "COMPANION_READY_FILE": ready_value})
        else:
            proc = subprocess.Popen([*argv, "--data-dir", data_value], env={**env, "COMPANION_READY_FILE": ready_value},
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            shown = docked = None
            deadline = t0 + 240
            while time.monotonic() < deadline and (shown is None or docked is None):
                now = time.monotonic()
                if shown is None and ready.exists() and "tray-shown" in ready.read_text().split():
                    shown = now - t0
                if docked is None and any(i.viewable for i in desktop.tray_icons()):
                    docked = now - t0
                time.sleep(0.01)
            if shown is None:
                raise RuntimeError(f"{argv[-1]} never wrote tray-shown")
            time.sleep(max(0.0, t0 + shown + rss_after - time.monotonic()))
            return {"startup_s": shown, "docked_s": docked, "rss_mb": rss_mb(proc.pid)}
        finally:
            proc.kill()
            proc.wait(30)
            if wine:
                wine.stop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rss-after", type=float, default=10.0)
    parser.add_argument("--build-bare", action="store_true")
    parser.add_argument("--no-bare", action="store_true", help="measure Agent Companion only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    wine = ensure()
    if not args.no_bare and (args.build_bare or not (BARE / "windows" / "bare-tray" / "bare-tray.exe").exists()):
        build_bare(wine)
    targets = {
        "Linux: Agent Companion": ([str(ROOT / "dist" / "agent-companion" / "companion")], None),
        "Linux: bare tray": ([str(BARE / "linux" / "bare-tray" / "bare-tray")], None),
        "Wine: Agent Companion": (["wine", str(ROOT / "dist" / "windows" / "AgentCompanion" / "AgentCompanion.exe")],
                                  wine),
        "Wine: bare tray": (["wine", str(BARE / "windows" / "bare-tray" / "bare-tray.exe")], wine),
    }
    if args.no_bare:
        targets = {name: target for name, target in targets.items() if "bare" not in name}
    results = {}
    for name, (command, w) in targets.items():
        runs = []
        for i in range(args.runs + 1):
            with HeadlessDesktop().start(tray="tint2", wm=True, dunst=w is None) as desktop:
                env = {"DISPLAY": desktop.env["DISPLAY"]} if w else dict(desktop.env)
                run = measure(command, env, None, desktop, args.rss_after, wine=w)
            if i:  # the first run warms the caches (and the wineserver) up
                runs.append(run)
            print(f"{name} run {i}: {run}", file=sys.stderr)
        results[name] = {key: statistics.median(r[key] for r in runs if r[key] is not None)
                         for key in ("startup_s", "docked_s", "rss_mb")}
    print("| build | start-up to tray-shown (median) | icon docked | idle RSS |")
    print("|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['startup_s']:.2f} s | {r['docked_s']:.2f} s | {r['rss_mb']:.0f} MB |")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
