"""The app's log file, opened safely (issue 14.5).

The data folder may be shared (``--data-dir`` on a team share, say): another user could put a symlink named
``companion.log`` there (to make us append to, or create, a file of their choosing), or a hard link to a file
of theirs (to read what we log). The log is opened without following symlinks (O_NOFOLLOW), must be a regular
file of ours with one link, and is kept 0600. Rotation renames files (a rename replaces a planted
``companion.log.1`` symlink, it never writes through it) and opens the new log the same safe way.
"""
from __future__ import annotations

import io
import os
import stat
from logging.handlers import RotatingFileHandler
from pathlib import Path


def open_private_log(path: str | os.PathLike[str], encoding: str = "utf-8") -> io.TextIOWrapper:
    """Open (or create, 0600) ``path`` for appending. Raises OSError with a clear reason when it is a
    symlink, not a regular file, not ours, or has other names (hard links)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    if os.name != "posix" and os.path.islink(path):  # pragma: no cover - no O_NOFOLLOW there
        raise OSError(f"{path} is a symbolic link; the log is not written through it")
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o600)  # O_NONBLOCK: a planted FIFO never hangs us
    except OSError as exc:
        if os.path.islink(path):
            raise OSError(exc.errno, f"{path} is a symbolic link; the log is not written through it") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{path} is not a regular file; the log is not written there")
        if os.name == "posix":
            if st.st_uid != os.getuid():
                raise OSError(f"{path} belongs to another user (uid {st.st_uid}); the log is not written there")
            if st.st_nlink != 1:
                raise OSError(f"{path} has other names (hard links); the log is not written there")
            if stat.S_IMODE(st.st_mode) != 0o600:
                os.fchmod(fd, 0o600)
            os.set_blocking(fd, True)
        return io.open(fd, "a", encoding=encoding, closefd=True)
    except BaseException:
        os.close(fd)
        raise


class PrivateRotatingFileHandler(RotatingFileHandler):
    """RotatingFileHandler whose every open (the first and after each rollover) is open_private_log."""

    def __init__(self, filename: str | os.PathLike[str], maxBytes: int, backupCount: int) -> None:  # noqa: N803
        super().__init__(filename, maxBytes=maxBytes, backupCount=backupCount, encoding="utf-8", delay=True)
        self.stream = self._open()  # now, so a refused file is an error at start-up, not on the first record

    def _open(self) -> io.TextIOWrapper:  # type: ignore[override]
        return open_private_log(Path(self.baseFilename), self.encoding or "utf-8")
