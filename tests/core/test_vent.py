import logging

from companion.reset.vent import VentPad


def test_shred_forgets_everything(caplog):
    pad = VentPad()
    with caplog.at_level(logging.DEBUG):
        pad.write("that customer called me useless\nthree times")
        assert pad.line_count == 2
        assert "useless" not in repr(pad)
        assert pad.shred() == 2
    assert pad.text == "" and pad.line_count == 0 and pad.shred() == 0
    assert "useless" not in caplog.text


def test_writing_again_replaces_the_text():
    pad = VentPad()
    pad.write("first draft")
    pad.write("second")
    assert pad.text == "second" and pad.line_count == 1
