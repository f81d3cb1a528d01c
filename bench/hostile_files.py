"""Read hostile import files with core.tabular.read_table, each in a fresh
Python process, and print the peak memory and time of each against the
reading of a normal 20,000-row employee list (CSV and XLSX) in the same run.

    .venv/bin/python bench/hostile_files.py

The files are built in memory (tests/core/hostile.py, shared with
tests/core/test_hostile_files.py); the zip bomb at its measured size
(5.5 MB that unzip to 1.4 GB; ~12 s to build). Peak memory is the reading
process's VmHWM, Python, Django and the file's bytes included; "before" is
the same just before the read. Needs no database.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from core.tabular import write_xlsx  # noqa: E402
from tests.core import hostile  # noqa: E402

BASELINE_ROWS = 20_000


def excel_like_xlsx(rows: list[list[str]]) -> bytes:
    """A workbook with shared strings, as Excel writes one."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(hostile.HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def files() -> list[hostile.Hostile]:
    rows = hostile.employee_rows(BASELINE_ROWS)
    read = f"read {BASELINE_ROWS} rows"
    baselines = [
        hostile.Hostile("baseline: CSV, 20,000 employees", lambda: hostile.csv_file(rows), "a.csv", read),
        hostile.Hostile(
            "baseline: XLSX as our export writes it",
            lambda: write_xlsx(hostile.HEADERS, rows, title="Ansatte"),
            "a.xlsx",
            read,
        ),
        hostile.Hostile("baseline: XLSX as Excel writes it", lambda: excel_like_xlsx(rows), "a.xlsx", read),
    ]
    at_the_bounds = [
        hostile.Hostile("at the bounds: CSV of 2,000,000 cells", hostile.csv_distinct_cells, "a.csv", "read"),
        hostile.Hostile("at the bounds: XLSX of 2,000,000 cells", hostile.xlsx_at_the_bounds, "a.xlsx", "read"),
    ]
    return [*baselines, *hostile.hostile_files(full=True), *at_the_bounds]


def main() -> None:
    print(f"{'file':44} {'size':>9} {'peak':>9} {'before':>8} {'time':>8}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for item in files():
            started = time.perf_counter()
            content = item.build()
            built = time.perf_counter() - started
            path = Path(folder) / item.filename
            path.write_bytes(content)
            del content
            result = hostile.measure(path, item.filename)
            mark = "" if result["outcome"].startswith(item.outcome) else "  UNEXPECTED"
            print(
                f"{item.name:44} {path.stat().st_size / 1e6:7.2f}MB {result['peak_mb']:7.1f}MB "
                f"{result['before_mb']:6.1f}MB {result['seconds']:7.2f}s  {result['outcome'][:90]}{mark}"
                f"  (built in {built:.1f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
