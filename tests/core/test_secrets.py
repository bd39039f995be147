from keyring.backends import chainer, fail, null

from companion.secrets import KeyringSecretStore, MemorySecretStore, SecretStoreError, SessionSecrets
from tests.keyrings import DictKeyring, LockedKeyring
import pytest


def test_keyring_store_round_trip_under_the_app_service():
    backend = DictKeyring()
    store = KeyringSecretStore(backend=backend)
    assert store.available()
    store.set("alice@hub:5432/team", "s3cret")
    assert backend.entries == {("agent-companion", "alice@hub:5432/team"): "s3cret"}
    assert store.get("alice@hub:5432/team") == "s3cret"
    store.delete("alice@hub:5432/team")
    store.delete("alice@hub:5432/team")  # nothing left: not an error
    assert store.get("alice@hub:5432/team") is None


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), chainer.ChainerBackend.__new__(chainer.ChainerBackend)])
def test_no_usable_keyring_is_detected(backend, monkeypatch):
    if isinstance(backend, chainer.ChainerBackend):
        monkeypatch.setattr(chainer.ChainerBackend, "backends", property(lambda self: [fail.Keyring()]))
    assert KeyringSecretStore(backend=backend).available() is False


def test_a_chainer_with_a_viable_backend_is_usable(monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", property(lambda self: [fail.Keyring(), DictKeyring()]))
    assert KeyringSecretStore(backend=chainer.ChainerBackend.__new__(chainer.ChainerBackend)).available() is True


def test_keyring_errors_never_carry_the_secret():
    store = KeyringSecretStore(backend=LockedKeyring())
    with pytest.raises(SecretStoreError) as caught:
        store.set("alice", "s3cret-value")
    assert "s3cret" not in str(caught.value) and caught.value.__cause__ is None
    with pytest.raises(SecretStoreError):
        store.get("alice")


def test_without_a_keyring_the_session_keeps_the_secret_in_memory_only():
    secrets = SessionSecrets(keyring_store=KeyringSecretStore(backend=fail.Keyring()))
    assert secrets.get("alice") is None  # the app asks
    secrets.remember("alice", "typed-in")
    assert secrets.get("alice") == "typed-in"
    assert SessionSecrets(keyring_store=KeyringSecretStore(backend=fail.Keyring())).get("alice") is None  # gone


def test_session_secrets_prefer_memory_then_keyring_and_survive_a_locked_keyring():
    backend = DictKeyring()
    backend.set_password("agent-companion", "alice", "from-keyring")
    secrets = SessionSecrets(keyring_store=KeyringSecretStore(backend=backend), memory=MemorySecretStore())
    assert secrets.get("alice") == "from-keyring"
    secrets.remember("alice", "typed")
    assert secrets.get("alice") == "typed"
    assert SessionSecrets(keyring_store=KeyringSecretStore(backend=LockedKeyring())).get("alice") is None
