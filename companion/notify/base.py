"""The Notifier protocol and the chain that tries backends in order."""
from __future__ import annotations

import logging
from typing import Protocol, Sequence

from companion.errors import NotifyError

log = logging.getLogger(__name__)


class Notifier(Protocol):
    name: str

    def notify(self, title: str, body: str) -> None:
        """Show a notification or raise NotifyError (or any exception) if it cannot."""


class NotifierChain:
    """Tries each backend in order; the first that does not raise wins.

    A failing backend is logged once (not on every notification) and tried again next time, so a daemon
    that comes back later is used again.
    """

    name = "chain"

    def __init__(self, backends: Sequence[Notifier]) -> None:
        self.backends = list(backends)
        self._logged: set[str] = set()

    def notify(self, title: str, body: str) -> str:
        """Returns the name of the backend that showed it; raises NotifyError when none could."""
        for backend in self.backends:
            try:
                backend.notify(title, body)
            except Exception as exc:  # any backend failure falls through to the next
                if backend.name not in self._logged:
                    self._logged.add(backend.name)
                    log.warning("notification backend %s failed, trying the next: %s", backend.name, exc)
                continue
            return backend.name
        raise NotifyError("No notification backend could show the notification.")
