"""The team hub on the tray: "Team hub offline — N waiting" from the sync worker's thread, and the secret
asked for (memory only) when the keyring has none."""
from __future__ import annotations

from keyring.backends import fail

from companion.secrets import KeyringSecretStore, SessionSecrets
from companion.team import outbox
from companion.team.hub import WORKER_STATEMENT_TIMEOUT, HubConfig, HubUnavailable
from tests.fakes import START
from tests.keyrings import DictKeyring
from ui.tray import describe
from ui.team import TeamSync

CONFIG = HubConfig(url="postgresql://127.0.0.1:1/hub", user="alice", team="red")


def enqueue(desk, n):
    with desk.db.session() as s:
        for i in range(n):
            outbox.enqueue(s, "kudos", {"id": f"k{i}", "kind": "kudos"}, START)


CONNECTS: list[dict] = []


def unreachable(*args, **kwargs):
    CONNECTS.append(kwargs)
    raise HubUnavailable("The team hub cannot be reached: connection refused")


def test_tray_says_offline_with_what_waits(qtbot, controller, desk):
    enqueue(desk, 2)
    keyring = DictKeyring()
    keyring.set_password("agent-companion", CONFIG.keyring_user, "from-keyring")
    asked = []
    team = TeamSync(controller, desk, CONFIG, apply=lambda s, r, me: None, apply_roster=lambda s, a: None,
                    secrets=SessionSecrets(KeyringSecretStore(backend=keyring)),
                    ask=lambda prompt, done: asked.append(prompt), connect=unreachable)
    try:
        team.start()
        assert asked == [] and team.worker is not None  # the keyring had the secret: no question
        label = controller.tray.standin.state_label
        qtbot.waitUntil(lambda: label.text() == "Team hub offline — 2 waiting", timeout=5000)
        assert controller.tray.state == "offline"
        # the worker's hub statements are bounded (a stalled hub must not hold a batch for ever)
        assert CONNECTS[-1]["statement_timeout"] == WORKER_STATEMENT_TIMEOUT
        enqueue(desk, 1)  # a kudos sent while offline wakes the worker; the count moves
        qtbot.waitUntil(lambda: label.text() == "Team hub offline — 3 waiting", timeout=5000)
        controller.menu.rebuild()  # as when the menu opens
        assert controller.menu.menu.actions()[0].text() == "Team hub offline — 3 waiting"
    finally:
        team.stop()


def test_back_online_clears_the_offline_state(qtbot, controller, desk):
    team = TeamSync(controller, desk, CONFIG, apply=None, apply_roster=None,
                    secrets=SessionSecrets(KeyringSecretStore(backend=fail.Keyring())), ask=lambda p, d: None)
    controller.bridge.team_status.emit(False, 4, "")
    assert controller.tray.standin.state_label.text() == "Team hub offline — 4 waiting"
    controller.bridge.team_status.emit(True, 0, "")
    assert controller.tray.standin.state_label.text() == "Ready"
    assert team.worker is None


def test_a_busy_local_database_is_not_called_an_offline_hub(qtbot, controller, desk):
    team = TeamSync(controller, desk, CONFIG, apply=None, apply_roster=None,
             secrets=SessionSecrets(KeyringSecretStore(backend=fail.Keyring())), ask=lambda p, d: None)
    desk.events.publish("team.status", online=False, waiting=2, problem="database_busy")  # from the worker
    label = controller.tray.standin.state_label
    qtbot.waitUntil(lambda: label.text() == "Team delivery waiting: this computer's database is busy — 2 waiting",
                    timeout=5000)
    desk.events.publish("team.status", online=False, waiting=2, problem="database")  # read-only, disk full
    qtbot.waitUntil(lambda: label.text() == "Team delivery waiting: this computer's database cannot be written "
                    "(see the log) — 2 waiting", timeout=5000)
    assert controller.tray.state == "offline"
    desk.events.publish("team.status", online=False, waiting=2)  # then the hub itself went away
    qtbot.waitUntil(lambda: label.text() == "Team hub offline — 2 waiting", timeout=5000)
    assert team.worker is None


def test_without_a_keyring_the_secret_is_asked_and_kept_in_memory(qtbot, controller, desk):
    secrets = SessionSecrets(KeyringSecretStore(backend=fail.Keyring()))
    answers = []
    team = TeamSync(controller, desk, CONFIG, apply=None, apply_roster=None, secrets=secrets,
                    ask=lambda prompt, done: answers.append((prompt, done)), connect=unreachable)
    try:
        team.start()
        assert team.worker is None and "alice" in answers[0][0]
        assert controller.tray.standin.state_label.text() == "Team hub offline — 0 waiting"
        answers[0][1](None)  # cancelled: nothing starts, nothing is kept
        assert team.worker is None and secrets.memory.get(CONFIG.keyring_user) is None
        team.start()
        answers[1][1]("typed-secret")
        assert team.worker is not None and secrets.get(CONFIG.keyring_user) == "typed-secret"
    finally:
        team.stop()


def test_the_real_dialog_hides_what_is_typed(qtbot):
    from PySide6.QtWidgets import QLineEdit

    from ui.team import ask_with_dialog

    got = []
    dialog = ask_with_dialog("Your team hub secret for alice", got.append)
    qtbot.addWidget(dialog)
    assert dialog.textEchoMode() == QLineEdit.EchoMode.Password
    dialog.setTextValue("s3cret")
    dialog.accept()
    assert got == ["s3cret"]


def test_describe_offline_text():
    assert describe({"state": "offline", "team_waiting": 5, "waiting_notifications": 2}) == \
        "Team hub offline — 5 waiting"
    assert describe({"state": "ready", "team_waiting": 5}) == "Ready"
