"""Keyring backends for tests: one that keeps secrets in a dict, one that always fails like a locked one."""
from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class DictKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service, username)]


class LockedKeyring(DictKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the collection is locked: s3cret-hint")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked(f"cannot store {password}")


class EnvKeyring(DictKeyring):
    """For a real app process in a test (PYTHON_KEYRING_BACKEND=tests.keyrings.EnvKeyring): every entry's
    secret is COMPANION_TEST_SECRET from the environment."""

    def get_password(self, service: str, username: str) -> str | None:
        import os

        return os.environ.get("COMPANION_TEST_SECRET")
