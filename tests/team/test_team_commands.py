"""``companion team ...`` against a real hub: init, add-agent, join, status, leave."""
from __future__ import annotations

import io
import json

import keyring
import pytest
from keyring.backends import fail

from companion import cli
from companion.config import SettingsStore
from companion.db.engine import open_database
from companion.team.hub import HUB_STATE, keyring_user
from companion.team.hub_schema import HUB_VERSION
from tests.keyrings import DictKeyring
from tests.team.simulated import send_kudos_for_tests


@pytest.fixture
def fake_keyring():
    previous = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def team(capsys, *args, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(["team", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def state(data_dir):
    db = open_database(data_dir / "companion.sqlite")
    try:
        store = SettingsStore(db)
        return store.get_state(HUB_STATE), store.load().agent_name
    finally:
        db.close()


def test_init_twice_then_add_agents(capsys, pg_cluster):
    pg_cluster.create_database("cli_hub")
    admin = pg_cluster.admin_url("cli_hub")
    code, out, _ = team(capsys, "init", admin)
    assert code == 0 and f"schema version {HUB_VERSION}" in out and "was none" in out
    code, out, _ = team(capsys, "init", admin)
    assert code == 0 and "nothing changed" in out
    code, out, _ = team(capsys, "add-agent", "cli_lea", "--team", "red", "--lead", "--hub", admin,
                        "--display-name", "Lea L.")
    assert code == 0 and "Added lead cli_lea to team red" in out
    secret = out.splitlines()[1].strip()
    assert len(secret) >= 32
    code, _, err = team(capsys, "add-agent", "cli_lea", "--team", "red", "--hub", admin)
    assert code == 1 and "already exists" in err
    code, _, err = team(capsys, "add-agent", "Not Valid", "--team", "red", "--hub", admin)
    assert code == 1 and "must be 2 to 63 characters" in err
    with pytest.raises(SystemExit):
        cli.main(["team", "add-agent", "x1"])  # --team and --hub are required
    code, _, err = team(capsys, "init", "postgresql://postgres:wrong-pw-123@127.0.0.1:1/none")
    assert code == 1 and "cannot be reached" in err and "wrong-pw-123" not in err


def test_join_status_leave_with_a_keyring(capsys, monkeypatch, hub, tmp_path, fake_keyring):
    alice, hub_bob = hub.add("alice", lead=True), hub.add("bob")
    data = tmp_path / "desk"
    code, out, err = team(capsys, "join", hub.url, "--user", alice.name, "--secret-stdin", "--data-dir", str(data),
                          stdin=alice.secret + "\n", monkeypatch=monkeypatch)
    assert code == 0, err
    assert "Joined team red as " + alice.name + " as a team lead" in out and "keyring" in out
    entry = keyring_user(hub.url, alice.name)
    assert entry == f"{alice.name}@127.0.0.1:{hub.cluster.port}/{hub.database}"
    assert fake_keyring.entries == {("agent-companion", entry): alice.secret}
    config, agent_name = state(data)
    assert config == {"url": hub.url, "user": alice.name, "team": "red", "lead": True} and agent_name == alice.name

    db = open_database(data / "companion.sqlite")
    send_kudos_for_tests(db, alice.name, hub_bob.name, "red", "waiting to go")
    db.close()
    code, out, _ = team(capsys, "status", "--data-dir", str(data))
    assert code == 0
    assert f"user:    {alice.name} (lead)" in out and "team:    red" in out and "hub:     online" in out
    assert "waiting: 1 change to send" in out
    hub.cluster.stop()
    try:
        code, out, _ = team(capsys, "status", "--data-dir", str(data))
    finally:
        hub.cluster.start()
    assert code == 0 and "hub:     offline" in out and alice.secret not in out

    db = open_database(data / "companion.sqlite")  # a teammate typed in by hand before the hub's roster came
    try:
        from tests.fakes import START

        with db.session() as s:
            s.insert("teammates", {"name": "jo.local", "display_name": "Jo", "source": "local", "active": False,
                                   "is_lead": False, "created_at": START, "updated_at": START})
    finally:
        db.close()
    code, out, _ = team(capsys, "leave", "--data-dir", str(data))
    assert code == 0 and "Left team red" in out and "1 change waiting" in out
    db = open_database(data / "companion.sqlite")
    try:
        with db.reading() as s:
            [jo] = s.all("SELECT active FROM teammates WHERE name = ?", ("jo.local",))
        assert jo.active  # offered again after leaving
    finally:
        db.close()
    assert fake_keyring.entries == {}
    config, agent_name = state(data)
    assert config is None and agent_name == alice.name  # local data (and my name) stay
    code, out, _ = team(capsys, "status", "--data-dir", str(data))
    assert "Not joined" in out


def test_join_refusals_change_nothing(capsys, monkeypatch, hub, tmp_path, fake_keyring):
    alice = hub.add("alice")
    data = tmp_path / "desk"
    code, _, err = team(capsys, "join", hub.url, "--user", alice.name, "--secret-stdin", "--data-dir", str(data),
                        stdin="not-the-secret\n", monkeypatch=monkeypatch)
    assert code == 1 and "not-the-secret" not in err
    assert f"The team hub refused that secret for {alice.name}" in err and "cannot be reached" not in err
    code, _, err = team(capsys, "join", hub.url, "--user", "t_nobody", "--secret-stdin", "--data-dir", str(data),
                        stdin="whatever-pw\n", monkeypatch=monkeypatch)  # no such login: the same answer
    assert code == 1 and "The team hub refused that secret for t_nobody" in err and "whatever-pw" not in err
    code, _, err = team(capsys, "join", hub.cluster.url(hub.database, alice.name, alice.secret), "--user",
                        alice.name, "--secret-stdin", "--data-dir", str(data), stdin="x\n", monkeypatch=monkeypatch)
    assert code == 1 and "Leave the password out" in err and alice.secret not in err
    code, _, err = team(capsys, "join", hub.url, "--user", alice.name, "--secret-stdin", "--data-dir", str(data),
                        stdin="\n", monkeypatch=monkeypatch)
    assert code == 1 and "No secret" in err
    with hub.admin() as conn:  # a login role that is not on the roster
        conn.execute("CREATE ROLE t_stranger LOGIN PASSWORD 'stranger-pw'")
    code, _, err = team(capsys, "join", hub.url, "--user", "t_stranger", "--secret-stdin", "--data-dir", str(data),
                        stdin="stranger-pw\n", monkeypatch=monkeypatch)
    assert code == 1 and "not on this hub's roster" in err
    assert fake_keyring.entries == {}
    assert not (data / "companion.sqlite").exists() or state(data) == (None, "")


def test_join_without_a_keyring_keeps_nothing_on_disk(capsys, monkeypatch, hub, tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        alice = hub.add("alice")
        data = tmp_path / "desk"
        code, out, _ = team(capsys, "join", hub.url, "--user", alice.name, "--secret-stdin", "--data-dir",
                            str(data), stdin=alice.secret + "\n", monkeypatch=monkeypatch)
    finally:
        keyring.set_keyring(previous)
    assert code == 0 and "No usable keyring" in out and "ask for it each time it starts" in out
    assert state(data)[0]["user"] == alice.name
    for path in data.rglob("*"):
        if path.is_file():
            assert alice.secret.encode() not in path.read_bytes(), path
    assert json.dumps(state(data)[0]).find(alice.secret) == -1


def test_joining_again_keeps_the_cursor_and_another_hub_needs_leave_first(capsys, monkeypatch, hub, tmp_path,
                                                                            fake_keyring):
    alice = hub.add("alice")
    data = tmp_path / "desk"
    args = ("join", hub.url, "--user", alice.name, "--secret-stdin", "--data-dir", str(data))
    assert team(capsys, *args, stdin=alice.secret + "\n", monkeypatch=monkeypatch)[0] == 0
    db = open_database(data / "companion.sqlite")
    SettingsStore(db).set_state("team.cursor", {"token": "kept-as-it-was"})
    db.close()
    assert team(capsys, *args, stdin=alice.secret + "\n", monkeypatch=monkeypatch)[0] == 0  # same hub, same user
    db = open_database(data / "companion.sqlite")
    assert SettingsStore(db).get_state("team.cursor") == {"token": "kept-as-it-was"}
    db.close()
    other = hub.cluster.url("postgres")
    code, _, err = team(capsys, "join", other, "--user", alice.name, "--secret-stdin", "--data-dir", str(data),
                        stdin=alice.secret + "\n", monkeypatch=monkeypatch)
    assert code == 1 and "team leave" in err
    assert state(data)[0]["url"] == hub.url


def test_upgrade_and_doctor(capsys, pg_cluster):
    pg_cluster.create_database("cli_doctor")
    admin = pg_cluster.admin_url("cli_doctor")
    code, out, _ = team(capsys, "doctor", admin)
    assert code == 2 and "no team hub" in out
    code, out, _ = team(capsys, "upgrade", admin)
    assert code == 0 and f"schema version {HUB_VERSION}" in out
    team(capsys, "add-agent", "doc_alice", "--team", "red", "--hub", admin)
    code, out, _ = team(capsys, "doctor", admin)
    assert code == 0 and out.strip().endswith("The hub is in order.") and "FIX" not in out
    assert "each limited to 3 connections" in out and "closed to agents" in out
    with pg_cluster_admin(pg_cluster, "cli_doctor") as conn:  # as if a superuser had never closed them
        conn.execute("GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_get_backend_userid(integer) TO PUBLIC")
        conn.execute('ALTER ROLE doc_alice CONNECTION LIMIT -1')
    code, out, _ = team(capsys, "doctor", admin)
    assert code == 2 and out.count("FIX") == 2 and "pg_stat_get_backend_userid" in out and "doc_alice" in out


def pg_cluster_admin(pg_cluster, db):
    from companion.team import hub as hubmod

    return hubmod.connect(pg_cluster.admin_url(db))


def test_init_and_add_agent_check_max_connections_against_the_roster(capsys, pg_cluster):
    pg_cluster.create_database("cli_conns")
    admin = pg_cluster.admin_url("cli_conns")
    team(capsys, "init", admin)
    with pg_cluster_admin(pg_cluster, "cli_conns") as conn:  # a roster as big as this server's slots
        conn.execute("INSERT INTO companion.agents (name, display_name, team) "
                     "SELECT 'roster' || i, 'R', 'red' FROM generate_series(1, 190) i")
    code, out, _ = team(capsys, "add-agent", "conns_alice", "--team", "red", "--hub", admin)
    assert code == 0 and "Warning: max_connections 200 for 191 agents: each running desk holds one connection" in out
    code, out, _ = team(capsys, "init", admin)
    assert code == 0 and "raise it to at least" in out
    code, out, _ = team(capsys, "doctor", admin)
    assert code == 2 and "FIX  max_connections 200 for 191 agents" in out
