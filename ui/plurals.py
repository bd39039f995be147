"""Counts in words with the right plural form: ``count("%n call(s)", 1)`` is "1 call", with 2 "2 calls".

Every count the windows show goes through :func:`count`, with Qt's numerus source strings ("%n item(s)"), so
a translation (a ``.qm`` with numerus forms, installed with ``QCoreApplication.installTranslator``) takes over
with no change here: ``QCoreApplication.translate(CONTEXT, source, None, n)`` is what ``self.tr(source, "", n)``
calls. Without a translator Qt returns the source as it is ("2 item(s)"), so English forms are made here: the
"(s)" is dropped for one and becomes "s" otherwise; the few words that do not work that way are in
``ENGLISH``. Numbers are written as the locale writes them ("25,000"), as Qt's ``%Ln`` does.
"""
from __future__ import annotations

import re

CONTEXT = "plural"
# source -> (one, other) for the English forms the "(s)" rule cannot make
ENGLISH: dict[str, tuple[str, str]] = {
    "%n kudos sent and received": ("%n kudos sent and received", "%n kudos sent and received"),
    "%n reply(s)": ("%n reply", "%n replies"),
}
_SUFFIX = re.compile(r"\((s|es)\)")


def english(source: str, n: int) -> str:
    """The English form of ``source`` for ``n`` with ``%n`` still in it."""
    if source in ENGLISH:
        one, other = ENGLISH[source]
        return one if n == 1 else other
    return _SUFFIX.sub("" if n == 1 else r"\1", source)


def number(n: int) -> str:
    from PySide6.QtCore import QLocale

    return QLocale().toString(n)


def count(source: str, n: int) -> str:
    """``source`` ("%n item(s)") for ``n``, translated when a translator knows it, else in English."""
    from PySide6.QtCore import QCoreApplication

    translated = QCoreApplication.translate(CONTEXT, source, None, n)
    if translated != source.replace("%n", str(n)):  # a translator answered
        return translated
    return english(source, n).replace("%n", number(n))
