"""Settings → Presence hooks, and a hook's failure reaching the agent (held while on a call)."""
import threading

from companion.config import SettingsStore
from companion.presence import OperationsConfig


def test_the_agent_sets_the_hooks_in_settings(controller, desk, db):
    window = controller.open_settings()
    assert window.presence.reset_start.text() == "" and window.presence.reset_start.isEnabled()
    window.presence.reset_start.setText("  acd-status --not-ready wellness --minutes $COMPANION_RESET_MINUTES ")
    window.presence.reset_end.setText("acd-status --available")
    assert window.save()
    stored = SettingsStore(db).load()
    assert stored.reset_start_hook == "acd-status --not-ready wellness --minutes $COMPANION_RESET_MINUTES"
    assert stored.reset_end_hook == "acd-status --available"


def test_a_bad_hook_is_refused_with_a_clear_message_and_nothing_is_saved(controller, db):
    window = controller.open_settings()
    window.presence.reset_end.setText("curl -d '{\"status\": \"available\"}")
    window.per_hour.setValue(9)
    assert not window.save()
    assert "Not saved" in window.error.text() and "no closing quotation" in window.error.text()
    assert SettingsStore(db).load().notifications_per_hour == 4 and window.isVisible()


def test_a_hook_it_set_is_shown_read_only_and_the_agents_own_value_is_kept(controller, desk, db):
    desk.save_settings(desk.settings().with_changes(reset_start_hook="mine-start", reset_end_hook="mine-end"))
    controller.operations = OperationsConfig(reset_start="it-start --wellness")
    window = controller.open_settings()
    assert window.presence.reset_start.text() == "it-start --wellness"
    assert window.presence.reset_start.isReadOnly() and not window.presence.reset_start.isEnabled()
    assert "IT department" in window.presence.notice.text()
    assert window.presence.reset_end.text() == "mine-end" and not window.presence.reset_end.isReadOnly()
    window.presence.reset_end.setText("mine-end-2")
    assert window.save()
    stored = SettingsStore(db).load()
    assert (stored.reset_start_hook, stored.reset_end_hook) == ("mine-start", "mine-end-2")


def test_an_unusable_operations_config_is_explained_in_settings(controller):
    controller.operations = OperationsConfig(problem="The operations config /etc/x is not trusted. Presence hooks "
                                                     "are off until it is fixed.")
    window = controller.open_settings()
    assert "not trusted" in window.presence.notice.text()


def test_a_hook_failure_from_the_worker_thread_is_a_notification_held_during_a_call(controller, desk, notifier,
                                                                                     qtbot):
    notifier.shown.clear()  # the first-run welcome
    desk.start_call()
    post, threads = desk.notifications.post, []

    def recording_post(*args, **kwargs):
        threads.append(threading.current_thread())
        return post(*args, **kwargs)

    desk.notifications.post = recording_post
    worker = threading.Thread(target=controller.hook_problem.emit, args=("The command run when a reset ended "
                                                                          "failed (exit status 7).",))
    worker.start()
    worker.join(10)
    qtbot.waitUntil(lambda: desk.notifications.waiting() == 1, timeout=10_000)
    assert notifier.shown == []  # nothing pops up during the call
    assert threads == [threading.main_thread()]  # the database is touched on the GUI thread only
    desk.end_call()
    assert notifier.shown == [("Presence hook failed", "The command run when a reset ended failed (exit status 7).")]
