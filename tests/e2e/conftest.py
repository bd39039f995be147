"""End-to-end fixtures: one headless desktop (Xvfb, private D-Bus, openbox, tint2, dunst, unlocked keyring)
shared by the whole test session.

Every test in tests/e2e gets the ``e2e`` marker, so ``pytest -m "not e2e"`` skips them. Missing desktop
programs make the ``desktop`` fixture FAIL (not skip): a CI machine without them must not pass silently.
Set E2E_KEEP_DIR=1 to keep the desktop's temp folder (helper logs, configs, notification log) after the run.
When an e2e test fails, a screenshot of the desktop is saved under test-artifacts/e2e/.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.desktop import DesktopError, HeadlessDesktop, missing_programs

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = E2E_DIR.parents[1] / "test-artifacts" / "e2e"

# The login keyring of the test desktop is created with, and unlocked by, this password.
KEYRING_PASSWORD = "e2e-keyring-password"

# Programs the e2e tests use besides the desktop itself: notify-send (plyer's Linux backend needs it too)
# and ImageMagick's import (screenshots).
EXTRA_PROGRAMS = ("notify-send", "import")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def desktop() -> Iterator[HeadlessDesktop]:
    """A running HeadlessDesktop; give ``desktop.env`` to every process under test."""
    missing = missing_programs(tray="tint2", wm=True, dunst=True, keyring=True, extra=EXTRA_PROGRAMS)
    if missing:
        pkgs = " ".join(sorted(set(missing.values())))
        pytest.fail(
            "e2e desktop cannot start, missing: "
            + ", ".join(f"{prog} (package {pkg})" for prog, pkg in missing.items())
            + f"\nInstall them with `bash scripts/setup` or `sudo apt-get install {pkgs}`.",
            pytrace=False,
        )
    desk = HeadlessDesktop()
    try:
        desk.start(tray="tint2", wm=True, dunst=True, keyring_password=KEYRING_PASSWORD)
    except DesktopError as exc:
        pytest.fail(f"e2e desktop failed to start: {exc}", pytrace=False)
    try:
        yield desk
    finally:
        desk.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call" and report.failed:
        desk = getattr(item, "funcargs", {}).get("desktop")
        if isinstance(desk, HeadlessDesktop) and desk.display is not None:
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-150:]
            try:
                path = desk.screenshot(ARTIFACTS / f"{name}.png")
                report.sections.append(("e2e screenshot", str(path)))
            except Exception as exc:  # a failed screenshot must not hide the test failure
                report.sections.append(("e2e screenshot", f"failed: {exc}"))
            report.sections.append(("e2e desktop logs", desk.logs_tail(lines=15)))
    return report
