"""The preview cleans and compares the file once and keeps the plan with a
fingerprint of the list it compared with; the import writes that plan if the
list is unchanged, else reads and compares again with the list as it is
then; it writes set-based and forgets the plan (it is personal data)."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import tenant_context
from pghistory.models import Context

from core.tabular import read_table
from employees import import_execution, importing, services
from employees.importing import clean_rows, detect_mapping, pack_plan, unpack_plan
from employees.models import Employee, EmployeeImport, EmployeeImportPlan, EmployeeStatus, ImportStatus
from tests.employees.helpers import ROWS, csv_bytes


def _preview(world, company, content: bytes, **options) -> EmployeeImport:
    with tenant_context(world.pta_a):
        return services.employee_import_create(
            company=company, content=content, filename="ansatte.csv", user_id=world.adviser_a.user.pk, **options
        )


def _confirm(world, employee_import) -> EmployeeImport:
    with tenant_context(world.pta_a):
        return services.employee_import_confirm(employee_import=employee_import, run_now=True)


def test_a_kept_plan_holds_what_the_import_writes():
    rows = [
        ["Kari Anne Nordmann", "kari@delta.no", "01.02.2020", "", "Sluttet", "", "Hovedkontor"],
        ["Per Hansen", "per@delta.no", "", "31.12.2024", "", "en", ""],
    ]
    headers = ["Navn", "E-post", "Startdato", "Sluttdato", "Status", "Språk", "Lokasjon"]
    table = read_table(csv_bytes(rows, headers), "a.csv")
    plan = importing.Plan(
        inserts=[
            {"row": number, **importing.DEFAULTS, **values}
            for number, values in clean_rows(table, detect_mapping(table)).rows
        ],
        updates=[
            {
                "row": 9,
                "id": 7,
                **importing.DEFAULTS,
                "mobile": "+4791234567",
                "changes": [("mobile", "", "+4791234567")],
            }
        ],
        leavers=[{"id": 8, "first_name": "Åse"}],
        new_locations={"hovedkontor": "Hovedkontor"},
    )
    kept = unpack_plan(pack_plan(plan))
    kari = kept.inserts[0]
    assert (kari["first_name"], kari["last_name"], kari["status"]) == ("Kari Anne", "Nordmann", EmployeeStatus.LEFT)
    assert (kari["start_date"], kari["end_date"], kari["location"]) == ("2020-02-01", None, "Hovedkontor")
    assert kept.inserts[1]["end_date"] == "2024-12-31"
    assert kept.updates == [{**plan.updates[0], "changes": [("mobile", None, None)]}]
    assert (kept.leavers, kept.new_locations, kept.new_departments) == ([{"id": 8}], {"hovedkontor": "Hovedkontor"}, {})


def test_a_plan_with_errors_is_not_kept():
    table = read_table(csv_bytes([["101", "Kari", "Nordmann", "kari@", "", "", "", ""]]), "a.csv")
    parsed = clean_rows(table, detect_mapping(table))
    with pytest.raises(ValueError):
        pack_plan(importing.Plan(errors=parsed.errors))


def test_the_import_writes_the_plan_kept_from_the_preview(world, company, monkeypatch):
    employee_import = _preview(world, company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        assert EmployeeImportPlan.objects.filter(employee_import=employee_import).exists()

    def no_second_pass(*args, **kwargs):
        raise AssertionError("the file was read or compared again")

    monkeypatch.setattr(import_execution, "read_import_file", no_second_pass)
    monkeypatch.setattr(import_execution, "plan_import", no_second_pass)
    done = _confirm(world, employee_import)
    assert (done.status, done.added, done.processed, done.total) == ("done", 3, 3, 3)
    with tenant_context(world.pta_a):
        assert not EmployeeImportPlan.objects.exists()  # forgotten with the file
        kari = Employee.objects.select_related("location").get(company=company, employee_number="101")
    assert (kari.mobile, kari.start_date, kari.location.name) == ("+4791234567", date(2020, 2, 1), "Hovedkontor")


def test_the_import_compares_with_the_list_as_it_is_when_confirmed(world, company):
    employee_import = _preview(world, company, csv_bytes(ROWS))
    assert employee_import.added == 3
    with tenant_context(world.pta_a):
        # Someone adds Kari by hand between the preview and the confirmation.
        Employee.objects.create(company=company, employee_number="101", first_name="Kari", last_name="N")
    done = _confirm(world, employee_import)
    assert (done.status, done.added, done.updated) == ("done", 2, 1)
    with tenant_context(world.pta_a):
        assert Employee.objects.filter(company=company).count() == 3
        assert Employee.objects.get(company=company, employee_number="101").last_name == "Nordmann"


def test_a_change_since_the_preview_that_makes_a_row_wrong_fails_the_import(world, company):
    employee_import = _preview(world, company, csv_bytes(ROWS[:1]))
    assert employee_import.error_count == 0
    with tenant_context(world.pta_a):
        # Two employees now have Kari's address (and neither has her number).
        for number in ("201", "202"):
            Employee.objects.create(
                company=company, employee_number=number, first_name="K", last_name="N", email="kari@delta.no"
            )
    failed = _confirm(world, employee_import)
    assert failed.status == ImportStatus.FAILED
    assert [(e["row"], e["field"]) for e in failed.errors] == [(2, "email")]
    with tenant_context(world.pta_a):
        assert not EmployeeImportPlan.objects.filter(employee_import=failed).exists()
        assert not Employee.objects.filter(company=company, employee_number="101").exists()


def test_a_location_renamed_since_the_preview_is_compared_again(world, company):
    employee_import = _preview(world, company, csv_bytes(ROWS))  # Kari works at "Hovedkontor"
    with tenant_context(world.pta_a):
        company.locations.filter(name="Hovedkontor").update(name="Hovudkontor")
    failed = _confirm(world, employee_import)
    assert failed.status == ImportStatus.FAILED
    assert [(e["row"], e["field"], e["value"]) for e in failed.errors] == [
        (2, "location", "Hovedkontor"),
        (3, "location", "Hovedkontor"),
    ]


def test_the_kept_plan_is_not_used_on_another_day(world, company, monkeypatch):
    full = _confirm(world, _preview(world, company, csv_bytes(ROWS)))
    assert full.added == 3
    employee_import = _preview(world, company, csv_bytes(ROWS[:2]), full_list=True)  # Åse leaves
    compared = []
    monkeypatch.setattr(import_execution, "plan_import", lambda **kw: compared.append(1) or importing.plan_import(**kw))
    monkeypatch.setattr(import_execution, "today", lambda: date(2099, 1, 1))
    done = _confirm(world, employee_import)
    assert (done.status, done.left, compared) == ("done", 1, [1])
    with tenant_context(world.pta_a):
        assert Employee.objects.get(company=company, employee_number="103").end_date == date(2099, 1, 1)


def test_a_change_in_another_company_keeps_the_plan(world, company, monkeypatch):
    from tests.factories import CompanyFactory

    employee_import = _preview(world, company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        other = CompanyFactory()
        Employee.objects.create(company=other, employee_number="101", first_name="Kari", last_name="Annen")
    monkeypatch.setattr(import_execution, "plan_import", lambda **kw: pytest.fail("compared again"))
    assert _confirm(world, employee_import).added == 3


def test_an_import_without_a_kept_plan_reads_the_file_again(world, company):
    employee_import = _preview(world, company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        EmployeeImportPlan.objects.all().delete()
    done = _confirm(world, employee_import)
    assert (done.status, done.added, done.processed) == ("done", 3, 3)


def test_a_new_mapping_keeps_the_plan_again_and_errors_drop_it(world, company):
    content = csv_bytes([["Kari", "Nordmann", "kari@delta.no", "x"]], ["Fnavn", "Enavn", "Epost jobb", "Notat"])
    employee_import = _preview(world, company, content)
    assert employee_import.status == ImportStatus.UPLOADED
    with tenant_context(world.pta_a):
        assert not EmployeeImportPlan.objects.exists()
        services.employee_import_set_mapping(
            employee_import=employee_import,
            mapping={0: "first_name", 1: "last_name", 3: "email"},  # the note as the e-mail: an error
            full_list=False,
            create_missing=False,
        )
        assert employee_import.error_count == 1
        assert not EmployeeImportPlan.objects.exists()
        services.employee_import_set_mapping(
            employee_import=employee_import,
            mapping={0: "first_name", 1: "last_name", 2: "email"},
            full_list=False,
            create_missing=False,
        )
        assert employee_import.error_count == 0
        plan = unpack_plan(EmployeeImportPlan.objects.get(employee_import=employee_import).packed)
    assert [(v["row"], v["first_name"], v["last_name"], v["email"]) for v in plan.inserts] == [
        (2, "Kari", "Nordmann", "kari@delta.no")
    ]


def test_purging_an_unconfirmed_import_drops_its_plan(world, company):
    from datetime import timedelta

    from django.utils import timezone

    _preview(world, company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        EmployeeImport.objects.update(created_at=timezone.now() - timedelta(days=3))
        assert import_execution.employee_imports_purge(before=timezone.now() - timedelta(days=2)) == 1
        assert not EmployeeImportPlan.objects.exists()


def test_history_records_one_event_per_changed_employee_with_the_import(world, company):
    first = _confirm(world, _preview(world, company, csv_bytes(ROWS)))
    assert first.added == 3
    changed = [list(row) for row in ROWS]
    changed[0][4] = "48 00 00 01"  # Kari's new mobile
    full = _confirm(world, _preview(world, company, csv_bytes(changed[:2]), full_list=True))  # Åse left
    assert (full.updated, full.unchanged, full.left) == (1, 1, 1)
    with tenant_context(world.pta_a):
        events = Employee.pgh_event_model.objects.filter(company_id=company.pk)
        assert sorted(events.values_list("pgh_label", "employee_number")) == [
            ("insert", "101"),
            ("insert", "102"),
            ("insert", "103"),
            ("update", "101"),
            ("update", "103"),
        ]
        [kari] = events.filter(pgh_label="update", employee_number="101")
        [ase] = events.filter(pgh_label="update", employee_number="103")
        assert (kari.mobile, ase.status, ase.end_date) == ("+4748000001", EmployeeStatus.LEFT, services.today())
        assert Context.objects.get(pk=kari.pgh_context_id).metadata["import_id"] == full.pk
        # A single edit or removal outside an import is recorded the same way.
        ola = Employee.objects.get(company=company, employee_number="102")
        ola_id = ola.pk
        services.employee_update(employee=ola, data={"last_name": "Hansen"})
        services.employee_delete(employee=ola)
        assert list(events.filter(pgh_obj_id=ola_id).order_by("pgh_id").values_list("pgh_label", "last_name")) == [
            ("insert", "Sørensen"),
            ("update", "Hansen"),
            ("delete", "Hansen"),
        ]


def test_memo_calls_each_function_once_per_value():
    calls = []

    def double(value):
        calls.append(value)
        return value * 2

    memo = importing.Memo()
    assert [memo[double, 2], memo[double, 2], memo[double, 3]] == [4, 4, 6]
    assert calls == [2, 3]


def test_paused_gc_restores_the_collector():
    import gc

    assert gc.isenabled()
    with importing.paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with importing.paused_gc():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
