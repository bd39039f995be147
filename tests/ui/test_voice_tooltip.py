"""Voice of the Customer shows obstacle text as plain text, tooltips included (issue 14.5): an anonymous
teammate's obstacle must not render as a spoofed "IT notice" or load a local image."""
from PySide6.QtGui import Qt
from PySide6.QtGui import QTextDocument, QTextImageFormat

from companion.db.sql import new_id
from companion import inbound
from tests.core.team_helpers import name_me

HOSTILE = ('<img src="file:///etc/agent-companion/logo.png"><h1 style="color:red">IT NOTICE</h1>'
           '<a href="https://evil.example">Re-enter your password</a> & <b>now</b>\nsecond line')


def as_qt_renders_a_tooltip(tip: str) -> QTextDocument:
    """QToolTip shows its text in a QLabel with Qt::AutoText: rich text if Qt.mightBeRichText says so."""
    doc = QTextDocument()
    if Qt.mightBeRichText(tip):
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc


def images(doc: QTextDocument) -> list[str]:
    found, block = [], doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                found.append(QTextImageFormat(fmt).name())
            it += 1
        block = block.next()
    return found


def test_an_anonymous_obstacle_with_markup_is_shown_as_typed(controller, desk):
    name_me(desk)
    record = {"id": new_id(), "kind": "obstacle", "sender": None, "team": "blue", "anonymous": True,
              "category": "tools", "text": HOSTILE, "logged_at": desk.clock.now().isoformat()}
    with desk.db.session() as s:
        inbound.apply(s, record, "alex", desk.clock.now())
    window = controller.open_voice()
    item = window.item_for(record["id"])
    assert item.text(0) == HOSTILE  # tree cells are plain text
    doc = as_qt_renders_a_tooltip(item.toolTip(0))
    assert images(doc) == []
    assert doc.toPlainText().split() == HOSTILE.split()  # every character shown, nothing interpreted
    assert "IT NOTICE</h1>" in doc.toPlainText()
