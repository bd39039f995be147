import pytest

from companion.errors import InvalidInput
from companion import inbound


def test_add_and_remove_by_hand(desk):
    mate = desk.roster.add_local("dana", "Dana Scully")
    assert mate.label == "Dana Scully (dana)" and mate.source == "local"
    with pytest.raises(InvalidInput, match="already on your roster"):
        desk.roster.add_local("dana", "Dana")
    desk.roster.remove_local("dana")
    assert desk.roster.mates() == []


@pytest.mark.parametrize("name, display, reason", [
    ("Dana", "Dana", "lowercase"), ("dana", "", "empty"), ("dana", "4111 1111 1111 1111", "card number"),
    ("dana", "x" * 101, "at most 100"), ("dana", "Dana\u202e", "direction override"),
])
def test_roster_free_text_is_checked(desk, name, display, reason):
    with pytest.raises(InvalidInput, match=reason):
        desk.roster.add_local(name, display)
    assert desk.roster.mates() == []


def test_hub_entries_are_read_only_here(desk):
    with desk.db.session() as s:
        inbound.apply_roster(s, [{"name": "lee", "display_name": "Lee", "team": "blue", "is_lead": True}])
    with pytest.raises(InvalidInput, match="team hub"):
        desk.roster.remove_local("lee")
    with pytest.raises(InvalidInput, match="team hub"):
        desk.roster.add_local("lee", "Someone else")
    with desk.db.reading() as s:
        [lee] = s.all("SELECT * FROM teammates")
    assert lee.display_name == "Lee"


def test_a_hub_roster_makes_hand_typed_teammates_inactive_never_deleted(desk):
    # review of the merged app (finding 10; /tmp/rev1/roster.py)
    from tests.core.team_helpers import join_hub, name_me

    name_me(desk, "alex")
    desk.roster.add_local("jo", "Jo")            # typed by hand while working alone
    join_hub(desk, team="red")
    with desk.db.session() as s:
        inbound.apply_roster(s, [{"name": "alex", "display_name": "Alex", "team": "red", "is_lead": False},
                                 {"name": "dana", "display_name": "Dana", "team": "red", "is_lead": False}])
    assert [(m.name, m.source) for m in desk.roster.mates()] == [("alex", "hub"), ("dana", "hub")]
    kept = {m.name: (m.source, m.active) for m in desk.roster.mates(include_inactive=True)}
    assert kept["jo"] == ("local", False)       # kept (old kudos keep the display name), not offered
    assert desk.roster.display_names()["jo"] == "Jo"
    with pytest.raises(InvalidInput):
        desk.kudos.send("jo", "helping", "thanks")  # nothing is queued for the hub to refuse
    from companion.team import outbox
    with desk.db.session() as s:
        assert outbox.pending(s) == []
