"""Reading a hostile file stays within memory and time, whatever it holds:
each file is built here (tests/core/hostile.py), read with
core.tabular.read_table in a fresh Python process, and must peak under
300 MB, finish inside gunicorn's 30 s timeout, and give its clear outcome.
No database needed. bench/hostile_files.py prints the same figures."""

from __future__ import annotations

import pytest

from tests.core.hostile import hostile_files, measure

PEAK_MB = 300
SECONDS = 30


@pytest.mark.parametrize("hostile", hostile_files(), ids=lambda hostile: hostile.name)
def test_reading_a_hostile_file_stays_within_memory_and_time_and_says_why(hostile, tmp_path):
    path = tmp_path / hostile.filename
    path.write_bytes(hostile.build())
    result = measure(path, hostile.filename)
    assert result["outcome"].startswith(hostile.outcome), result
    assert result["peak_mb"] < PEAK_MB, result
    assert result["seconds"] < SECONDS, result
