"""Export my data over an existing file (issue 14.5): the result is private (0600) whatever was there, and a
planted symlink or hard link is replaced, never written through."""
import os
import stat
import zipfile

import pytest

from companion import mydata


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.mark.parametrize("name", ["mine.zip", "folder/my-data.json"])
def test_exporting_over_an_existing_0644_file_leaves_it_0600(desk, clock, tmp_path, name):
    existing = tmp_path / name
    existing.parent.mkdir(exist_ok=True)
    existing.write_text("an older export, readable by everyone")
    existing.chmod(0o644)
    target = tmp_path / ("mine.zip" if name.endswith(".zip") else "folder")
    mydata.export(desk.db, "sam", target, clock.now())
    assert mode(existing) == 0o600
    assert "older" not in existing.read_bytes().decode("utf-8", "replace")
    assert sorted(p.name for p in existing.parent.iterdir() if p.name.endswith(".part")) == []  # no leftovers


def test_a_planted_symlink_is_replaced_not_written_through(desk, clock, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("victim's own text")
    (tmp_path / "mine.zip").symlink_to(victim)
    mydata.export(desk.db, "sam", tmp_path / "mine.zip", clock.now())
    assert victim.read_text() == "victim's own text"
    assert not (tmp_path / "mine.zip").is_symlink() and mode(tmp_path / "mine.zip") == 0o600
    assert "my-data.json" in zipfile.ZipFile(tmp_path / "mine.zip").namelist()


def test_a_hard_linked_file_is_replaced_not_written_through(desk, clock, tmp_path):
    other = tmp_path / "someone-elses.csv"
    other.write_text("theirs")
    other.chmod(0o644)
    folder = tmp_path / "out"
    folder.mkdir()
    os.link(other, folder / "calls.csv")
    mydata.export(desk.db, "sam", folder, clock.now())
    assert other.read_text() == "theirs" and mode(folder / "calls.csv") == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(desk, clock, tmp_path, monkeypatch):
    target = tmp_path / "mine.zip"
    target.write_bytes(b"old")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        mydata.export(desk.db, "sam", target, clock.now())
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []
