"""A throwaway PostgreSQL cluster for the team-hub tests and bench/kudos_latency.py.

``initdb --no-sync`` + ``pg_ctl -w start`` on a Unix socket folder and a free loopback port, fsync off.
PostgreSQL refuses to run as root: when we are root, both run as the ``postgres`` user (``runuser -u
postgres --``, from ``cwd=/``) and the cluster lives in a folder that user owns. On a fresh Debian machine
the binaries are not on PATH: they are found through ``pg_config --bindir`` or /usr/lib/postgresql/*/bin.

The superuser is ``postgres`` with a password (``SUPERUSER_PASSWORD``), reached over TCP on 127.0.0.1 with
scram-sha-256, so agents log in with their own passwords exactly as on a real hub.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "throwaway-superuser-pw"
DATABASE = "hub"


class ClusterError(RuntimeError):
    pass


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl live, or None when PostgreSQL is not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for env_dir in (shutil.which("initdb"),):
        if env_dir:
            candidates.append(Path(env_dir).resolve().parent)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    return None


MISSING_MESSAGE = ("PostgreSQL is not installed: the team-hub tests need initdb and pg_ctl (Debian/Ubuntu: "
                   "`apt-get install postgresql`, or run `bash scripts/setup`). They fail rather than skip.")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bindir: Path
    root: Path
    port: int = 0
    max_connections: int = 200  # bench/kudos_latency.py --desks raises it
    _as_postgres: bool = field(default=False, init=False)
    running: bool = field(default=False, init=False)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def sockdir(self) -> Path:
        return self.root / "sock"

    # -- commands -------------------------------------------------------------------------------------
    def _run(self, args: list[str], timeout: float = 60, input_text: str | None = None) -> str:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/", input=input_text)
        if out.returncode != 0:
            raise ClusterError(f"{' '.join(args[:2])} failed ({out.returncode}): {out.stderr.strip()[-2000:]}")
        return out.stdout

    def init(self) -> "Cluster":
        self._as_postgres = os.geteuid() == 0
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockdir.mkdir(exist_ok=True)
        pwfile = self.root / "pwfile"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sockdir, "postgres")
            shutil.chown(pwfile, "postgres")
        os.chmod(pwfile, 0o600)
        self._run(["initdb", "--no-sync", "-D", str(self.datadir), "-U", SUPERUSER, "--auth-local=trust",
                   "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C"], timeout=120)
        pwfile.unlink()
        self.port = self.port or free_port()
        return self

    def start(self) -> None:
        opts = (f"-k {self.sockdir} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c max_connections={self.max_connections}")
        self._run(["pg_ctl", "-D", str(self.datadir), "-l", str(self.root / "server.log"), "-o", opts,
                   "-w", "-t", "60", "start"], timeout=90)
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast`` ends sessions at once; clients see their connections drop)."""
        if self.running:
            self._run(["pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "-t", "60", "stop"], timeout=90)
            self.running = False

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def psql(self, sql: str, db: str = "postgres") -> str:
        return self._run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.sockdir), "-p",
                          str(self.port), "-U", SUPERUSER, "-d", db, "-At", "-c", sql])

    # -- URLs -----------------------------------------------------------------------------------------
    def url(self, db: str = DATABASE, user: str | None = None, password: str | None = None) -> str:
        auth = ""
        if user:
            auth = user + (f":{password}" if password else "") + "@"
        return f"postgresql://{auth}127.0.0.1:{self.port}/{db}"

    def admin_url(self, db: str = DATABASE) -> str:
        return self.url(db, SUPERUSER, SUPERUSER_PASSWORD)

    def create_database(self, name: str = DATABASE) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.admin_url(name)


def new_cluster(prefix: str = "companion-pg-", max_connections: int = 200) -> Cluster:
    """An initialised, started cluster in a fresh temp folder (the caller destroys it)."""
    bindir = find_bindir()
    if bindir is None:
        raise ClusterError(MISSING_MESSAGE)
    cluster = Cluster(bindir, Path(tempfile.mkdtemp(prefix=prefix)), max_connections=max_connections)
    try:
        cluster.init()
        cluster.start()
    except BaseException:
        shutil.rmtree(cluster.root, ignore_errors=True)
        raise
    return cluster
