"""Errors the core raises on purpose. Each carries a message meant for the person at the desk."""
from __future__ import annotations


class CompanionError(Exception):
    """Base class: ``str(error)`` is a clear, user-facing sentence."""


class DatabaseError(CompanionError):
    pass


class DatabaseNewerError(DatabaseError):
    """The database was written by a newer Agent Companion."""


class DatabaseCorruptError(DatabaseError):
    """The database file is damaged."""


class DatabaseLockedError(DatabaseError):
    pass


class DatabaseReadOnlyError(DatabaseError):
    pass


class InvalidInput(CompanionError):
    """Input from a person or another program was rejected; nothing was changed."""


class NotRunning(CompanionError):
    """No running Agent Companion answered on the local socket."""


class NotifyError(CompanionError):
    """A notification backend could not show a notification."""
