"""Throwaway PostgreSQL servers for the drills: a primary, a streaming standby, WAL archiving.

Each server is a real `initdb` cluster in a folder of its own, listening on a loopback port,
started and stopped with `pg_ctl` (as the `postgres` user when the tests run as root, since
PostgreSQL refuses to run as root). The settings are those deploy/postgresql/ prescribes.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from portal.config import ROOT

DEPLOY_CONF = ROOT / "deploy" / "postgresql"
# The ports the drills try first (ZG_DRILL_PORTS="first-last"), then any free one.
PORTS = os.environ.get("ZG_DRILL_PORTS", "55432-55440")


def bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries installed (Debian's layout), or PATH's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def available() -> bool:
    return bin_dir() is not None


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def free_port(taken: set[int]) -> int:
    first, _sep, last = PORTS.partition("-")
    for port in [*range(int(first), int(last or first) + 1), 0]:
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


@dataclass
class Server:
    name: str
    data: Path
    port: int
    log: Path

    def run(self, *args: str, check: bool = True, timeout: int = 120) -> subprocess.CompletedProcess:
        command = [*_as_postgres(), str(bin_dir() / args[0]), *args[1:]]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}\n{result.stderr}\n"
                               f"{self.log.read_text(errors='replace') if self.log.exists() else ''}")
        return result

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def kill(self) -> None:
        """Stop at once, as a machine that loses power: no checkpoint, no goodbye to clients."""
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def promote(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "promote")

    def sql(self, statement: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
             "-X", "-A", "-t", "-q", "-c", statement],
            capture_output=True, text=True, timeout=60, check=True)
        return result.stdout.strip()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


class Folder:
    """A folder under /tmp the postgres user owns, removed afterwards."""

    def __init__(self, prefix: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
        os.chmod(self.path, 0o755)
        self._chown(self.path)

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def sub(self, name: str) -> Path:
        path = self.path / name
        path.mkdir(mode=0o700)
        self._chown(path)
        return path

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _settings(template: str, **values: str) -> str:
    text = (DEPLOY_CONF / template).read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def init_primary(folder: Folder, taken: set[int], archive: Path | None = None,
                 standby: bool = True) -> Server:
    """initdb a primary with the deploy's settings (streaming; WAL archiving into `archive`).

    Without a `standby` to come, commits must not wait for one."""
    data = folder.sub("primary")
    port = free_port(taken)
    taken.add(port)
    server = Server("primary", data, port, folder.path / "primary.log")
    server.run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
               "--locale=C.UTF-8")
    settings = _settings("primary.conf", archive=str(archive or ""))
    if archive is None:
        settings = settings.replace("archive_mode = on", "archive_mode = off")
    if not standby:
        settings += "\nsynchronous_standby_names = ''\n"
    conf = data / "postgresql.conf"
    conf.write_text(conf.read_text() + f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{folder.path}'\n" + settings)
    hba = data / "pg_hba.conf"
    hba.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n"
                   "host replication all 127.0.0.1/32 trust\n")
    server.start()
    return server


def init_standby(folder: Folder, primary: Server, taken: set[int]) -> Server:
    """pg_basebackup of the primary, started as a streaming standby named zaigang_standby."""
    data = folder.sub("standby")
    port = free_port(taken)
    taken.add(port)
    server = Server("standby", data, port, folder.path / "standby.log")
    server.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
               "-D", str(data), "-X", "stream", "-c", "fast", "-R",
               "-d", f"host=127.0.0.1 port={primary.port} user=postgres "
                     "application_name=zaigang_standby")
    conf = data / "postgresql.conf"
    conf.write_text(conf.read_text() + f"\nport = {port}\n" + _settings("standby.conf"))
    server.start()
    return server


def wait_streaming(primary: Server, timeout: float = 30.0) -> None:
    """Until the standby streams and is the synchronous one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = primary.sql("SELECT string_agg(application_name || ':' || sync_state, ',') "
                            "FROM pg_stat_replication")
        if "zaigang_standby:sync" in state:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the standby is not streaming synchronously: {state!r}")


def url(database: str, *servers: Server) -> str:
    """The app's DATABASE_URL over several hosts: whichever accepts writes is used."""
    hosts = "&".join(f"host={s.address}" for s in servers)
    return f"postgresql+psycopg://postgres@/{database}?{hosts}&target_session_attrs=read-write"


@contextlib.contextmanager
def cleanup(folder: Folder, *servers: Server) -> Iterator[None]:
    try:
        yield
    finally:
        for server in servers:
            server.kill()
        folder.remove()
