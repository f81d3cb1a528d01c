"""Bulk onboarding of companies: upload -> preview -> confirm -> result, and
`manage.py import_companies`, on the shared import steps (core.imports)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context
from pghistory.models import Context

from companies import import_execution, services
from companies.models import Company, CompanyImport, CompanyStatusChange
from core.imports import ImportStatus
from tests.base import HOST_B, client_for

CSV = (
    "Organisasjonsnummer;Navn;Adresse;Kommune;Bransje\n"
    "986105174;Fjordlys Rådgivning AS;Strandkaien 4;Stavanger;Konsulent\n"
    "914778271;Alfa Energi AS;Ny vei 2;Stavanger;Energi\n"
)
NEW = "986105174"
ERRORS = (
    "orgnr;navn;postnr\n"
    "986105174;Fjordlys AS;4006\n"
    "986105175;Feil AS;4006\n"  # wrong check digit
    "983544622;Beta Bygg AS;40\n"  # three-digit postcode
    "986 105 174;Fjordlys igjen AS;\n"  # the same company twice
)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever the bokmål catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield


def adviser(world):
    """Adviser A's client, reading the pages in English (as the language switcher sets it)."""
    client = client_for(world.adviser_a)
    client.cookies["django_language"] = "en"
    return client


def url(name: str, *args) -> str:
    return reverse(f"companies:{name}", args=args)


def upload(client, content: str | bytes, name: str = "bedrifter.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(url("import"), {"file": SimpleUploadedFile(name, data)})


def _import(world, pk: int) -> CompanyImport:
    with tenant_context(world.pta_a):
        return CompanyImport.objects.get(pk=pk)


def _uploaded(client, world, content=CSV) -> CompanyImport:
    response = upload(client, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    assert response["Location"] == url("import_preview", pk)
    return _import(world, pk)


def _companies(world) -> dict[str, Company]:
    with tenant_context(world.pta_a):
        return {company.org_number: company for company in Company.objects.all()}


# The web flow ---------------------------------------------------------------------


def test_upload_shows_a_preview_and_writes_nothing(world, media_root):
    client = adviser(world)
    company_import = _uploaded(client, world, CSV.encode("cp1252"))
    assert (company_import.status, company_import.added, company_import.updated) == (ImportStatus.PREVIEWED, 1, 1)
    assert company_import.created_by_id == world.adviser_a.user.pk
    assert company_import.file.name.startswith("imports/ptaa/")
    assert (media_root / company_import.file.name).exists()
    page = client.get(url("import_preview", company_import.pk))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Fjordlys Rådgivning AS" in content
    assert "Ny vei 2" in content  # the change of Alfa Energi's address
    assert url("import_confirm", company_import.pk) in content
    assert NEW not in _companies(world)
    assert _companies(world)["914778271"].postal_address == ""


def test_confirmed_import_writes_with_history_of_the_user_and_the_import(world, media_root):
    client = adviser(world)
    company_import = _uploaded(client, world)
    response = client.post(url("import_confirm", company_import.pk))
    assert response["Location"] == url("import_progress", company_import.pk)
    company_import.refresh_from_db()
    assert (company_import.status, company_import.added, company_import.updated) == (ImportStatus.DONE, 1, 1)
    companies = _companies(world)
    assert (companies[NEW].name, companies[NEW].municipality) == ("Fjordlys Rådgivning AS", "Stavanger")
    assert companies["914778271"].postal_address == "Ny vei 2"
    with tenant_context(world.pta_a):
        assert CompanyStatusChange.objects.filter(company=companies[NEW], status="prospect").exists()
        events = Company.pgh_event_model.objects.filter(
            Q(pgh_obj_id=companies[NEW].pk, pgh_label="insert")
            | Q(pgh_obj_id=companies["914778271"].pk, pgh_label="update")
        )
        assert events.count() == 2
        contexts = set(events.values_list("pgh_context_id", flat=True))
        assert len(contexts) == 1
        metadata = Context.objects.get(pk=contexts.pop()).metadata
    assert (metadata["user"], metadata["import_id"]) == (world.adviser_a.user.pk, company_import.pk)
    page = client.get(response["Location"]).content.decode()
    assert "The import is finished." in page and "hx-trigger" not in page


def test_confirming_twice_writes_once(world, media_root):
    client = adviser(world)
    company_import = _uploaded(client, world)
    client.post(url("import_confirm", company_import.pk))
    response = client.post(url("import_confirm", company_import.pk))
    assert response["Location"] == url("import_progress", company_import.pk)
    with tenant_context(world.pta_a):
        new = Company.objects.get(org_number=NEW)
        assert Company.pgh_event_model.objects.filter(pgh_obj_id=new.pk, pgh_label="insert").count() == 1
        assert CompanyStatusChange.objects.filter(company=new).count() == 1


def test_executing_a_finished_import_again_does_nothing(world, media_root):
    client = adviser(world)
    company_import = _uploaded(client, world)
    client.post(url("import_confirm", company_import.pk))
    with tenant_context(world.pta_a):
        Company.objects.filter(org_number=NEW).delete()
        again = services.company_import_execute(import_id=company_import.pk)
        assert again.status == ImportStatus.DONE
        assert not Company.objects.filter(org_number=NEW).exists()


def test_executing_an_unconfirmed_import_does_nothing(world, media_root):
    company_import = _uploaded(adviser(world), world)
    with tenant_context(world.pta_a):
        assert services.company_import_execute(import_id=company_import.pk).status == ImportStatus.PREVIEWED
    assert NEW not in _companies(world)


def test_file_with_errors_writes_nothing_and_shows_errors_by_row_and_field(world, media_root):
    client = adviser(world)
    company_import = _uploaded(client, world, ERRORS)
    assert company_import.error_count == 3
    assert [(e["row"], e["field"]) for e in company_import.errors] == [
        (3, "org_number"),
        (4, "postcode"),
        (5, "org_number"),
    ]
    page = client.get(url("import_preview", company_import.pk))
    assert [(e["row"], e["label"]) for e in page.context["errors"]] == [
        (3, "Organisation number"),
        (4, "Postcode"),
        (5, "Organisation number"),
    ]
    content = page.content.decode()
    assert "not a valid organisation number" in content and "also on row 2" in content
    assert url("import_confirm", company_import.pk) not in content
    # Posting the confirmation anyway does nothing.
    response = client.post(url("import_confirm", company_import.pk))
    assert response["Location"] == url("import_preview", company_import.pk)
    company_import.refresh_from_db()
    assert company_import.status == ImportStatus.PREVIEWED
    assert NEW not in _companies(world)
    assert _companies(world)["983544622"].postcode == ""


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bedrifter.pdf", b"%PDF-1.4"),  # not a CSV or XLSX name
        ("bedrifter.csv", b"\x00\x01\x02\xff\xfe\x00garbage\x81"),  # not text
        ("bedrifter.xlsx", b"PK\x03\x04 not a workbook"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_stored(world, media_root, name, content):
    response = upload(adviser(world), content, name)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    with tenant_context(world.pta_a):
        assert not CompanyImport.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_a_file_over_20_mb_is_refused(world, media_root):
    big = CSV.encode() + b"#" * (20 * 1024 * 1024)
    response = upload(adviser(world), big)
    assert response.status_code == 200
    assert "larger than 20 MB" in str(response.context["form"].errors["file"])
    with tenant_context(world.pta_a):
        assert not CompanyImport.objects.exists()


def test_uploaded_file_is_deleted_from_storage_when_the_import_ends(
    world, media_root, django_capture_on_commit_callbacks
):
    client = adviser(world)
    company_import = _uploaded(client, world)
    path = media_root / company_import.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("import_confirm", company_import.pk))
    company_import.refresh_from_db()
    assert (company_import.status, company_import.file.name) == (ImportStatus.DONE, "")
    assert not path.exists()


def test_import_compares_again_with_the_register_as_it_is_when_confirmed(world, media_root):
    client = adviser(world)
    company_import = _uploaded(client, world)
    assert company_import.added == 1
    with tenant_context(world.pta_a):
        Company.objects.create(org_number=NEW, name="Fjordlys Rådgivning AS", municipality="Sola")
    client.post(url("import_confirm", company_import.pk))
    company_import.refresh_from_db()
    assert (company_import.status, company_import.added, company_import.updated) == (ImportStatus.DONE, 0, 2)
    assert _companies(world)[NEW].municipality == "Stavanger"


def test_failure_while_writing_leaves_nothing_behind(world, media_root, monkeypatch):
    company_import = _uploaded(adviser(world), world)
    write = import_execution.import_write

    def write_then_fail(*args, **kwargs):
        write(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_execution, "import_write", write_then_fail)
    with tenant_context(world.pta_a), pytest.raises(RuntimeError):
        services.company_import_confirm(company_import=company_import)
    company_import.refresh_from_db()
    assert (company_import.status, company_import.file.name) == (ImportStatus.FAILED, "")
    assert NEW not in _companies(world)
    page = adviser(world).get(url("import_progress", company_import.pk)).content.decode()
    assert "The import failed and nothing was saved." in page


def test_large_file_runs_in_the_worker_with_a_polled_progress_page(
    world, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "IMPORT_CELERY_THRESHOLD", 1)
    client = adviser(world)
    company_import = _uploaded(client, world)
    assert company_import.total == 2
    # The task is queued when the transaction commits (Celery runs eagerly in tests).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("import_confirm", company_import.pk))
        assert response["Location"] == url("import_progress", company_import.pk)
        company_import.refresh_from_db()
        assert company_import.status == ImportStatus.QUEUED
        page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
        assert 'hx-trigger="every 1s"' in page and "<progress" in page and "<html" not in page
        assert NEW not in _companies(world)
    assert "run_company_import" in repr(callbacks[0])
    company_import.refresh_from_db()
    assert (company_import.status, company_import.added) == (ImportStatus.DONE, 1)
    assert NEW in _companies(world)
    page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in page  # polling stops


def test_upload_page_lists_recent_imports(world, media_root):
    client = adviser(world)
    company_import = _uploaded(client, world)
    page = client.get(url("import"))
    assert page.status_code == 200
    assert url("import_progress", company_import.pk) in page.content.decode()


def test_unconfirmed_imports_are_purged_with_their_files(world, media_root, django_capture_on_commit_callbacks):
    client = adviser(world)
    stale = _uploaded(client, world)
    done = _uploaded(client, world)
    client.post(url("import_confirm", done.pk))
    path = media_root / stale.file.name
    with tenant_context(world.pta_a), django_capture_on_commit_callbacks(execute=True):
        CompanyImport.objects.update(created_at=timezone.now() - timedelta(days=3))
        assert import_execution.company_imports_purge(before=timezone.now() - timedelta(days=2)) == 1
        assert list(CompanyImport.objects.values_list("pk", flat=True)) == [done.pk]
    assert not path.exists()


def test_preview_and_result_redirect_to_each_other_by_status(world, media_root):
    client = adviser(world)
    company_import = _uploaded(client, world)
    assert client.get(url("import_progress", company_import.pk))["Location"] == url("import_preview", company_import.pk)
    client.post(url("import_confirm", company_import.pk))
    assert client.get(url("import_preview", company_import.pk))["Location"] == url("import_progress", company_import.pk)


# Who may -------------------------------------------------------------------------


@pytest.fixture
def previewed(world, media_root) -> CompanyImport:
    with tenant_context(world.pta_a):
        return services.company_import_create(content=CSV.encode(), filename="bedrifter.csv", user_id=None)


def _every_url(company_import: CompanyImport) -> list[tuple[str, str]]:
    return [
        ("get", url("import")),
        ("post", url("import")),
        ("get", url("import_preview", company_import.pk)),
        ("post", url("import_confirm", company_import.pk)),
        ("get", url("import_progress", company_import.pk)),
    ]


def test_contact_person_gets_403_on_every_import_url(world, previewed):
    client = client_for(world.contact_a1)
    for method, path in _every_url(previewed):
        assert getattr(client, method)(path).status_code == 403, (method, path)
    previewed.refresh_from_db()
    assert previewed.status == ImportStatus.PREVIEWED
    assert NEW not in _companies(world)


def test_anonymous_is_sent_to_login_on_every_import_url(world, previewed):
    client = client_for(None, host=world.adviser_a.host)
    for method, path in _every_url(previewed):
        response = getattr(client, method)(path)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith("/accounts/login/?next="), (method, path)
    assert NEW not in _companies(world)


def test_another_ptas_import_id_is_404(world, previewed):
    with tenant_context(world.pta_b):
        assert not CompanyImport.objects.filter(pk=previewed.pk).exists()
    client = client_for(world.adviser_b)
    assert world.adviser_b.host == HOST_B
    for method, path in _every_url(previewed)[2:]:
        assert getattr(client, method)(path).status_code == 404, (method, path)
    assert _import(world, previewed.pk).status == ImportStatus.PREVIEWED


def test_wrong_method_is_405(world, previewed):
    client = adviser(world)
    assert client.put(url("import")).status_code == 405
    assert client.post(url("import_preview", previewed.pk)).status_code == 405
    assert client.get(url("import_confirm", previewed.pk)).status_code == 405
    assert client.post(url("import_progress", previewed.pk)).status_code == 405
    previewed.refresh_from_db()
    assert previewed.status == ImportStatus.PREVIEWED


# The command line ----------------------------------------------------------------


def _run(tmp_path, content: str, *args: str) -> str:
    path = tmp_path / "bedrifter.csv"
    path.write_text(content, encoding="utf-8")
    out = io.StringIO()
    try:
        call_command("import_companies", "--pta", "ptaa", str(path), *args, stdout=out)
    finally:
        _run.output = out.getvalue()
    return out.getvalue()


def test_command_dry_run_counts_and_writes_nothing(world, media_root, tmp_path):
    assert _run(tmp_path, CSV, "--dry-run") == "added=1 updated=1 unchanged=0 errors=0\n"
    assert NEW not in _companies(world)
    with tenant_context(world.pta_a):
        assert not CompanyImport.objects.exists()
    assert not media_root.exists()


def test_command_imports_through_the_same_import_row(world, media_root, tmp_path):
    assert _run(tmp_path, CSV) == "added=1 updated=1 unchanged=0 errors=0\n"
    assert _companies(world)[NEW].name == "Fjordlys Rådgivning AS"
    with tenant_context(world.pta_a):
        company_import = CompanyImport.objects.get()
    assert (company_import.status, company_import.added, company_import.file.name) == (ImportStatus.DONE, 1, "")
    assert _run(tmp_path, CSV) == "added=0 updated=0 unchanged=2 errors=0\n"


def test_command_with_errors_prints_them_by_row_and_field_and_writes_nothing(world, media_root, tmp_path):
    with pytest.raises(CommandError) as exc:
        _run(tmp_path, ERRORS)
    assert exc.value.returncode == 1
    assert _run.output.splitlines() == [
        "added=1 updated=0 unchanged=0 errors=3",
        "row 3, org_number: not a valid organisation number",
        "row 4, postcode: a postcode has four digits",
        "row 5, org_number: also on row 2",
    ]
    assert NEW not in _companies(world)
    with tenant_context(world.pta_a):
        assert not CompanyImport.objects.exists()
    assert not media_root.exists()


def test_command_refuses_a_missing_file(world, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_companies", "--pta", "ptaa", str(tmp_path / "finnes-ikke.csv"))
