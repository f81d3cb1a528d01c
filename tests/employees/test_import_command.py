"""manage.py import_employees: one summary line, errors one per line, exit code."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from employees.models import Employee, EmployeeImport
from tests.employees.helpers import ROWS, csv_bytes


def _run(tmp_path, content: bytes, *args: str) -> str:
    path = tmp_path / "ansatte.csv"
    path.write_bytes(content)
    out = io.StringIO()
    try:
        call_command("import_employees", "--pta", "ptaa", "--company", "986105174", str(path), *args, stdout=out)
    finally:
        _run.output = out.getvalue()
    return out.getvalue()


def _count(world, company) -> int:
    with tenant_context(world.pta_a):
        return Employee.objects.filter(company=company).count()


def test_import_prints_one_summary_line_and_writes(world, company, tmp_path):
    output = _run(tmp_path, csv_bytes(ROWS))
    assert output == "added=3 updated=0 unchanged=0 left=0 errors=0\n"
    assert _count(world, company) == 3
    with tenant_context(world.pta_a):
        assert EmployeeImport.objects.get(company=company).status == "done"
    assert _run(tmp_path, csv_bytes(ROWS), "--full") == "added=0 updated=0 unchanged=3 left=0 errors=0\n"


def test_errors_are_printed_one_per_line_and_nothing_is_written(world, company, tmp_path):
    rows = [*ROWS, ["104", "Per", "Berg", "x@", "", "", "", ""], ["105", "Liv", "Dahl", "", "", "", "", "2020-13-01"]]
    with pytest.raises(CommandError) as exc:
        _run(tmp_path, csv_bytes(rows))
    assert exc.value.returncode == 1
    assert _run.output.splitlines() == [
        "added=3 updated=0 unchanged=0 left=0 errors=2",
        "row 5, email: “x@” is not a valid e-mail address.",
        "row 6, start_date: “2020-13-01” is not a date; write it as dd.mm.yyyy or yyyy-mm-dd.",
    ]
    assert _count(world, company) == 0
    with tenant_context(world.pta_a):
        assert not EmployeeImport.objects.exists()


def test_dry_run_counts_but_writes_nothing(world, company, tmp_path):
    assert _run(tmp_path, csv_bytes(ROWS), "--dry-run") == "added=3 updated=0 unchanged=0 left=0 errors=0\n"
    assert _count(world, company) == 0


def test_full_list_marks_others_as_left(world, company, tmp_path):
    _run(tmp_path, csv_bytes(ROWS))
    assert _run(tmp_path, csv_bytes(ROWS[:2]), "--full") == "added=0 updated=0 unchanged=2 left=1 errors=0\n"


def test_unknown_pta_or_company_is_an_error(world, company, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(ROWS))
    with pytest.raises(CommandError):
        call_command("import_employees", "--pta", "nope", "--company", "986105174", str(path))
    with pytest.raises(CommandError):
        call_command("import_employees", "--pta", "ptab", "--company", "986105174", str(path))  # company is in A
