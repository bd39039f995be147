"""pytest-qt tests for the team windows: Send kudos, Team feed, Voice of the Customer, Group deep breath,
the deep-breath invitation toast, the tray block, the socket commands and Settings → Team."""
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from companion import events as ev
from companion.db.sql import new_id
from companion import inbound
from tests.core.team_helpers import join_hub
from tests.ui.test_tray import texts

HTML = "<b>x</b>"


@pytest.fixture
def team(desk):
    desk.set_agent_name("alex")
    desk.roster.add_local("dana", "Dana Scully")
    desk.roster.add_local("sam", "Sam Okafor")
    return desk


def kudos_for_me(desk, message=HTML, sender="dana", category="helping"):
    record = {"id": new_id(), "kind": "kudos", "sender": sender, "team": "blue", "recipient": "alex",
              "category": category, "message": message, "call_ref": None, "sent_at": desk.clock.now().isoformat()}
    with desk.db.session() as s:
        return inbound.apply(s, record, "alex", desk.clock.now())


# -- Send kudos -------------------------------------------------------------------------------------
# the keyboard flow end to end: tests/ui/test_kudos_flow.py
def test_alt_digit_picks_a_category_from_anywhere(controller, team, qtbot):
    dialog = controller.open_kudos()
    dialog.to.setText("sam")
    dialog.message.setText("Thanks")
    for shortcut in dialog.shortcuts:
        assert shortcut.key().toString().startswith("Alt+")
    dialog.shortcuts[4].activated.emit()
    assert dialog.chips.key() == "teamwork"
    qtbot.keyClick(dialog.message, Qt.Key.Key_Return)
    assert team.kudos.feed()[0].category.key == "teamwork"


def test_refusals_are_shown_and_nothing_is_sent(controller, team, qtbot):
    dialog = controller.open_kudos()
    dialog.chips.set_key("helping")
    dialog.to.setText("alex")
    dialog.message.setText("me!")
    assert not dialog.send() and "yourself" in dialog.error.text()
    dialog.to.setText("dana")
    dialog.message.setText("card 4111 1111 1111 1111")
    assert not dialog.send() and "card number" in dialog.error.text()
    dialog.message.setText("y" * 281)
    assert dialog.counter.text() == "281/280" and dialog.counter.property("role") == "counter-over"
    assert not dialog.send() and "at most 280" in dialog.error.text()
    assert team.kudos.feed() == [] and dialog.isVisible()


def test_call_ref_is_prefilled_from_the_current_or_last_call(controller, team, clock):
    controller.start_call("4711")
    assert controller.open_kudos().ref.text() == "4711"
    controller.windows["kudos"].close()
    clock.advance(30)
    controller.end_call(False)
    dialog = controller.open_kudos()
    assert dialog.ref.text() == "4711"
    dialog.to.setText("dana")
    dialog.chips.set_key("helping")
    dialog.message.setText("Thanks for the transfer")
    assert dialog.send() and team.kudos.feed()[0].call_ref == "4711"


def test_first_kudos_asks_my_name_and_saves_it(controller, desk, qtbot):
    desk.roster.add_local("dana", "Dana")
    dialog = controller.open_kudos()
    dialog.to.setText("dana")
    dialog.chips.set_key("responding")
    dialog.message.setText("Thanks")
    assert not dialog.send()
    ask = dialog.name_dialog
    assert ask is not None and ask.isVisible()
    ask.name.setText("Not Valid")
    assert not ask.save() and "lowercase" in ask.error.text()
    ask.name.setText("alex")
    ask.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert desk.settings().agent_name == "alex"
    assert [k.sender for k in desk.kudos.feed()] == ["alex"] and not dialog.isVisible()


# -- Team feed ------------------------------------------------------------------------------------
def test_feed_shows_text_literally_and_marks_unread(controller, team, qtbot):
    kudos_for_me(team, HTML)
    team.kudos.send("sam", "teamwork", "<i>great</i> huddle")
    controller.menu.menu.aboutToShow.emit()
    assert "Team feed (1 new)" in texts(controller.menu.menu)
    window = controller.open_feed()
    assert window.tabs.tabText(0) == "This week (2)" and window.tabs.tabText(2) == "My kudos (1 new)"
    messages = {card.message.text() for card in window.week_list.cards}
    assert messages == {HTML, "<i>great</i> huddle"}  # plain text, exactly as typed
    assert {c.headline.text() for c in window.week_list.cards} == {"You thanked Sam Okafor", "Dana Scully thanked you"}
    assert not window.inbox_list.loaded  # "My kudos" loads when first shown
    window.show_mine()
    [mine] = window.inbox_list.cards
    assert (mine.new_mark is not None, mine.headline.text(), mine.message.text()) == (True, "Dana Scully thanked you", HTML)
    stars = {c.category.text(): c.names.text() for c in window.star_cards}
    assert stars == {"Helping others": "You", "Thriving through teamwork": "Sam Okafor"}
    window.mark_read.click()
    assert team.kudos.unread_count() == 0 and window.inbox_list.cards[0].new_mark is None
    assert not window.mark_read.isEnabled()
    controller.menu.menu.aboutToShow.emit()
    assert "Team feed" in texts(controller.menu.menu)


def test_received_kudos_notify_through_the_bridge_and_refresh_the_feed(controller, team, notifier):
    window = controller.open_feed()
    team.events.publish(ev.TEAM_RECEIVED, items=[kudos_for_me(team, "Thank you!")])
    assert notifier.shown[-1] == ("Kudos from Dana Scully: Helping others", "Thank you!")
    assert window.tabs.tabText(2) == "My kudos (1 new)"


def test_received_kudos_are_held_during_a_call(controller, team, notifier, clock):
    controller.start_call("4711")
    controller.team_received([kudos_for_me(team, "Held for later")])
    assert ("Kudos from Dana Scully: Helping others", "Held for later") not in notifier.shown
    clock.advance(60)
    controller.end_call(False)
    assert ("Kudos from Dana Scully: Helping others", "Held for later") in notifier.shown


# -- Voice of the Customer ----------------------------------------------------------------------------
def others_obstacle(desk, text=HTML):
    record = {"id": new_id(), "kind": "obstacle", "sender": "dana", "team": "blue", "anonymous": False,
              "category": "tools", "text": text, "logged_at": desk.clock.now().isoformat()}
    with desk.db.session() as s:
        inbound.apply(s, record, "alex", desk.clock.now())
    return record["id"]


def test_voice_log_plus_one_and_no_lead_controls_for_agents(controller, team, qtbot):
    theirs = others_obstacle(team)
    window = controller.open_voice()
    card = window.item_for(theirs)
    assert card.act_button is None and card.reply is None  # no lead controls for an agent
    assert card.text_label.text() == HTML and card.meta.text().startswith("by Dana Scully · ")
    assert card.text_label.textFormat() == Qt.TextFormat.PlainText
    window.vote_buttons[theirs].click()
    card = window.item_for(theirs)
    assert card.count_label.text() == "1" and not window.vote_buttons[theirs].isEnabled()
    assert window.vote_buttons[theirs].text() == "Given" and window.error.kind() == "success"
    window.text.setPlainText("Refund needs a transfer")
    window.category.setCurrentIndex(window.category.findData("rights"))
    window.anonymous.setChecked(True)
    window.log_button.click()
    assert "Logged" in window.error.text() and window.text.toPlainText() == ""
    [group] = [g for g in window.groups if g.category == "rights"]
    assert group.items[0].author is None
    mine = window.item_for(group.items[0].id)
    assert mine.meta.text().startswith("by Anonymous · ") and group.items[0].id not in window.vote_buttons
    assert mine.vote_button is None


def test_voice_refuses_a_card_number_with_a_clear_message(controller, team):
    window = controller.open_voice()
    window.text.setPlainText("Customer read 4111-1111-1111-1111 aloud")
    assert not window.log()
    assert "card number" in window.error.text() and team.obstacles.board() == []
    assert window.error.kind() == "error"
    assert window.text.toPlainText() == "Customer read 4111-1111-1111-1111 aloud"  # kept to edit


def test_lead_marks_acted_on_with_a_reply_on_the_card(controller, team, qtbot):
    join_hub(team, lead=True)
    theirs = others_obstacle(team)
    window = controller.open_voice()
    card = window.item_for(theirs)
    assert card.act_button.isVisibleTo(window) and not card.reply.isVisibleTo(window)
    card.act_button.click()
    assert card.reply.isVisibleTo(window) and card.reply.accessibleName().startswith("What was done about: ")
    card.confirm_button.click()  # an empty reply: refused, nothing changes, the field stays
    assert window.error.kind() == "error" and window.item_for(theirs) is card
    card.reply.setText("CRM timeout raised to 60 s")
    others_obstacle(team, "Arrives meanwhile")
    controller._refresh_team_windows()  # the board refreshes as the hub brings news: the half-typed reply stays
    card = window.item_for(theirs)
    assert card.reply.isVisibleTo(window) and card.reply.text() == "CRM timeout raised to 60 s"
    qtbot.keyClick(card.reply, Qt.Key.Key_Return)
    card = window.item_for(theirs)
    assert card.status_label.text() == "Acted on by you: CRM timeout raised to 60 s"
    assert card.act_button is None and card.vote_button is None
    assert card.accessibleName().endswith(", acted on: CRM timeout raised to 60 s")
    assert window.error.text() == "Marked acted on. The author is told." and window.error.kind() == "success"
    [item] = [i for g in team.obstacles.board() for i in g.items if i.id == theirs]
    assert item.status == "acted_on" and item.reply == "CRM timeout raised to 60 s"


# -- Group deep breath ----------------------------------------------------------------------------
def test_lead_menu_and_breath_window(controller, team):
    controller.menu.menu.aboutToShow.emit()
    assert "Group deep breath…" not in texts(controller.menu.menu)
    join_hub(team, lead=True)
    controller.menu.menu.aboutToShow.emit()
    assert "Group deep breath…" in texts(controller.menu.menu)
    controller.menu.action("Group deep breath…").trigger()
    window = controller.windows["breath"]
    assert "not invited the team" in window.last.text()
    assert window.focusWidget() is window.buttons.button(window.buttons.StandardButton.Close)  # never Invite first
    window.send_button.click()
    assert "fewer than 5 in the team: count hidden" in window.last.text()
    assert controller.toasts.visible[-1].windowTitle() == "Group deep breath"


def test_breath_window_shows_the_count_when_the_hub_reports_it(controller, team, qtbot, monkeypatch):
    from companion.team.breath import record_joined_count
    from ui.windows import breath

    monkeypatch.setattr(breath.GroupBreathWindow, "REFRESH_MS", 20)
    with team.db.session() as s:  # five in the team, as the hub's roster says
        inbound.apply_roster(s, [{"name": n, "display_name": n.title(), "team": "blue", "is_lead": n == "alex"}
                                 for n in ("alex", "dana", "sam", "kim", "lou")])
    join_hub(team, lead=True)
    window = controller.open_breath()
    window.send_button.click()
    assert "no count yet" in window.last.text()
    with team.db.session() as s:  # what the sync worker does when the hub answers
        [broadcast] = s.all("SELECT id FROM broadcasts")
        record_joined_count(s, broadcast.id, 2)
    qtbot.waitUntil(lambda: "2 joined" in window.last.text(), timeout=2000)


def invitation(desk, minutes_left=10):
    now = desk.clock.now()
    record = {"id": new_id(), "kind": "broadcast", "sender": "dana", "team": "blue", "broadcast_kind": "deep_breath",
              "sent_at": now.isoformat(), "expires_at": (now + timedelta(minutes=minutes_left)).isoformat()}
    with desk.db.session() as s:
        return inbound.apply(s, record, "alex", now)


def test_invitation_toast_join_starts_a_group_reset(controller, team):
    join_hub(team)
    controller.team_received([invitation(team)])
    toast = controller.toasts.visible[-1]
    assert toast.windowTitle() == "Group deep breath" and list(toast.buttons) == ["join", "decline"]
    assert [b.text() for b in toast.buttons.values()] == ["Join", "Not now"]
    assert "Dana Scully invites the team" in toast.body_label.text()
    toast.buttons["join"].click()
    reset = controller.windows["reset"]
    assert reset.isVisible() and team.resets.current.trigger == "group_breath"
    assert team.resets.current.planned_seconds == 60


def test_invitation_toast_not_now_records_a_decline(controller, team):
    item = invitation(team)
    controller.team_received([item])
    controller.toasts.visible[-1].buttons["decline"].click()
    assert team.breath.response(item.record_id) == "declined" and "reset" not in controller.windows


def test_invitation_during_a_call_appears_after_it(controller, team, clock):
    controller.start_call("4711")
    item = invitation(team)
    controller.team_received([item])
    assert not any(t.kind == "breath_invite" for t in controller.toasts.visible)
    clock.advance(120)
    controller.end_call(False)
    assert any(t.kind == "breath_invite" for t in controller.toasts.visible)


def test_an_invitation_on_screen_when_a_call_starts_is_held_and_comes_back(controller, team, clock):
    # review of the merged app (finding 11; /tmp/rev1/call_hold.py)
    join_hub(team)
    item = invitation(team)
    controller.team_received([item])
    assert [t.kind for t in controller.toasts.visible] == ["breath_invite"]
    controller.start_call("4711")
    assert controller.toasts.visible == []  # Join cannot be used on a call: the card goes
    assert team.breath.response(item.record_id) is None and team.notifications.waiting() == 1
    clock.advance(300)
    controller.end_call(False)
    toast = [t for t in controller.toasts.visible if t.kind == "breath_invite"]
    assert len(toast) == 1  # the window (10 minutes) is still open: it comes back
    toast[0].buttons["join"].click()
    assert team.breath.response(item.record_id) == "joined"


def test_an_invitation_held_by_a_call_past_its_window_is_missed(controller, team, clock):
    join_hub(team)
    item = invitation(team)
    controller.team_received([item])
    controller.start_call("4711")
    clock.advance(700)
    controller.end_call(False)
    assert not any(t.kind == "breath_invite" for t in controller.toasts.visible)
    assert team.breath.response(item.record_id) == "missed"


# -- socket commands ------------------------------------------------------------------------------
def test_socket_kudos_opens_the_dialog_and_kudos_send_sends(controller, team):
    from companion import ipc

    ok, text, _ = controller.handle_request(ipc.Request("kudos", {}))
    assert ok and controller.windows["kudos"].isVisible()
    request = ipc.parse_request(ipc.encode({"v": 1, "cmd": "kudos.send", "to": "dana", "category": "responding",
                                            "message": HTML}))
    ok, text, extra = controller.handle_request(request)
    assert ok and text == "Kudos sent to dana (Responding with care)."
    with team.db.reading() as s:
        assert s.get("kudos", extra["id"]).message == HTML


def test_socket_kudos_send_refusal_is_an_answer(controller, team):
    from companion import ipc

    line = ipc.encode({"v": 1, "cmd": "kudos.send", "to": "zoe", "category": "helping", "message": "hi"})
    answer = ipc.respond(line, controller.handle_request)
    assert b'"ok":false' in answer and b"not on your team roster" in answer


# -- Settings -> Team -----------------------------------------------------------------------------
def test_settings_team_section_adds_removes_and_saves(controller, desk):
    window = controller.open_settings()
    team = window.team
    team.new_name.setText("dana")
    team.new_display.setText(HTML)
    assert team.add() and team.table.item(0, 1).text() == HTML
    team.new_name.setText("Bad Name")
    team.new_display.setText("B")
    assert not team.add() and "lowercase" in team.message.text()
    team.table.setCurrentCell(0, 0)
    assert team.remove() and desk.roster.mates() == []
    team.agent_name.setText("alex")
    team.daily_cap.setValue(3)
    assert window.save()
    assert (desk.settings().agent_name, desk.settings().kudos_daily_cap) == ("alex", 3)


def test_settings_hub_roster_is_read_only(controller, desk):
    desk.set_agent_name("alex")
    join_hub(desk)
    with desk.db.session() as s:
        inbound.apply_roster(s, [{"name": "lee", "display_name": "Lee", "team": "blue", "is_lead": True}])
    team = controller.open_settings().team
    assert team.agent_name.isReadOnly() and not team.add_button.isEnabled() and not team.remove_button.isEnabled()
    assert team.table.item(0, 2).text() == "team hub" and "read-only" in team.message.text()


def test_settings_roster_shows_hand_typed_teammates_as_inactive_on_a_hub(controller, team):
    # review of the merged app (finding 10): only hub teammates are offered in Send kudos
    join_hub(team)
    with team.db.session() as s:
        inbound.apply_roster(s, [{"name": "lee", "display_name": "Lee", "team": "blue", "is_lead": True}])
    section = controller.open_settings().team
    rows = {section.table.item(r, 0).text(): section.table.item(r, 2).text() for r in range(section.table.rowCount())}
    assert rows == {"lee": "team hub", "dana": "you (inactive: not on the team hub)",
                    "sam": "you (inactive: not on the team hub)"}
    assert section.table.item(0, 0).text() == "lee"  # the ones offered first
    assert [m.name for m in team.roster.mates()] == ["lee"]
    assert [m.name for m in controller.open_kudos().mates] == ["lee"]


def test_notifications_of_team_kinds_are_rows(team):
    team.team_received([kudos_for_me(team)])
    with team.db.reading() as s:
        [note] = s.all("SELECT * FROM notifications")
    assert note.kind == "kudos_received"


def test_team_received_from_the_worker_thread_is_handled_on_the_gui_thread(controller, team, notifier, qtbot):
    import threading

    from PySide6.QtCore import QThread

    item = kudos_for_me(team, "From the worker")
    seen_threads = []
    original = team.team_received

    def recording(items):
        seen_threads.append(QThread.currentThread())
        original(items)

    team.team_received = recording
    worker = threading.Thread(target=lambda: team.events.publish(ev.TEAM_RECEIVED, items=[item]))
    worker.start()
    worker.join(5)
    qtbot.waitUntil(lambda: ("Kudos from Dana Scully: Helping others", "From the worker") in notifier.shown)
    assert seen_threads == [controller.thread()]


def test_first_obstacle_asks_my_name(controller, desk):
    window = controller.open_voice()
    window.text.setPlainText("Headsets crackle")
    assert not window.log()
    window.name_dialog.name.setText("alex")
    assert window.name_dialog.save()
    assert desk.settings().agent_name == "alex"
    assert [i.text for g in desk.obstacles.board() for i in g.items] == ["Headsets crackle"]


def test_esc_closes_the_team_windows(controller, team, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    for open_window in (controller.open_kudos, controller.open_feed, controller.open_voice):
        window = open_window()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        assert window.isVisible()
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)  # where a person's key lands
        assert not window.isVisible(), window.windowTitle()


def test_a_call_starts_even_if_holding_an_invitation_fails(controller, team, monkeypatch):
    from companion import ipc
    from companion.errors import DatabaseLockedError

    def busy(_ids):
        raise DatabaseLockedError("The database is busy.")

    monkeypatch.setattr(team.breath, "hold_for_call", busy)
    ok, text, _ = controller.handle_request(ipc.parse_request(b'{"v":1,"cmd":"call.start","ref":"4711"}'))
    assert ok and text.startswith("Call started (4711)")
    assert team.calls.on_call
