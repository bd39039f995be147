import pytest
from hypothesis import given, strategies as st

from companion.errors import InvalidInput
from companion.obstacles.pci import contains_card_number, luhn_valid, refuse_card_numbers


@pytest.mark.parametrize("text", [
    "4111111111111111",                      # 16 digits, Visa test number
    "card 4111 1111 1111 1111 please",        # spaces
    "4111-1111-1111-1111",                    # dashes
    "378282246310005",                        # 15 digits (Amex)
    "4222222222222",                          # 13 digits
    "6011 0009 9013 9424",
    "ref 4711 then 4111 1111 1111 1111",      # a card after another number
    "3530111333300000",
    "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",  # full-width
])
def test_luhn_valid_13_to_19_digits_are_found(text):
    assert contains_card_number(text)
    with pytest.raises(InvalidInput, match="card number"):
        refuse_card_numbers(text, "The obstacle")


@pytest.mark.parametrize("text", [
    "4111111111111112",                       # fails Luhn
    "+44 20 7946 0958",                       # a phone number (12 digits)
    "order 1234567890123",                    # 13 digits, not Luhn-valid
    "411111111111",                           # 12 digits even though Luhn-valid
    "41111111111111111111111",                # 23 digits in one run: not a card
    "call 4711 at 10:30 on 2026-11-23",
    "we waited 45 minutes",
    "",
])
def test_other_numbers_are_accepted(text):
    assert not contains_card_number(text)
    refuse_card_numbers(text, "The obstacle")


def test_luhn():
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")


@given(st.text(max_size=400))
def test_never_crashes(text):
    assert contains_card_number(text) in (True, False)


@given(st.lists(st.integers(0, 9), min_size=12, max_size=18), st.sampled_from(["", " ", "-"]))
def test_any_luhn_completed_number_is_found(digits, sep):
    body = "".join(map(str, digits))
    check = next(str(d) for d in range(10) if luhn_valid(body + str(d)))
    number = body + check
    grouped = sep.join(number[i:i + 4] for i in range(0, len(number), 4))
    assert contains_card_number(f"my card is {grouped}.")


# -- the shared vectors (the hub's own check is tested against the same file: tests/team/test_hub_guards.py) --
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from companion.calls.refs import validate_ref  # noqa: E402
from companion.kudos.rules import validate_call_ref, validate_message  # noqa: E402
from companion.obstacles.service import validate_text  # noqa: E402

VECTORS = json.loads((Path(__file__).parents[1] / "card_number_vectors.json").read_text())


@pytest.mark.parametrize("case", VECTORS["cards"], ids=lambda c: c["why"])
def test_every_separator_between_digit_groups_is_seen_through(case):
    """Issue 14: no-break spaces, double spaces, dots, slashes, line breaks ... bypassed the check."""
    assert contains_card_number(case["text"])
    for validate in (validate_message, validate_text):  # kudos and obstacles (a bare CR is refused anyway)
        with pytest.raises(InvalidInput, match="card number" if "\r" not in case["text"] else "."):
            validate(case["text"])


@pytest.mark.parametrize("case", VECTORS["not_cards"], ids=lambda c: c["why"])
def test_ordinary_numbers_pass_with_any_separator(case):
    assert not contains_card_number(case["text"])


@pytest.mark.parametrize("ref", ["4111.1111.1111.1111", "4111/1111/1111/1111", "4111_1111:1111_1111",
                                 "4111-1111.1111/1111"])
def test_a_call_reference_with_a_card_number_is_refused_whatever_its_separators(ref):
    for validate in (validate_ref, validate_call_ref):
        with pytest.raises(InvalidInput, match="card number"):
            validate(ref)
