"""The app-wide QPalette and the one stylesheet, both generated from the tokens.

Widgets opt into a look with a ``role`` property (``theme.set_role(widget, "muted")``):

- labels: ``muted``, ``caption``, ``heading``, ``title``, ``display``
- buttons: ``primary`` (the one main action), ``danger`` (deletes something), ``quiet`` (a flat secondary action), ``big`` (the quick panel)
- containers: ``card`` (a raised surface with a border and rounded corners), ``header`` (the tray's state line)
- ``feedback`` (ui/widgets/feedback.py) with ``kind`` = success / warning / error / info
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from ui import theme
from ui.theme.data import HIGH_CONTRAST, SEMANTIC, TYPE


def palette(colors: dict[str, str]) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup

    def put(r: QPalette.ColorRole, name: str, disabled: str | None = None) -> None:
        pal.setColor(r, QColor(colors[name]))
        if disabled:
            pal.setColor(group.Disabled, r, QColor(colors[disabled]))

    put(role.Window, "window")
    put(role.WindowText, "text", "text_disabled")
    put(role.Base, "surface", "surface_alt")
    put(role.AlternateBase, "surface_alt")
    put(role.Text, "text", "text_disabled")
    put(role.PlaceholderText, "text_muted")
    put(role.Button, "surface", "surface_alt")
    put(role.ButtonText, "text", "text_disabled")
    put(role.BrightText, "error")
    put(role.Highlight, "accent", "border")
    put(role.HighlightedText, "on_accent", "text_disabled")
    put(role.Link, "accent")
    put(role.LinkVisited, "accent_hover")
    put(role.ToolTipBase, "surface")
    put(role.ToolTipText, "text")
    put(role.Light, "surface")
    put(role.Midlight, "surface_alt")
    put(role.Mid, "border")
    put(role.Dark, "border_strong")
    put(role.Shadow, "border_strong")
    if hasattr(role, "Accent"):  # Qt 6.6+
        put(role.Accent, "accent")
    return pal


_image_dir: str | None = None
PREFIX = "agent-companion-theme-"


def _private_dir() -> str:
    """A new folder only this process uses (0700), removed at exit. Built from os alone: tempfile and shutil
    would cost ~1 MB and some milliseconds on the way to the tray."""
    import atexit
    import os

    base = (os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or os.environ.get("TEMP")
            or os.environ.get("TMP") or ("/tmp" if os.name == "posix" else os.path.expanduser("~")))
    _remove_stale(base)
    for _ in range(50):
        path = os.path.join(base, f"{PREFIX}{os.getpid()}-{os.urandom(4).hex()}")
        try:
            os.mkdir(path, 0o700)  # fails on anything already there (a file, a folder, a planted symlink)
        except FileExistsError:
            continue
        atexit.register(_remove, path)
        return path
    raise FileExistsError(f"no free folder name under {base}")


def _remove_stale(base: str) -> None:
    """Folders left by processes of ours that were killed (atexit never ran): ours, real folders, pid gone."""
    import os
    import stat

    if os.name != "posix":
        return
    try:
        names = [n for n in os.listdir(base) if n.startswith(PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(PREFIX):].split("-", 1)[0]
        path = os.path.join(base, name)
        try:
            info = os.lstat(path)
            if not pid.isdigit() or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            _remove(path)
        except OSError:
            continue


def _remove(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def indicator_image(name: str, hex_color: str) -> str:
    """A recoloured icon as a file for the stylesheet's ``image: url(...)`` (QSS cannot recolour an SVG): written
    once per colour into a private folder of this process. "" when no folder can be written (the stylesheet then
    does without the image: a checked box is still a filled box)."""
    global _image_dir
    import os

    from ui.theme.icons import recoloured

    try:
        if _image_dir is None:
            _image_dir = _private_dir()
        path = os.path.join(_image_dir, f"{name}-{hex_color.lstrip('#')}.svg")
        if not os.path.exists(path):
            with open(path, "xb") as fh:
                fh.write(recoloured(name, hex_color).replace(b'stroke-width="2"', b'stroke-width="3"'))
    except OSError:
        return ""
    return path.replace(os.sep, "/")


def _image(path: str) -> str:
    return f" image: url({path});" if path else ""


def _indicators(c: dict[str, str], edge: int) -> list[str]:
    """Check boxes and radio buttons drawn from the palette: Fusion darkens the window colour for their edge,
    which vanishes on dark and high-contrast backgrounds. Checked is a filled box with a tick or a dot in a
    ring: a shape, not only a colour."""
    s, r = theme.space, theme.radius
    side = s(4)
    tick = indicator_image("check", c["on_accent"])
    tick_disabled = indicator_image("check", c["surface"])
    boxes = "QCheckBox::indicator, QAbstractItemView::indicator, QGroupBox::indicator"
    dot = (f"qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5, stop:0 {c['accent']}, stop:0.45 "
           f"{c['accent']}, stop:0.55 {c['surface']}, stop:1 {c['surface']})")
    dot_disabled = dot.replace(c["accent"], c["text_disabled"])
    return [
        f"{boxes} {{ width: {side}px; height: {side}px; border: {edge}px solid {c['border_strong']};"
        f" border-radius: {r('small')}px; background: {c['surface']}; }}",
        f"QRadioButton::indicator {{ width: {side}px; height: {side}px; border: {edge}px solid {c['border_strong']};"
        f" border-radius: {side // 2 + edge}px; background: {c['surface']}; }}",
        f"QCheckBox::indicator:hover, QRadioButton::indicator:hover, QCheckBox::indicator:focus,"
        f" QRadioButton::indicator:focus {{ border-color: {c['focus']}; }}",
        f"QCheckBox::indicator:checked, QAbstractItemView::indicator:checked, QGroupBox::indicator:checked {{"
        f" background: {c['accent']}; border-color: {c['accent']};{_image(tick)} }}",
        f"QRadioButton::indicator:checked {{ background: {dot}; border-color: {c['accent']}; }}",
        f"QCheckBox::indicator:disabled, QRadioButton::indicator:disabled, QAbstractItemView::indicator:disabled"
        f" {{ background: {c['surface_alt']}; border-color: {c['text_disabled']}; }}",
        f"QCheckBox::indicator:checked:disabled, QAbstractItemView::indicator:checked:disabled {{"
        f" background: {c['text_disabled']};{_image(tick_disabled)} }}",
        f"QRadioButton::indicator:checked:disabled {{ background: {dot_disabled}; }}",
        f"QCheckBox, QRadioButton {{ spacing: {s(2)}px; }}",
    ]


def _spin_boxes(c: dict[str, str], edge: int, focus: int) -> list[str]:
    """Spin boxes and time edits with the same edge as the other fields (Fusion's vanishes on black) and their
    arrows drawn from the icon set."""
    s, r = theme.space, theme.radius
    spins = "QSpinBox, QDoubleSpinBox, QTimeEdit, QDateTimeEdit"
    button = s(5)
    rules = [
        f"{spins} {{ background: {c['surface']}; color: {c['text']}; border: {edge}px solid {c['border_strong']};"
        f" border-radius: {r('small')}px; padding: {s(1)}px {button + s(1)}px {s(1)}px {s(2)}px;"
        f" selection-background-color: {c['accent']}; selection-color: {c['on_accent']}; }}",
        f"QSpinBox:focus, QDoubleSpinBox:focus, QTimeEdit:focus, QDateTimeEdit:focus {{"
        f" border: {focus}px solid {c['focus']}; padding: {s(1) - (focus - edge)}px {button + s(1) - (focus - edge)}px"
        f" {s(1) - (focus - edge)}px {s(2) - (focus - edge)}px; }}",
        f"QSpinBox:disabled, QDoubleSpinBox:disabled, QTimeEdit:disabled, QDateTimeEdit:disabled {{"
        f" background: {c['surface_alt']}; color: {c['text_disabled']}; border-color: {c['border']}; }}",
    ]
    for part, position, icon in (("up", "top", "up"), ("down", "bottom", "down")):
        sel = ", ".join(f"{w.strip()}::{part}-button" for w in spins.split(","))
        arrow = ", ".join(f"{w.strip()}::{part}-arrow" for w in spins.split(","))
        rules += [
            f"{sel} {{ subcontrol-origin: border; subcontrol-position: {position} right; width: {button}px;"
            f" border: none; border-left: {edge}px solid {c['border']}; background: transparent; }}",
            f"{sel.replace('-button', '-button:hover')} {{ background: {c['surface_hover']}; }}",
            f"{arrow} {{{_image(indicator_image(icon, c['text']))} width: {s(3)}px; height: {s(3)}px; }}",
            f"{arrow.replace('-arrow', '-arrow:disabled')}, {arrow.replace('-arrow', '-arrow:off')} {{"
            f"{_image(indicator_image(icon, c['text_disabled']))} }}",
        ]
    return rules


def stylesheet(scheme: str) -> str:
    c = theme.tokens(scheme)["colors"]
    s, r = theme.space, theme.radius
    pt = theme.point_size
    edge = 2 if scheme in HIGH_CONTRAST else 1  # thicker edges in high contrast
    focus = 2 + (edge - 1)
    pad_v, pad_h = s(2) - 1, s(4)
    rules = [
        f"QWidget {{ color: {c['text']}; }}",
        f"QToolTip {{ color: {c['text']}; background: {c['surface']}; border: {edge}px solid {c['border_strong']};"
        f" border-radius: {r('small')}px; padding: {s(1)}px {s(2)}px; }}",
        # buttons: the same outer size focused or not (the ring replaces the edge)
        f"QPushButton, QToolButton {{ background: {c['surface']}; color: {c['text']};"
        f" border: {edge}px solid {c['border_strong']}; border-radius: {r('medium')}px;"
        f" padding: {pad_v}px {pad_h}px; min-height: {s(4) + s(1)}px; }}",
        f"QPushButton:hover, QToolButton:hover {{ background: {c['surface_hover']}; }}",
        f"QPushButton:pressed, QToolButton:pressed {{ background: {c['surface_alt']}; }}",
        f"QPushButton:focus, QToolButton:focus {{ border: {focus}px solid {c['focus']};"
        f" padding: {pad_v - (focus - edge)}px {pad_h - (focus - edge)}px; }}",
        f"QPushButton:checked, QToolButton:checked {{ background: {c['accent']}; color: {c['on_accent']};"
        f" border-color: {c['accent']}; }}",
        f"QPushButton:checked:focus, QToolButton:checked:focus {{ border-color: {c['text']}; }}",
        f"QPushButton:disabled, QToolButton:disabled {{ color: {c['text_disabled']}; background: {c['surface_alt']};"
        f" border-color: {c['border']}; }}",
        f"QPushButton[role=\"primary\"], QPushButton:default {{ background: {c['accent']}; color: {c['on_accent']};"
        f" border-color: {c['accent']}; font-weight: 600; }}",
        f"QPushButton[role=\"primary\"]:hover, QPushButton:default:hover {{ background: {c['accent_hover']}; }}",
        f"QPushButton[role=\"primary\"]:focus, QPushButton:default:focus {{ border-color: {c['text']}; }}",
        f"QPushButton[role=\"primary\"]:disabled, QPushButton:default:disabled {{ background: {c['surface_alt']};"
        f" color: {c['text_disabled']}; border-color: {c['border']}; }}",
        f"QPushButton[role=\"danger\"] {{ color: {c['error']}; border-color: {c['error']}; font-weight: 600; }}",
        f"QPushButton[role=\"danger\"]:hover {{ background: {c['error_bg']}; }}",
        f"QPushButton[role=\"danger\"]:focus {{ border-color: {c['focus']}; }}",
        f"QPushButton[role=\"danger\"]:disabled {{ color: {c['text_disabled']}; border-color: {c['border']}; }}",
        f"QPushButton[role=\"quiet\"], QToolButton[role=\"quiet\"] {{ background: transparent; border-color: transparent; }}",
        f"QPushButton[role=\"quiet\"]:hover, QToolButton[role=\"quiet\"]:hover {{ background: {c['surface_hover']}; }}",
        f"QPushButton[role=\"quiet\"]:focus, QToolButton[role=\"quiet\"]:focus {{ border-color: {c['focus']}; }}",
        f"QToolButton::menu-indicator {{ subcontrol-position: right center; right: {s(2)}px; }}",
        f"QToolButton[popupMode=\"2\"] {{ padding-right: {s(6)}px; }}",
        # the quick panel's big targets
        f"QPushButton[role=\"big\"] {{ text-align: left; padding: {s(3)}px {s(4)}px; min-height: {s(6) + s(2)}px;"
        f" font-size: {pt('heading')}pt; font-weight: 600; border-radius: {r('large')}px; }}",
        f"QPushButton[role=\"big\"]:focus {{ padding: {s(3) - (focus - edge)}px {s(4) - (focus - edge)}px; }}",
        # text inputs
        f"QLineEdit, QPlainTextEdit, QTextEdit, QComboBox {{ background: {c['surface']};"
        f" color: {c['text']}; border: {edge}px solid {c['border_strong']}; border-radius: {r('small')}px;"
        f" padding: {s(1)}px {s(2)}px; selection-background-color: {c['accent']};"
        f" selection-color: {c['on_accent']}; }}",
        f"QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QComboBox:focus"
        f" {{ border: {focus}px solid {c['focus']}; padding: {s(1) - (focus - edge)}px {s(2) - (focus - edge)}px; }}",
        f"QLineEdit:disabled, QPlainTextEdit:disabled, QComboBox:disabled {{"
        f" background: {c['surface_alt']}; color: {c['text_disabled']}; border-color: {c['border']}; }}",
        f"QComboBox QAbstractItemView {{ background: {c['surface']}; border: {edge}px solid {c['border_strong']};"
        f" selection-background-color: {c['accent']}; selection-color: {c['on_accent']}; }}",
        # lists and tables
        f"QListView, QListWidget, QTableView, QTableWidget, QTreeView {{ background: {c['surface']};"
        f" alternate-background-color: {c['surface_alt']}; border: {edge}px solid {c['border']};"
        f" border-radius: {r('small')}px; selection-background-color: {c['accent']};"
        f" selection-color: {c['on_accent']}; gridline-color: {c['border']}; }}",
        f"QListView:focus, QListWidget:focus, QTableView:focus, QTableWidget:focus, QTreeView:focus {{"
        f" border: {edge}px solid {c['focus']}; }}",
        f"QHeaderView::section {{ background: {c['surface_alt']}; color: {c['text']}; border: none;"
        f" border-bottom: {edge}px solid {c['border']}; padding: {s(1)}px {s(2)}px; font-weight: 600; }}",
        # tabs and groups
        f"QTabWidget::pane {{ border: {edge}px solid {c['border']}; border-radius: {r('medium')}px;"
        f" background: {c['surface']}; top: -{edge}px; }}",
        f"QTabBar::tab {{ background: transparent; color: {c['text_muted']}; padding: {s(2)}px {s(4)}px;"
        f" border: {edge}px solid transparent; border-bottom: {s(1) - 1}px solid transparent; }}",
        f"QTabBar::tab:selected {{ color: {c['text']}; border-bottom-color: {c['accent']}; font-weight: 600; }}",
        f"QTabBar::tab:hover {{ color: {c['text']}; background: {c['surface_hover']}; }}",
        f"QTabBar::tab:focus {{ border: {edge}px solid {c['focus']}; border-bottom: {s(1) - 1}px solid {c['accent']}; }}",
        f"QGroupBox {{ border: {edge}px solid {c['border']}; border-radius: {r('medium')}px;"
        f" margin-top: {s(4)}px; padding: {s(3)}px {s(2)}px {s(2)}px {s(2)}px; font-weight: 600; }}",
        f"QGroupBox::title {{ subcontrol-origin: margin; left: {s(3)}px; padding: 0 {s(1)}px; color: {c['text']}; }}",
        # menus (the tray menu)
        f"QMenu {{ background: {c['surface']}; color: {c['text']}; border: {edge}px solid {c['border_strong']};"
        f" border-radius: {r('small')}px; padding: {s(1)}px; }}",
        # the entry under the pointer or the keyboard: a tint and an edge, text and icons keep their colours
        f"QMenu::item {{ padding: {s(2) - 2 - edge}px {s(6) - edge}px {s(2) - 2 - edge}px {s(2) - edge}px;"
        f" border: {edge}px solid transparent; border-radius: {r('small')}px; background: transparent; }}",
        f"QMenu::item:selected {{ background: {c['surface_hover']}; color: {c['text']};"
        f" border-color: {c['focus']}; }}",
        f"QMenu::item:disabled {{ color: {c['text_disabled']}; }}",
        f"QMenu::icon {{ padding-left: {s(2)}px; }}",
        f"QMenu::separator {{ height: {edge}px; background: {c['border']}; margin: {s(1)}px {s(2)}px; }}",
        # labels by role
        f"QLabel[role=\"muted\"] {{ color: {c['text_muted']}; }}",
        f"QLabel[role=\"caption\"] {{ color: {c['text_muted']}; font-size: {pt('caption')}pt; }}",
        f"QLabel[role=\"heading\"] {{ font-size: {pt('heading')}pt; font-weight: {TYPE['heading'].weight}; }}",
        f"QLabel[role=\"title\"] {{ font-size: {pt('title')}pt; font-weight: {TYPE['title'].weight}; }}",
        f"QLabel[role=\"display\"] {{ font-size: {pt('display')}pt; font-weight: {TYPE['display'].weight}; }}",
        f"QLabel[role=\"counter-over\"] {{ color: {c['error']}; font-weight: 600; }}",
        f"QLabel:disabled {{ color: {c['text_disabled']}; }}",
        f"QLabel[role=\"header\"], QLabel[role=\"header\"]:disabled {{ color: {c['text']}; font-weight: 600;"
        f" padding: {s(2)}px {s(3)}px; }}",
        # containers
        f"QFrame[role=\"card\"], QWidget[role=\"card\"] {{ background: {c['surface']};"
        f" border: {edge}px solid {c['border']}; border-radius: {r('large')}px; }}",
        f"QFrame[role=\"popup\"] {{ background: {c['window']}; border: {edge}px solid {c['border_strong']};"
        f" border-radius: {r('small')}px; }}",  # a top-level popup has square corners to round off
    ]
    rules += _indicators(c, edge)
    rules += _spin_boxes(c, edge, focus)
    from ui.theme import board  # the huddle board's cards (Voice of the Customer, issue 11)

    rules += board.rules(scheme, s, r, edge)
    for kind, sem in SEMANTIC.items():  # the feedback line: its own colour, icon and word per state
        rules.append(f"QFrame[role=\"feedback\"][kind=\"{kind}\"] {{ background: {c[sem.bg]};"
                     f" border: {edge}px solid {c[sem.color]}; border-radius: {r('small')}px; }}")
        rules.append(f"QFrame[role=\"feedback\"][kind=\"{kind}\"] QLabel {{ color: {c[sem.color]};"
                     f" background: transparent; border: none; }}")
        rules.append(f"QLabel[kind=\"{kind}\"] {{ color: {c[sem.color]}; }}")
    from ui.theme import kudos  # the kudos widgets' rules (issue 11): chips, badges, cards

    rules += kudos.rules(scheme, s, r, edge)
    return "\n".join(rules)
