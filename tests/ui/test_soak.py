"""A simulated 8-hour shift on a fast fake clock: the reset timer does not drift and memory does not grow.

Each simulated call, reset (ticked like the window's timer does), notification and tray-menu opening runs
through the real controller and windows; only time is simulated.
"""
import gc
import tracemalloc


def one_hour(controller, desk, clock, hour):
    for call in range(6):  # six 8-minute calls an hour, the last tough
        controller.start_call(f"H{hour}C{call}")
        desk.notifications.post("info", f"during call {hour}.{call}", "held until the call ends")
        clock.advance(8 * 60)
        controller.end_call(call == 5)
        controller.menu.menu.aboutToShow.emit()
    window = controller.open_reset(1, None, "tray")
    window.skip_button.click()  # past the mood question: the breathing (and its minute) begins
    frames = 0
    while desk.resets.current is not None and frames < 61 * 25:  # the window's 25 frames per second
        clock.advance(0.04)
        window.tick()
        frames += 1
    window.close()
    clock.advance(60 * 60 - 6 * 8 * 60 - 60)


def test_an_eight_hour_shift(controller, desk, clock, db, qtbot):
    from PySide6.QtWidgets import QApplication

    one_hour(controller, desk, clock, 0)  # warm-up: caches, lazy imports
    qtbot.wait(1)
    widgets_before = len(QApplication.allWidgets())
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for hour in range(1, 8):
        one_hour(controller, desk, clock, hour)
        qtbot.wait(1)  # let deferred deletes run, as the event loop would
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    with db.reading() as s:
        resets = s.all("SELECT * FROM resets")
    assert len(resets) == 8 and all(r.outcome == "completed" for r in resets)
    drift = max(abs(r.actual_seconds - 60) for r in resets)
    assert drift < 1.0
    assert all(abs((r.ended_at - r.started_at).total_seconds() - 60) < 1.0 for r in resets)
    assert grown < 5_000_000, f"Python memory grew by {grown / 1e6:.1f} MB over 7 simulated hours"
    for toast in list(controller.toasts.visible):  # offers still on screen are not a leak
        toast.close()
    qtbot.wait(1)
    assert len(QApplication.allWidgets()) <= widgets_before  # no menus, toasts or windows pile up
