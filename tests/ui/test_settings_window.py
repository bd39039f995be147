
from companion.config import SettingsStore


class BrokenAutostart:
    """An autostart whose folder cannot be written."""

    def is_enabled(self):
        return False

    def enable(self, command):
        raise PermissionError("autostart folder is read-only")

    def disable(self):
        pass


def test_saving_settings_persists_them(controller, desk, db, tmp_path):
    window = controller.open_settings()
    window.per_hour.setValue(7)
    window.long_call.setValue(12)
    window.pattern.setCurrentIndex(window.pattern.findData("sigh"))
    window.reduced_motion.setChecked(True)
    window.chime.setChecked(True)
    window.offer.setChecked(False)
    assert window.save()
    stored = SettingsStore(db).load()
    assert (stored.notifications_per_hour, stored.long_call_minutes, stored.default_pattern) == (7, 12.0, "sigh")
    assert stored.reduced_motion and stored.chime and not stored.offer_reset_after_calls
    assert desk.settings() == stored and not window.isVisible()


def test_autostart_switch_writes_and_removes_the_entry(controller, tmp_path):
    entry = tmp_path / "config" / "autostart" / "agent-companion.desktop"
    window = controller.open_settings()
    assert not window.start_at_login.isChecked()
    window.start_at_login.setChecked(True)
    assert window.save()
    assert "Exec=/usr/bin/companion" in entry.read_text()
    window = controller.open_settings()
    assert window.start_at_login.isChecked()
    window.start_at_login.setChecked(False)
    assert window.save()
    assert not entry.exists()


def test_an_autostart_failure_is_shown_and_nothing_is_saved(controller, desk, db):
    controller.autostart = BrokenAutostart()
    window = controller.open_settings()
    window.start_at_login.setChecked(True)
    window.per_hour.setValue(9)
    assert not window.save()
    assert "Not saved" in window.error.text() and "read-only" in window.error.text()
    assert window.isVisible() and SettingsStore(db).load().notifications_per_hour == 4


def test_cancel_changes_nothing(controller, db):
    window = controller.open_settings()
    window.per_hour.setValue(20)
    window.buttons.rejected.emit()
    assert SettingsStore(db).load().notifications_per_hour == 4


def test_a_locked_database_leaves_autostart_alone(controller, desk, db, tmp_path, monkeypatch):
    from companion.errors import DatabaseLockedError

    entry = tmp_path / "config" / "autostart" / "agent-companion.desktop"

    def locked(settings):
        raise DatabaseLockedError("The database is busy. Nothing was changed; try again.")

    monkeypatch.setattr(desk, "save_settings", locked)
    window = controller.open_settings()
    window.start_at_login.setChecked(True)
    assert not window.save()
    assert "busy" in window.error.text() and not entry.exists()


def test_a_failed_rollback_says_what_was_saved(controller, desk, monkeypatch):
    from companion.errors import DatabaseLockedError

    controller.autostart = BrokenAutostart()
    window = controller.open_settings()
    window.per_hour.setValue(9)
    window.start_at_login.setChecked(True)
    real_save = desk.save_settings
    calls = []

    def save_then_lock(settings):
        calls.append(settings)
        if len(calls) > 1:
            raise DatabaseLockedError("busy")
        return real_save(settings)

    monkeypatch.setattr(desk, "save_settings", save_then_lock)
    assert not window.save()
    assert window.error.text().startswith("Settings saved, but starting at login could not be changed")
    assert desk.settings().notifications_per_hour == 9


def test_esc_closes_settings_without_saving(qtbot, desk, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from companion.autostart import XdgAutostart
    from ui.windows.settings import SettingsWindow

    window = SettingsWindow(desk, XdgAutostart(tmp_path / "config"), lambda: ["companion"])
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.per_hour.setValue(9)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert desk.settings().notifications_per_hour == 4  # Esc is Cancel: nothing saved
