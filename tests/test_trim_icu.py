"""scripts/trim_icu_data.py: the Linux build's smaller ICU data library gives Qt the same collation, case
mapping, number, date and time-zone-name results as PySide6's own, and is less than half its size; only the
multi-byte legacy codecs are gone (Linux with icu-devtools and gcc, which scripts/setup installs)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = r"""
from PySide6.QtCore import QCollator, QDateTime, QLocale, QStringDecoder, QTimeZone
words = ["zebra", "Äpfel", "apfel", "Zoo", "ähnlich", "Ölung", "oben", "été", "ete"]
for name in ("de_DE", "sv_SE", "fr_FR", "tr_TR"):
    loc = QLocale(name)
    c = QCollator(loc)
    print(name, sorted(words, key=c.sortKey), loc.toUpper("istanbul straße"), loc.toLower("IŞIK"),
          loc.toString(1234567.5, "f", 2), loc.toString(QDateTime.fromSecsSinceEpoch(86400 * 400, QTimeZone.utc()),
          QLocale.FormatType.LongFormat), loc.nativeLanguageName(), loc.nativeTerritoryName())
    for zone in (b"Europe/Berlin", b"America/New_York", b"Asia/Tokyo"):
        tz = QTimeZone(zone)
        print(zone, tz.isValid(), tz.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, loc))
print("codecs", {n: QStringDecoder(n).isValid() for n in ("ISO-8859-15", "windows-1252", "KOI8-R", "UTF-16")})
print("cjk", QStringDecoder("Shift_JIS").isValid())
"""


def _icu_data() -> Path:
    spec = importlib.util.find_spec("PySide6")
    assert spec and spec.origin
    libs = sorted((Path(spec.origin).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not libs:
        pytest.skip("this PySide6 has no bundled ICU (not Linux)")
    return libs[0]


def _probe(library_dir: Path | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    if library_dir is not None:
        env["LD_LIBRARY_PATH"] = str(library_dir)  # searched before the Qt libraries' own RUNPATH
    res = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout.splitlines()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux build's ICU")
def test_the_trimmed_icu_data_gives_qt_the_same_answers_at_half_the_size(tmp_path: Path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import trim_icu_data
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert not trim_icu_data.missing_tools(), "scripts/setup installs icu-devtools, gcc and binutils"
    source = _icu_data()
    before, after = trim_icu_data.trim(source, tmp_path / source.name)
    assert after < before / 2, (before, after)

    full, trimmed = _probe(None), _probe(tmp_path)
    assert full[:-1] == trimmed[:-1]  # everything but the CJK codec
    assert "Äpfel" in full[0] and "True" in full[1]  # the probe did reach ICU's collation and zone names
    assert full[-1] == "cjk True" and trimmed[-1] == "cjk False"
