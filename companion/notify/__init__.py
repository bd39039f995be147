"""Notifications: backends behind one Notifier protocol, and the notification centre."""
