"""Loaded into a test worker with ``--include`` (never by the app): when
OUTBOX_TEST_PAUSE_FILE is set, the first import that reports 90 % (its rows
written, its transaction not yet committed) creates that file and sleeps, so
that a test can kill the worker mid-import. A restarted worker finds the file
and does not pause again."""

from __future__ import annotations

import os
import time
from pathlib import Path

from core import imports

PAUSE_FILE = os.environ.get("OUTBOX_TEST_PAUSE_FILE")
_report_progress = imports.report_progress


def _report_and_pause(import_row, *, percent: int, **kwargs) -> None:
    _report_progress(import_row, percent=percent, **kwargs)
    if PAUSE_FILE and percent == 90 and not Path(PAUSE_FILE).exists():
        Path(PAUSE_FILE).write_text(str(os.getpid()))
        time.sleep(600)


if PAUSE_FILE:
    imports.report_progress = _report_and_pause
