"""Where the team-hub secret lives: the OS keyring, or - with no usable keyring - this process's memory.

Never a file, never the database, never a log line. ``keyring`` is imported only when a secret is needed.
"""
from __future__ import annotations

import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)

SERVICE = "agent-companion"


class SecretStore(Protocol):
    name: str

    def available(self) -> bool: ...

    def get(self, user: str) -> str | None: ...

    def set(self, user: str, secret: str) -> None: ...

    def delete(self, user: str) -> None: ...


class SecretStoreError(Exception):
    """The store could not keep or read the secret (the message never contains it)."""


class MemorySecretStore:
    """Secrets for this session only: gone when the app quits."""

    name = "memory (this session only)"

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    def available(self) -> bool:
        return True

    def get(self, user: str) -> str | None:
        return self._secrets.get(user)

    def set(self, user: str, secret: str) -> None:
        self._secrets[user] = secret

    def delete(self, user: str) -> None:
        self._secrets.pop(user, None)


def _viable(backend: Any) -> bool:
    """False for keyring's fail backend, the null backend, and a chainer with nothing viable behind it."""
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return False
    if type(backend).__module__.endswith(".null"):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(_viable(b) for b in backend.backends)
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend whose priority check raises is not usable here
        return False


class KeyringSecretStore:
    """The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker) through ``keyring``."""

    def __init__(self, service: str = SERVICE, backend: Any = None) -> None:
        self.service = service
        self._backend = backend

    def _keyring(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    @property
    def name(self) -> str:
        backend = self._keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def available(self) -> bool:
        try:
            return _viable(self._keyring())
        except Exception as exc:  # an import or D-Bus failure: treat as no keyring
            log.warning("keyring unavailable: %s", type(exc).__name__)
            return False

    def get(self, user: str) -> str | None:
        try:
            return self._keyring().get_password(self.service, user)
        except Exception as exc:
            raise SecretStoreError(f"The keyring could not be read ({type(exc).__name__}).") from None

    def set(self, user: str, secret: str) -> None:
        try:
            self._keyring().set_password(self.service, user, secret)
        except Exception as exc:
            raise SecretStoreError(f"The keyring could not store the secret ({type(exc).__name__}).") from None

    def delete(self, user: str) -> None:
        from keyring.errors import PasswordDeleteError

        try:
            self._keyring().delete_password(self.service, user)
        except PasswordDeleteError:
            pass  # nothing stored: nothing to remove
        except Exception as exc:
            raise SecretStoreError(f"The keyring entry could not be removed ({type(exc).__name__}).") from None


class SessionSecrets:
    """What the app uses: the keyring when it works, else memory for this session (asked at start)."""

    def __init__(self, keyring_store: SecretStore | None = None, memory: MemorySecretStore | None = None) -> None:
        self.keyring = keyring_store if keyring_store is not None else KeyringSecretStore()
        self.memory = memory if memory is not None else MemorySecretStore()

    def get(self, user: str) -> str | None:
        secret = self.memory.get(user)
        if secret is not None:
            return secret
        if self.keyring.available():
            try:
                return self.keyring.get(user)
            except SecretStoreError as exc:
                log.warning("%s", exc)
        return None

    def remember(self, user: str, secret: str) -> None:
        """Keep a secret typed in at start: in memory only (the keyring is for ``team join``)."""
        self.memory.set(user, secret)
