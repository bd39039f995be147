"""`companion kudos` against the real process, offscreen: the socket command a desktop hotkey binds to."""
import signal
import sqlite3

from tests.process import wait_for_line
from tests.ui.test_app_process import cli, start  # noqa: F401 (the fixture)


def test_kudos_from_the_command_line_reaches_the_running_app(start, tmp_path):  # noqa: F811
    data = tmp_path / "agent"
    proc, ready = start(data)
    wait_for_line(ready, "services-ready")
    refused = cli(data, "kudos", "--to", "dana", "--category", "helping", "--message", "Thanks!")
    assert refused.returncode == 1 and "your name on the team" in refused.stderr
    opened = cli(data, "kudos")
    assert opened.returncode == 0 and "Send kudos dialog is open" in opened.stdout
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0

    con = sqlite3.connect(data / "companion.sqlite")
    con.execute("INSERT INTO settings (key, value, updated_at) VALUES ('agent_name', '\"alex\"', '2026-11-23')")
    con.execute("INSERT INTO teammates (id, name, display_name, is_lead, active, source, created_at, updated_at) "
                "VALUES ('00000000-0000-4000-8000-000000000001', 'dana', 'Dana', 0, 1, 'local', '2026-11-23', "
                "'2026-11-23')")
    con.commit()
    con.close()
    ready.unlink()  # wait for this start's "services-ready", not the last one's
    proc, ready = start(data)
    wait_for_line(ready, "services-ready")
    sent = cli(data, "kudos", "--to", "dana", "--category", "helping", "--message", "<b>Thanks!</b>", "--ref", "4711")
    assert sent.returncode == 0 and sent.stdout.strip() == "Kudos sent to dana (Helping others)."
    assert cli(data, "kudos", "--to", "alex", "--category", "helping", "--message", "me").returncode == 1
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    con = sqlite3.connect(data / "companion.sqlite")
    assert con.execute("SELECT sender, recipient, category, message, call_ref FROM kudos").fetchall() == [
        ("alex", "dana", "helping", "<b>Thanks!</b>", "4711")]
    assert con.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0  # no hub: nothing to deliver
    con.close()
