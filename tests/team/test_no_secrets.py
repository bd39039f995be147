"""No secret (hub one-time secrets, admin passwords) reaches the local database, the settings, the log file
or any output - also when connections fail (libpq texts and URLs are scrubbed)."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from companion.clock import SystemClock
from companion.db.engine import open_database
from companion.events import EventHub
from companion.team import hub as hubmod
from companion.team.sync import SyncWorker
from companion import inbound
from tests.team.simulated import send_kudos_for_tests
from tests.team.pgcluster import SUPERUSER_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def companion(*args: str, stdin: str = "", data: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", COMPANION_DATA_DIR=str(data))
    return subprocess.run([sys.executable, "-m", "companion", *args], input=stdin, capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env=env)


def test_no_secret_in_database_settings_log_or_output(hub, tmp_path):
    alice, bob = hub.add("alice"), hub.add("bob")
    secrets = [alice.secret, bob.secret, SUPERUSER_PASSWORD]
    data = tmp_path / "desk"
    outputs: list[str] = []

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        result = companion(*args, stdin=stdin, data=data)
        outputs.extend([result.stdout, result.stderr])
        return result

    # the admin's password is in the URL: init succeeds and says nothing of it, or fails scrubbed
    assert run("team", "init", hub.admin_url).returncode == 0
    bad_admin = hub.admin_url.replace(str(hub.cluster.port), "1")
    assert run("team", "init", bad_admin).returncode == 1
    assert run("team", "init", hub.admin_url.replace(SUPERUSER_PASSWORD, SUPERUSER_PASSWORD + "x")).returncode == 1
    # a wrong secret, then the right one (no keyring here: memory only, nothing on disk)
    assert run("team", "join", hub.url, "--user", alice.name, "--secret-stdin", stdin=bob.secret + "\n").returncode == 1
    joined = run("team", "join", hub.url, "--user", alice.name, "--secret-stdin", stdin=alice.secret + "\n")
    assert joined.returncode == 0, joined.stderr
    assert run("team", "status").returncode == 0

    # the app's worker, logging to the data folder's log: a wrong secret, an unreachable hub, then working
    log_handler = logging.FileHandler(data / "companion.log", encoding="utf-8")
    logging.getLogger().addHandler(log_handler)
    logging.getLogger().setLevel(logging.INFO)
    db = open_database(data / "companion.sqlite")
    try:
        for url, password in ((hub.url, bob.secret), (bad_admin, alice.secret), (hub.url, alice.secret)):
            worker = SyncWorker(db, lambda u=url, p=password: hubmod.connect(u, user=alice.name, password=p),
                                inbound.apply, inbound.apply_roster, EventHub(), SystemClock(),
                                me=alice.name, team="red")
            send_kudos_for_tests(db, alice.name, bob.name, "red", "thank you")
            worker.step()
            worker.stop()
        assert hub.count("kudos") >= 1  # the last worker got through
    finally:
        db.close()
        logging.getLogger().removeHandler(log_handler)
        log_handler.close()
    log_text = (data / "companion.log").read_text()
    assert "password authentication failed" in log_text and "cannot be reached" in log_text  # it did log

    for text in outputs:
        for secret in secrets:
            assert secret not in text, text
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name == "companion.sqlite" for p in files) and any(p.name == "companion.log" for p in files)
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in content, f"{secret[:3]}... found in {path}"


def test_connection_errors_carry_no_chained_driver_text(hub):
    alice = hub.add("alice")
    try:
        hubmod.connect(hub.url, user=alice.name, password=alice.secret + "!")
    except hubmod.HubUnavailable as exc:
        assert exc.__cause__ is None and exc.__suppress_context__ is True  # a traceback shows only our text
        assert alice.secret not in str(exc)
    else:
        raise AssertionError("a wrong secret logged in")


def fragments(secret: str) -> set[str]:
    return {secret[i:i + 4] for i in range(len(secret) - 3)}


def test_a_password_that_needs_percent_encoding_is_never_echoed(tmp_path):
    """Review finding 2: libpq splits such a URL elsewhere and quotes the pieces; it is refused before libpq
    sees it, with what to do, and no fragment (over 3 characters) of the password appears anywhere."""
    data = tmp_path / "desk"
    cases = [
        ("p@ssw0rd!", ("team", "init", "postgresql://admin:p@ssw0rd!@127.0.0.1/hub")),
        ("pa ss-w0rd", ("team", "init", "postgresql://admin:pa ss-w0rd@127.0.0.1:1/hub")),
        ("s3cr/et:x", ("team", "add-agent", "alice", "--team", "red", "--hub",
                       "postgresql://admin:s3cr/et:x@127.0.0.1:1/hub")),
        ("p@ssw0rd!", ("team", "join", "postgresql://alice:p@ssw0rd!@127.0.0.1/hub", "--user", "alice",
                       "--secret-stdin")),
    ]
    for password, args in cases:
        result = companion(*args, stdin="one-time-secret\n", data=data)
        text = result.stdout + result.stderr
        assert result.returncode == 1, text
        assert "percent-encode" in text and "%40" in text, text
        leaked = {f for f in fragments(password) if f in text}
        assert not leaked, (leaked, text)
    log = data / "companion.log"
    if log.exists():
        log_text = log.read_text()
        assert not {f for _p, _a in cases for f in fragments(_p) if f in log_text}


def test_scrub_hides_the_whole_user_info_of_a_url():
    text = "could not connect to postgresql://admin:s3cr%40t%20pw@db.example.com:5432/hub (timeout)"
    scrubbed = hubmod.scrub(text)
    assert "postgresql://admin:***@db.example.com:5432/hub" in scrubbed
    assert not {f for f in fragments("s3cr%40t%20pw") if f in scrubbed}
    assert hubmod.parse_url("postgresql://admin:s3cr%40t%20pw@db.example.com/hub")["password"] == "s3cr@t pw"
