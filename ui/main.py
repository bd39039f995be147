"""The ``companion`` console entry point: the core CLI, with the Qt app handed in for ``run``.

Qt is imported only when the tray app actually starts, so ``companion call start`` stays fast.
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from companion.cli import main as cli_main
from companion.paths import Paths


def _run_gui(args: argparse.Namespace, paths: Paths) -> int:
    from ui.app import run

    return run(args, paths)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, gui=_run_gui)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
