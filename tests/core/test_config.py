import json

import pytest

from companion.config import Settings, SettingsStore
from companion.errors import InvalidInput


def test_defaults_are_humane():
    s = Settings()
    assert s.notifications_per_hour == 4 and s.long_call_minutes == 8 and s.default_pattern == "box"
    assert not s.chime and not s.reduced_motion


@pytest.mark.parametrize("changes, message", [
    (dict(notifications_per_hour=0), "between 1 and 30"),
    (dict(notifications_per_hour=31), "between 1 and 30"),
    (dict(long_call_minutes=0.5), "between 1 and 120"),
    (dict(default_pattern="yoga"), "Unknown breathing pattern"),
])
def test_invalid_settings_are_refused(changes, message):
    with pytest.raises(InvalidInput, match=message):
        Settings().with_changes(**changes)


def test_round_trip(db):
    store = SettingsStore(db)
    saved = store.save(Settings().with_changes(chime=True, long_call_minutes=12, default_pattern="sigh"))
    assert store.load() == saved


def test_damaged_stored_values_fall_back_to_defaults(db):
    with db.session() as s:
        s.insert("settings", {"key": "notifications_per_hour", "value": "not json"})
        s.insert("settings", {"key": "chime", "value": json.dumps("yes")})
        s.insert("settings", {"key": "long_call_minutes", "value": json.dumps(5)})
        s.insert("settings", {"key": "unknown_key", "value": "1"})
    loaded = SettingsStore(db).load()
    assert loaded.notifications_per_hour == 4 and loaded.chime is False and loaded.long_call_minutes == 5.0


def test_out_of_range_stored_values_fall_back(db):
    with db.session() as s:
        s.insert("settings", {"key": "notifications_per_hour", "value": "999"})
    assert SettingsStore(db).load() == Settings()


def test_state_values(db):
    store = SettingsStore(db)
    assert store.get_state("x") is None
    store.set_state("x", {"a": 1})
    assert store.get_state("x") == {"a": 1}
    store.set_state("x", None)
    assert store.get_state("x") is None


def test_agent_name_is_validated():
    import pytest

    from companion.config import Settings
    from companion.errors import InvalidInput

    assert Settings().agent_name == ""
    assert Settings().with_changes(agent_name="alice.m").agent_name == "alice.m"
    for bad in ("A", "Alice", "al ice", "1bob", "pg_admin", "postgres", "x" * 64, "a\u202eb"):
        with pytest.raises(InvalidInput):
            Settings().with_changes(agent_name=bad)
