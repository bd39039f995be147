"""Start a built Agent Companion on a throwaway headless desktop and check it really runs as a tray app.

    .venv/bin/python scripts/frozen_smoke.py dist/agent-companion/companion

`companion self-test` proves the database, migrations, resources, notifications and keyring without Qt; this
proves the Qt side of the frozen folder (platform plugin, SVG icons, local socket): the app starts on Xvfb with
a window manager, an XEmbed tray host and a notification daemon (tests/e2e/desktop.py), writes tray-shown and
services-ready, its icon is embedded in the tray, its first-run notification reaches the daemon, `companion
status` answers over the local socket, and SIGTERM ends it with exit status 0. Exit status 0 ok, 1 failed.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.desktop import DesktopError, HeadlessDesktop  # noqa: E402
from tests.process import wait_for_line  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    exe = str(Path(argv[0]).resolve())
    with tempfile.TemporaryDirectory(prefix="frozen-smoke.") as tmp, \
            HeadlessDesktop().start(tray="tint2", wm=True, dunst=True) as desktop:
        data, ready, out = Path(tmp) / "data", Path(tmp) / "ready", Path(tmp) / "out.log"
        env = {**desktop.env, "COMPANION_READY_FILE": str(ready)}
        with open(out, "wb") as log:
            proc = subprocess.Popen([exe, "--data-dir", str(data)], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_line(ready, "services-ready", timeout=60)
            desktop.wait_for(lambda: desktop.has_tray_icon(proc.pid), timeout=20,
                             message="the frozen app's icon never appeared in the tray")
            desktop.wait_for_notification("Agent Companion is in your tray", timeout=20)
            status = subprocess.run([exe, "status", "--data-dir", str(data)], env=env, capture_output=True,
                                    text=True, timeout=60)
            if status.returncode != 0 or status.stdout.strip() != "Ready":
                raise AssertionError(f"`companion status` answered {status.returncode}: {status.stdout}{status.stderr}")
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(30)
            if code != 0:
                raise AssertionError(f"the frozen app exited with {code} on SIGTERM")
        except (AssertionError, TimeoutError, DesktopError, subprocess.TimeoutExpired) as exc:
            print(f"frozen smoke test FAILED: {exc}\n--- app output ---\n{out.read_text(errors='replace')[-3000:]}",
                  file=sys.stderr)
            return 1
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        text = out.read_text(errors="replace")
        if "Traceback" in text or "Could not load the Qt platform plugin" in text:
            print(f"frozen smoke test FAILED: the app printed errors:\n{text[-3000:]}", file=sys.stderr)
            return 1
    print("frozen smoke test passed: tray icon embedded, notification delivered, local socket answered, clean exit")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
