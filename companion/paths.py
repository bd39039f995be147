"""Where Agent Companion keeps its files.

The data folder holds the SQLite database, its backups and the log. It is chosen, in order, by the
``--data-dir`` option, the ``COMPANION_DATA_DIR`` environment variable, or the platform's user data folder
(``~/.local/share/agent-companion`` on Linux, ``%LOCALAPPDATA%\\agent-companion`` on Windows,
``~/Library/Application Support/agent-companion`` on macOS). It is created private (0700).
"""
from __future__ import annotations

import os
import stat
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from companion import APP_ID

ENV_DATA_DIR = "COMPANION_DATA_DIR"
ENV_OPERATIONS_CONFIG = "COMPANION_OPERATIONS_CONFIG"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_ID, appauthor=False, roaming=False))


def resolve_data_dir(option: str | os.PathLike[str] | None = None) -> Path:
    if option:
        return Path(option).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def operations_config_path() -> Path:
    """The machine-wide operations config IT deploys (companion.presence): ``COMPANION_OPERATIONS_CONFIG``, or
    ``/etc/agent-companion/operations.toml`` (Linux and other Unix), ``%ProgramData%\\agent-companion\\
    operations.toml`` (Windows), ``/Library/Application Support/agent-companion/operations.toml`` (macOS)."""
    env = os.environ.get(ENV_OPERATIONS_CONFIG)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("ProgramData", r"C:\ProgramData")) / APP_ID / "operations.toml"
    if sys.platform == "darwin":
        return Path("/Library/Application Support") / APP_ID / "operations.toml"
    return Path("/etc") / APP_ID / "operations.toml"


@dataclass(frozen=True)
class Paths:
    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "companion.sqlite"

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "companion.log"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "instance.lock"

    def ensure(self) -> "Paths":
        """Create the data folder private (0700). An existing folder keeps its mode: --data-dir may point
        at a folder that is not ours alone (the files inside are 0600 either way)."""
        try:
            self.data_dir.mkdir(mode=0o700, parents=True)
        except FileExistsError:  # ours already, or a folder someone chose (or another copy just made it)
            return self
        if os.name == "posix":
            os.chmod(self.data_dir, 0o700)  # mkdir's mode is filtered by the umask
        return self

    @property
    def server_name(self) -> str:
        """The local socket of the instance that owns this data folder.

        On POSIX it is a full path to a Unix socket inside a private (0700) runtime folder, so no other user
        can connect; on Windows it is a named-pipe name (``\\\\.\\pipe\\<name>``), restricted to the user by
        the server. One instance per data folder: two agents (two data folders) can share a machine.
        """
        # crc32, not hashlib: hashlib loads OpenSSL (~4 MB) into a process that otherwise never needs it.
        digest = f"{zlib.crc32(str(self.data_dir).encode()):08x}"
        if sys.platform == "win32":
            return f"{APP_ID}-{os.environ.get('USERNAME', 'user')}-{digest}"
        return str(runtime_dir() / f"companion-{digest}.sock")


def runtime_dir() -> Path:
    """A private per-user folder for sockets: ``$XDG_RUNTIME_DIR/agent-companion``, or without that
    ``<temp>/agent-companion-<uid>``.

    The temp dir is shared: another user can create that folder (or a symlink by that name) first. A folder
    is used only if it is a real folder (lstat: never a symlink), owned by us and private (0700; a looser one
    of ours is tightened); otherwise the socket goes to ``$XDG_CACHE_HOME/agent-companion/run`` (default
    ``~/.cache/...``), checked the same way, with a warning naming what was wrong. The client and the app
    make the same choice, so ``companion call ...`` still finds the app. Raises PermissionError (with every
    reason) only if neither folder can be made private.
    """
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_dir():
        path = Path(base) / APP_ID
    else:
        import tempfile

        path = Path(tempfile.gettempdir()) / f"{APP_ID}-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    if os.name != "posix":  # pragma: no cover - Windows uses named pipes (server_name), not this folder
        path.mkdir(parents=True, exist_ok=True)
        return path
    problem = private_dir(path)
    if problem is None:
        return path
    cache = os.environ.get("XDG_CACHE_HOME")
    fallback = (Path(cache) if cache and Path(cache).is_absolute() else Path.home() / ".cache") / APP_ID / "run"
    second = private_dir(fallback)
    if second is None:
        import logging

        logging.getLogger(__name__).warning("not using %s for the local socket: %s; using %s instead", path,
                                            problem, fallback)
        return fallback
    raise PermissionError(f"no private folder for the local socket: {path} {problem}; {fallback} {second}")


def private_dir(path: Path) -> str | None:
    """Make ``path`` a private folder of ours (0700), or say why it cannot be: None when it is fine."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass  # there already: checked below, whoever made it
    except OSError as exc:
        return f"cannot be created ({exc.strerror or exc})"
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"cannot be checked ({exc.strerror or exc})"
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link (someone else may have put it there)"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a folder"
    if st.st_uid != os.getuid():
        return f"belongs to another user (uid {st.st_uid})"
    if stat.S_IMODE(st.st_mode) != 0o700:
        try:  # through a descriptor opened without following links: the folder checked is the one changed
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            try:
                if os.fstat(fd).st_ino != st.st_ino:
                    return "changed while it was checked"
                os.fchmod(fd, 0o700)
            finally:
                os.close(fd)
        except OSError as exc:
            return f"is not private and cannot be made so ({exc.strerror or exc})"
    return None
