"""A smaller ICU data library for the Linux frozen build (build.spec calls ``trim``; the tests too).

PySide6's Linux wheel links Qt6Core against ICU 73, whose data library ``libicudata.so.73`` (32 MB) is the
largest single file of the folder. Qt uses ICU for collation (QCollator, localeAwareCompare), case mapping,
time-zone names and the legacy text codecs of QStringConverter; the display names of languages, regions,
currencies and units come from Qt's own CLDR tables, not from ICU. So this drops from ICU's data what Qt never
reads -- ``lang/``, ``region/``, ``curr/``, ``unit/`` (display names), ``translit/`` and ``rbnf/`` -- and the
multi-byte legacy converters (CJK and EBCDIC code pages, each over 20 kB, and the converters built on them).
Collation, break iteration, time zones, case mapping and the single-byte code pages (ISO 8859-x, windows-125x,
KOI8-R ...) stay; UTF-8/16/32 and Latin-1 are Qt's own. Measured: 32.0 MB -> 15.4 MB, and Qt's collation,
case mapping, number, date and time-zone-name output unchanged (tests/test_trim_icu.py).

The data is cut out of the library (the ``icudt73_dat`` symbol), trimmed with ICU's ``icupkg``, turned back
into assembly with ``genccode`` and linked with ``gcc`` (Debian: icu-devtools, gcc; scripts/setup installs them).

    python scripts/trim_icu_data.py SOURCE_LIB OUTPUT_LIB
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DROPPED_TREES = ("lang/", "region/", "curr/", "unit/", "translit/", "rbnf/")
MAX_CONVERTER_BYTES = 20_000
TOOLS = ("icupkg", "genccode", "gcc", "nm")


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600)


def _extract(lib: Path, out: Path) -> str:
    """Write the ICU common data inside ``lib`` to ``out``; return its entry name (e.g. icudt73)."""
    listing = _run("nm", "-D", "-S", lib).stdout
    match = re.search(r"^[0-9a-f]+ ([0-9a-f]+) R (icudt\d+)_dat$", listing, re.MULTILINE)
    if not match:
        raise RuntimeError(f"{lib}: no icudt*_dat symbol")
    size, entry = int(match.group(1), 16), match.group(2)
    blob = lib.read_bytes()
    # the data starts with its header: 2 bytes size, the magic 0xda 0x27, then UDataInfo ("CmnD" at +12)
    start = next((m.start() - 12 for m in re.finditer(rb"CmnD", blob)
                  if m.start() >= 12 and blob[m.start() - 10:m.start() - 8] == b"\xda\x27"), None)
    if start is None or start + size > len(blob):
        raise RuntimeError(f"{lib}: the ICU common data header was not found")
    out.write_bytes(blob[start:start + size])
    return entry


def trim(source: Path, output: Path) -> tuple[int, int]:
    """Build the trimmed ``output`` from ``source``; return (bytes before, bytes after)."""
    absent = missing_tools()
    if absent:
        raise RuntimeError(f"missing tools: {', '.join(absent)}")
    with tempfile.TemporaryDirectory(prefix="icu-trim-") as tmp:
        work = Path(tmp)
        (work / "full").mkdir()
        full = work / "full" / "name.dat"
        entry = _extract(source, full)
        package = f"{entry}l"  # little-endian: the name every item in the package starts with (icupkg wants
        full = full.rename(full.with_name(f"{package}.dat"))  # the file named after it)
        items = _run("icupkg", "-l", full).stdout.split()
        parts = work / "items"
        parts.mkdir()
        listed = work / "all.txt"
        listed.write_text("\n".join(items) + "\n")
        res = _run("icupkg", "-x", listed, "-d", parts, full)
        if res.returncode != 0:
            raise RuntimeError(f"icupkg -x failed: {res.stderr[-2000:]}")
        drop = {i for i in items if i.startswith(DROPPED_TREES)}
        drop |= {i for i in items if i.endswith(".cnv") and (parts / i).stat().st_size > MAX_CONVERTER_BYTES}
        trimmed_dir = work / "trimmed"
        trimmed_dir.mkdir()
        trimmed = trimmed_dir / f"{package}.dat"
        for _ in range(5):  # a converter built on a dropped one goes too
            shutil.copyfile(full, trimmed)
            (work / "drop.txt").write_text("\n".join(sorted(drop)) + "\n")
            res = _run("icupkg", "-r", work / "drop.txt", trimmed)
            dependents = set(re.findall(r"^Item (\S+) depends on missing item", res.stderr + res.stdout,
                                        re.MULTILINE))
            if not dependents:
                break
            drop |= dependents
        else:
            raise RuntimeError("icupkg: the dropped items' dependents never settled")
        if res.returncode != 0:
            raise RuntimeError(f"icupkg -r failed: {res.stderr[-2000:]}")
        res = _run("genccode", "-a", "gcc", "-e", entry, "-d", work, trimmed)
        if res.returncode != 0:
            raise RuntimeError(f"genccode failed: {res.stderr[-2000:]}")
        output.parent.mkdir(parents=True, exist_ok=True)
        res = _run("gcc", "-shared", "-nostdlib", f"-Wl,-soname,{source.name}", "-o", output,
                   work / f"{package}_dat.S")
        if res.returncode != 0:
            raise RuntimeError(f"gcc failed: {res.stderr[-2000:]}")
        _run("strip", output)
    return source.stat().st_size, output.stat().st_size


if __name__ == "__main__":
    before, after = trim(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"ICU data: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
