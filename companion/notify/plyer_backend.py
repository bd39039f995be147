"""OS-native notifications through plyer (imported lazily: it is slow to import and picks its platform
module at run time)."""
from __future__ import annotations

import html
import os
import shutil
import sys
import warnings
from typing import Any, Callable

from companion import APP_NAME
from companion.errors import NotifyError


TIMEOUT_SECONDS = 10


def _default_send(**kwargs: Any) -> None:
    with warnings.catch_warnings():
        # plyer warns when the optional dbus module is missing, then uses notify-send: that is fine.
        warnings.simplefilter("ignore")
        from plyer import notification

        if sys.platform.startswith("linux"):
            from plyer.platforms.linux.notification import NotifySendNotification, instance

            backend = instance()
            if isinstance(backend, NotifySendNotification):
                # plyer's facade drops the timeout and the icon for notify-send ('-t 0' = never expires):
                # hand them to its backend under the names it reads.
                backend._notify(title=kwargs["title"], message=kwargs["message"], app_name=kwargs["app_name"],
                                icon=kwargs["app_icon"], expire_time=str(kwargs["timeout"] * 1000))
                return
        notification.notify(**kwargs)


class PlyerNotifier:
    name = "plyer"

    def __init__(self, send: Callable[..., None] | None = None, platform: str = sys.platform,
                 environ: dict[str, str] | None = None, icon: str = "",
                 daemon_available: Callable[[], bool] | None = None) -> None:
        """``daemon_available`` (Linux): asks the session bus whether a notification daemon is there;
        the ui hands in a QtDBus probe (the core does not import Qt)."""
        self._send = send or _default_send
        self._daemon_available = daemon_available
        self._platform = platform
        self._environ = os.environ if environ is None else environ
        # Windows' balloon (plyer -> LoadImage) reads only .ico files: an SVG made its thread die, so no
        # notification ever showed. Without one the balloon carries the application's own icon.
        self._icon = "" if platform == "win32" and not icon.lower().endswith(".ico") else icon

    def check(self) -> None:
        """Raise NotifyError if plyer cannot work here. plyer ignores notify-send's exit status, so on
        Linux a missing bus or tool would fail silently: check first and fall through instead."""
        if not self._platform.startswith("linux"):
            return
        if not self._environ.get("DBUS_SESSION_BUS_ADDRESS"):
            raise NotifyError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)")
        if not shutil.which("notify-send", path=self._environ.get("PATH")):
            raise NotifyError("notify-send is not installed (Debian/Ubuntu package libnotify-bin)")
        if self._daemon_available is not None and not self._daemon_available():
            raise NotifyError("no notification daemon on the session bus")

    def notify(self, title: str, body: str) -> None:
        self.check()
        if self._platform.startswith("linux"):
            # Linux daemons read body markup: escape it so texts stay plain. notify-send takes the title
            # and body as arguments: a leading dash would be read as an option.
            title, body = html.escape(title, quote=False), html.escape(body, quote=False)
            title, body = (t if not t.startswith("-") else "\u2060" + t for t in (title, body))
        try:
            self._send(title=title, message=body, app_name=APP_NAME, app_icon=self._icon, timeout=TIMEOUT_SECONDS)
        except Exception as exc:
            raise NotifyError(f"plyer could not notify: {exc}") from exc
