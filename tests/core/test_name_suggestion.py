"""The name prompt's suggestion (companion.names.suggest_name): a valid team name from what was typed."""
import pytest

from companion.names import suggest_name, validate_name


@pytest.mark.parametrize("typed, suggested", [
    ("Dana Smith", "dana.smith"),
    ("  Dana   Smith  ", "dana.smith"),
    ("José Núñez", "jose.nunez"),
    ("Ørjan Æsir", "orjan.aesir"),
    ("dana.smith@example.com", "dana.smith"),
    ("42 Dana", "dana"),
    ("ALEX_Kim", "alex_kim"),
    ("o'Brien, Pat", "obrien.pat"),
    ("a -- b", "a.b"),
    ("alex.kim", "alex.kim"),  # valid already: as it is
    ("x" * 80, "x" * 63),
])
def test_suggests_a_valid_name(typed, suggested):
    assert suggest_name(typed) == suggested
    validate_name(suggested)  # never suggests what the prompt would refuse


@pytest.mark.parametrize("typed", ["", "   ", "7", "李", "!!", "postgres", "pg_admin", "a", None, 42])
def test_nothing_sensible_means_no_suggestion(typed):
    assert suggest_name(typed) is None
