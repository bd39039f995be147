"""Screenshots of every window of the real app, for the documentation (docs/screenshots/), made under Xvfb.

    bash scripts/screenshots                      # every variant into docs/screenshots/
    bash scripts/screenshots --variant dark --out /tmp/shots

Each variant is one start of the real `companion` on a headless desktop (tests/e2e/desktop.py, with the
accessibility bus so buttons can be pressed the way a screen reader presses them, tests/e2e/atspi.py): light,
dark and high contrast (COMPANION_THEME) at 1x, and light at 2x (QT_SCALE_FACTOR=2). The agent is a team lead
on a (offline) hub, so every window exists. Each window is captured on its own (its own pixels, no desktop, no
window-manager frame) once it stopped painting, then stored as a small PNG (8-bit palette, metadata
stripped). The list of files written is printed at the end.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.agents import Agent
from tests.e2e.atspi import AtspiBus, EventListener, Node
from tests.e2e.desktop import HeadlessDesktop
from tests.e2e.tour import seed_lead

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = {  # name -> extra environment of the app
    "light": {"COMPANION_THEME": "light"},
    "dark": {"COMPANION_THEME": "dark"},
    "high-contrast": {"COMPANION_THEME": "high-contrast"},
    "light-2x": {"COMPANION_THEME": "light", "QT_SCALE_FACTOR": "2"},
}


class Shooter:
    def __init__(self, desktop: HeadlessDesktop, bus: AtspiBus, agent: Agent, out: Path) -> None:
        self.desktop, self.bus, self.agent, self.out = desktop, bus, agent, out
        self.listener = EventListener(bus.address)
        self.written: list[Path] = []

    # -- capturing -------------------------------------------------------------------------------------------
    def shot(self, name: str, window: int, steady: bool = True) -> None:
        raw = self.out / f".{name}.raw.png"
        self.agent.screenshot(window, raw, steady=steady, timeout=8)
        final = self.out / f"{name}.png"
        subprocess.run(["convert", str(raw), "-strip", "-colors", "256", f"PNG8:{final}"], check=True, timeout=60)
        raw.unlink()
        self.written.append(final)

    def titled(self, name: str, pattern: str, steady: bool = True) -> int:
        wid = self.agent.window_titled(pattern, timeout=30)
        time.sleep(0.3)  # mapped is not yet painted
        self.shot(name, wid, steady)
        return wid

    def new_window(self, before: set[int], timeout: float = 15.0) -> int:
        return self.desktop.wait_for(lambda: next((w.id for w in self.agent.windows() if w.id not in before), None),
                                     timeout=timeout, message="no new window appeared")

    # -- AT-SPI ----------------------------------------------------------------------------------------------
    def node(self, title: str) -> Node:
        return self.bus.window(self.agent.pid, re.compile(title), timeout=30)

    def press(self, window: Node, name: str, role: str = "push button") -> None:
        pattern = re.compile(name)
        nodes = [n for n in window.find(role=role, name=pattern) if "showing" in n.states]
        if not nodes:
            raise RuntimeError(f"no {role} {name!r} in {window.name!r}:\n{window.dump()}")
        names = self.bus.actions(nodes[0])
        self.bus.do_action(nodes[0], "Press" if "Press" in names else names[0])

    def wait_showing(self, window: Node, name: str, role: str = "push button") -> Node:
        pattern = re.compile(name)

        def found() -> Node | None:
            tree = self.bus.refreshed_tree(window)
            return tree if any("showing" in n.states for n in tree.find(role=role, name=pattern)) else None

        return self.desktop.wait_for(found, timeout=20, message=f"{name!r} never showed")

    # -- the tour --------------------------------------------------------------------------------------------
    def tour(self) -> None:
        agent = self.agent
        self.titled("hub-secret-prompt", r"^Agent Companion$")
        self.press(self.node(r"^Agent Companion$"), r"^Cancel$")

        menu = agent.open_tray_menu()
        self.shot("tray-menu", menu.window.id)  # type: ignore[union-attr]
        agent.press("Escape")
        time.sleep(0.5)
        before = {w.id for w in agent.windows()}
        agent.click_tray_icon(button=1)
        self.shot("tray-left-click", self.new_window(before))
        agent.press("Escape")

        agent.cli("kudos")
        kudos_title = r"Send kudos$"
        self.titled("send-kudos", kudos_title)
        kudos = self.node(kudos_title)
        self.press(kudos, r"^Send$")
        name = self.node(r"Your name on the team$")
        self.titled("name-prompt", r"Your name on the team$")
        self.bus.set_text(name.find(role="text")[0], "lena")
        self.press(name, r"^Save$")
        time.sleep(0.5)
        self.titled("send-kudos-error", kudos_title)
        self.press(kudos, r"^Cancel$")

        for slug, entry, title in (("team-feed", r"^Team feed", r"Team feed$"),
                                   ("voice-of-the-customer", r"^Voice of the Customer", r"Voice of the Customer$"),
                                   ("group-deep-breath", r"^Group deep breath", r"Group deep breath$"),
                                   ("checklists-editor", r"^Checklists", r"Checklists$"),
                                   ("settings", r"^Settings", r"Settings$")):
            opened = agent.open_tray_menu()
            agent.choose(next(e for e in opened.entries if re.search(entry, e)))
            if slug == "voice-of-the-customer":  # a board with something on it, and the success line
                voice = self.node(title)
                self.bus.set_text(voice.find(role="text", name="Obstacle")[0],
                                  "The refund form times out after five minutes")
                self.press(voice, r"^Log it$")
                time.sleep(0.5)
            self.titled(slug, title)
            if slug == "group-deep-breath":  # inviting the team: a card (toast) in the corner says so
                self.press(self.node(title), r"^Invite the team")
                self.titled("toast-card", r"^Group deep breath$")  # it never takes the focus: no Esc for it
                self.titled(slug + "-sent", r"Companion.+Group deep breath$")
            agent.press("Escape")  # the window just captured is the active one

        agent.cli("show")
        self.titled("my-day", r"My day$")
        day = self.node(r"My day$")
        week = [n for n in day.walk() if n.name in ("Week", "My week") and n.interactive][0]
        self.bus.press_or_toggle(week)
        self.titled("my-week", r"My week$")
        self.press(self.node(r"My week$"), r"^Delete my data")
        self.titled("delete-my-data", r"Delete my data$")
        self.press(self.node(r"Delete my data$"), r"^Cancel$")

        self.desktop.close_all_notifications()
        agent.cli("call", "start", "--ref", "DOCS-1")
        panel_title = r"Moment of Truth"
        self.titled("in-call-panel", panel_title, steady=False)
        panel = self.node(panel_title)
        boxes = [n for n in panel.walk() if n.role == "check box" and "showing" in n.states]
        for box in boxes[:3]:
            self.bus.press_or_toggle(box)
        time.sleep(0.5)
        self.titled("in-call-panel-ticked", panel_title, steady=False)
        agent.cli("call", "end", "--tough")
        time.sleep(0.8)
        self.titled("in-call-outcome-and-reset-offer", panel_title, steady=False)
        panel = self.node(panel_title)
        offer = [n for n in panel.walk() if n.role == "push button" and "showing" in n.states
                 and re.search(r"start .*reset", n.name, re.I)]
        if offer:
            self.bus.do_action(offer[0], "Press")
        else:
            agent.cli("reset", "--minutes", "1")
        reset_title = r"Reset"
        self.titled("reset-mood-before", reset_title)
        reset = self.node(reset_title)
        self.press(reset, r"^Skip the mood")
        reset = self.wait_showing(reset, r"^End the reset")
        time.sleep(2.0)  # well into the first breath
        self.titled("reset-breathing", reset_title, steady=False)
        self.press(reset, r"^End the reset")
        self.wait_showing(reset, r"^Close")
        self.titled("reset-and-now", reset_title)


def run_variant(desktop: HeadlessDesktop, bus: AtspiBus, variant: str, out: Path, work: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    agent = Agent(desktop, work / variant, variant)
    agent.env.update(VARIANTS[variant], QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1")
    agent.data.mkdir(parents=True)
    seed_lead(agent.data)
    agent.start(timeout=60)
    shooter = Shooter(desktop, bus, agent, out)
    try:
        shooter.tour()
    finally:
        shooter.listener.close()
        agent.stop()
    return shooter.written


TITLES = {  # file stem -> what the picture shows, in the order of the tour
    "hub-secret-prompt": "Team hub secret prompt (at start, when the keyring has none)",
    "tray-menu": "Tray menu (right click)", "tray-left-click": "Tray quick panel (left click)",
    "send-kudos": "Send kudos", "name-prompt": "Your name on the team (asked once)",
    "send-kudos-error": "Send kudos with an error", "team-feed": "Team feed",
    "voice-of-the-customer": "Voice of the Customer (just logged)", "group-deep-breath": "Group deep breath",
    "toast-card": "A card in the corner (here: the team is invited)",
    "group-deep-breath-sent": "Group deep breath, just sent",
    "checklists-editor": "Checklists editor", "settings": "Settings", "my-day": "My day", "my-week": "My week",
    "delete-my-data": "Delete my data", "in-call-panel": "In-call checklist panel",
    "in-call-panel-ticked": "In-call panel, three items ticked",
    "in-call-outcome-and-reset-offer": "After a tough call: the outcome step and the reset offer",
    "reset-mood-before": "Reset: how are you right now?", "reset-breathing": "Reset: breathing",
    "reset-and-now": "Reset: and now?",
}


def write_index(out: Path) -> Path:
    """docs/screenshots/README.md: every window, one row, a column per variant (what is on disk)."""
    variants = [v for v in VARIANTS if (out / v).is_dir()]
    stems = [s for s in TITLES if any((out / v / f"{s}.png").exists() for v in variants)]
    lines = ["# Screenshots", "",
             "Every window of Agent Companion, made by `bash scripts/screenshots` (the real app under Xvfb, "
             "`tests/e2e/screenshots.py`): light, dark and high contrast at 1x, and light at 2x "
             "(`QT_SCALE_FACTOR=2`). Regenerate them after a visible change.", "",
             "| window | " + " | ".join(variants) + " |", "|---|" + "---|" * len(variants)]
    for stem in stems:
        cells = [f"[![{v}]({v}/{stem}.png)]({v}/{stem}.png)" if (out / v / f"{stem}.png").exists() else "—"
                 for v in variants]
        lines.append(f"| {TITLES[stem]} | " + " | ".join(cells) + " |")
    index = out / "README.md"
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS),
                        help="only this variant (repeatable); default: all")
    args = parser.parse_args(argv)
    for program in ("convert", "import", "xdotool"):
        if shutil.which(program) is None:
            print(f"screenshots: {program} is missing (bash scripts/setup installs it)", file=sys.stderr)
            return 2
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="companion-shots.") as tmp:
        desktop = HeadlessDesktop(size=(2560, 1600)).start(tray="tint2", wm=True, dunst=True)
        try:
            with AtspiBus(desktop.env, log=Path(tmp) / "at-spi-bus-launcher.log") as bus:
                for variant in args.variant or list(VARIANTS):
                    written += run_variant(desktop, bus, variant, args.out / variant, Path(tmp))
        finally:
            desktop.stop()
    if args.out.resolve() == (ROOT / "docs" / "screenshots").resolve():
        write_index(args.out)
    for path in written:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
