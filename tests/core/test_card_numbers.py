import pytest
from hypothesis import given, strategies as st

from companion.errors import InvalidInput
from companion.pci import contains_card_number, luhn_valid, refuse_card_numbers


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
