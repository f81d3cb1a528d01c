"""`make run`: migrate, seed demo data once, then run web, worker and beat.

Ctrl-C stops the three processes and the embedded servers this run started.
A second run reuses the data in .data/.

The site runs as production does, with DEBUG off: the project's own error
pages, static files served by whitenoise from the source folders (settings
STATIC_FROM_SOURCE), and a secret key generated once and kept in
.data/dev-secret-key (config.dev.embedded.dev_secret_key).
`DJANGO_DEBUG=1 make run` gives Django's debug pages instead.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PORT = os.environ.get("PORT", "8000")


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, check=True)


def _wait_for_port(port: int, timeout: float = 60) -> None:
    """Print the URLs only once the web server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.25)


def _debug() -> bool:
    """As config.settings reads DJANGO_DEBUG (off unless set)."""
    return os.environ.get("DJANGO_DEBUG", "0").lower() in {"1", "true", "yes", "on"}


def main() -> int:
    embedded = not os.environ.get("DATABASE_URL")
    if embedded:
        from config.dev import embedded as services

        services.use_embedded_services()
        print(f"Embedded PostgreSQL and Redis running, data in {services.DATA_DIR}")
    _manage("setup_platform")
    os.environ.setdefault("SITE_PORT", PORT)
    _manage("seed_demo", "--port", PORT)
    _manage("seed_invoicing_demo")
    _manage("seed_survey_demo")

    celery = [sys.executable, "-m", "celery", "-A", "config"]
    children = [
        subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}"], cwd=BASE_DIR),
        subprocess.Popen([*celery, "worker", "-l", "info", "--concurrency", "2"], cwd=BASE_DIR),
        subprocess.Popen(
            [*celery, "beat", "-l", "info", "-s", str(BASE_DIR / ".data" / "celerybeat-schedule")], cwd=BASE_DIR
        ),
    ]
    _wait_for_port(int(PORT))
    print(
        "\n".join(
            [
                "",
                f"National site:  http://localhost:{PORT}/",
                f"PTA sites:      http://kolumbus.localhost:{PORT}/  http://atb.localhost:{PORT}/"
                f"  http://skyss.localhost:{PORT}/",
                "Logins are listed above. Press Ctrl-C to stop.",
                "DEBUG is on." if _debug() else "DEBUG is off (DJANGO_DEBUG=1 make run for Django's debug pages).",
                "",
            ]
        ),
        flush=True,
    )

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    if embedded:
        stopped = services.stop_services()
        print(f"Stopped: web, worker, beat{', ' + ', '.join(stopped) if stopped else ''}.")
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
