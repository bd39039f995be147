"""Notification kinds (light to import: the tray layer uses them before the database is open)."""

INFO = "info"
RESET_OFFER = "reset_offer"
STATUS = "status"  # about the app itself (e.g. "notifications are back on"): never held by the hourly cap
