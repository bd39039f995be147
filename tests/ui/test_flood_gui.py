"""A flood of kudos from the sync worker's thread: the GUI thread takes it as one delivery, one notice."""
import threading

from PySide6.QtCore import QThread

from companion import events as ev
from tests.ui.test_team_windows import kudos_for_me, team  # noqa: F401 (the fixture)


def test_batches_from_the_worker_gather_into_one_delivery_and_one_notice(controller, team, notifier, qtbot):  # noqa: F811
    items = [kudos_for_me(team, f"Thanks {n}", sender="dana" if n % 3 else "sam") for n in range(37)]
    deliveries = []
    original = team.team_received

    def recording(got):
        deliveries.append((QThread.currentThread(), len(got)))
        original(got)

    team.team_received = recording

    def worker():  # one batch each, all before the GUI thread gets to run
        for item in items:
            team.events.publish(ev.TEAM_RECEIVED, items=[item])

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    qtbot.waitUntil(lambda: sum(n for _, n in deliveries) == 37)
    assert deliveries == [(controller.thread(), 37)]
    kudos_notices = [shown for shown in notifier.shown if "kudos" in shown[0].lower()]
    assert kudos_notices == [("37 new kudos", "From Dana Scully and Sam Okafor. Open Team feed to read them.")]
