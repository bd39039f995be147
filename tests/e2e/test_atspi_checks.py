"""The accessibility walk's judgement (tests/e2e/atspi.py: problems), on hand-made trees: no desktop needed."""
from tests.e2e.atspi import Node, problems

SHOWING = frozenset({"showing", "visible", "enabled"})


def node(role, name="", *children, states=SHOWING):
    return Node("app", f"/{role}/{name}", role, name, "", frozenset(states), list(children))


def test_an_unnamed_control_and_a_name_that_says_nothing_are_problems():
    window = node("frame", "Agent Companion — Send kudos",
                  node("label", "To"), node("text", ""), node("check box", "1"), node("push button", "+1"),
                  node("push button", "Send"), node("table", "Team roster"), node("label", ""))
    assert problems(window) == [
        "unnamed text (description '') at /text/",
        "check box named '1' says nothing about what it is",
        "push button named '+1' says nothing about what it is",
    ]


def test_what_is_not_showing_or_not_interactive_is_not_judged():
    hidden = node("push button", "", states={"visible"})
    window = node("frame", "Settings", hidden, node("label", ""), node("filler", ""), node("scroll bar", ""))
    assert problems(window) == []


def test_a_row_of_toggle_buttons_with_exactly_one_on_is_an_exclusive_choice_in_disguise():
    on = SHOWING | {"checked"}
    row = node("filler", "", node("toggle button", "Day", states=on), node("toggle button", "Week"))
    assert problems(node("frame", "My day", row)) == [
        "an exclusive choice shown as toggle buttons (use radio buttons): 'Day', 'Week'"]
    radios = node("filler", "", node("radio button", "Day", states=on), node("radio button", "Week"))
    assert problems(node("frame", "My day", radios)) == []
