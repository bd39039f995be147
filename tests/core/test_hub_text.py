"""Hub addresses and error texts: passwords never get through (no PostgreSQL needed)."""
import pytest

from companion.errors import InvalidInput
from companion.team.hub import HubConfig, keyring_user, scrub, strip_password, team_channel


@pytest.mark.parametrize("text", [
    'connection to server at "db" failed: postgresql://admin:Sup3r-Secret@db:5432/hub refused',
    "invalid connection option in host=db password=Sup3r-Secret dbname=hub",
    "host=db password='Sup3r-Secret' user=x",
    'missing "=" after "Sup3r-Secret" in connection info string',
    "PGPASSWORD=Sup3r-Secret companion team init",
])
def test_scrub_removes_passwords_from_libpq_texts_and_urls(text):
    assert "Sup3r-Secret" not in scrub(text, "Sup3r-Secret")
    if "missing" not in text:  # the patterns catch these even when the secret is not known
        assert "Sup3r-Secret" not in scrub(text)


def test_urls_lose_their_password_but_keep_the_rest():
    assert strip_password("postgresql://admin:pw@db.example:6432/hub?sslmode=require") == \
        "postgresql://admin@db.example:6432/hub?sslmode=require"
    assert strip_password("postgresql://db.example/hub") == "postgresql://db.example/hub"
    assert "pw" not in strip_password("host=db password=pw dbname=hub")
    with pytest.raises(InvalidInput) as caught:
        strip_password("host=db password='Zq9-open dbname=x")
    assert "Zq9" not in str(caught.value)


def test_keyring_entry_names_the_hub_and_config_round_trips():
    assert keyring_user("postgresql://db.example:6432/hub", "alice") == "alice@db.example:6432/hub"
    assert keyring_user("postgresql://db.example/hub", "alice") == "alice@db.example:5432/hub"
    config = HubConfig(url="postgresql://db/hub", user="alice", team="red", lead=True)
    assert HubConfig.from_state(config.to_state()) == config
    assert HubConfig.from_state({"url": "x", "user": ""}) is None and HubConfig.from_state("junk") is None


def test_team_channels_are_fixed_length_identifiers():
    assert team_channel("red") != team_channel("blue")
    assert len(team_channel("x" * 63)) == len(team_channel("red")) < 63
