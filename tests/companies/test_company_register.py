from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max
from django_tenants.utils import tenant_context

from companies.models import Agreement, Company, CompanyStatusChange, Department, Location
from tests.base import client_for
from tests.factories import CompanyFactory

CSV = (
    "Organisasjonsnummer;Navn;Adresse;Kommune;Bransje\n"
    "986105174;Fjordlys Rådgivning AS;Strandkaien 4;Stavanger;Konsulent\n"
    "914778271;Alfa Energi AS;Ny vei 2;Stavanger;Energi\n"
)


def test_adviser_creates_company_with_status_history(world):
    client = client_for(world.adviser_a)
    response = client.post(
        "/bedrifter/ny/",
        {"org_number": "986 105 174", "name": "Fjordlys AS", "status": "prospect", "adviser": world.adviser_a.user.pk},
    )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        company = Company.objects.get(org_number="986105174")
        assert company.adviser_id == world.adviser_a.user.pk
        assert CompanyStatusChange.objects.filter(company=company, status="prospect").exists()


@pytest.mark.parametrize("org_number", ["986105175", "12345", "abcdefghi"])
def test_invalid_org_number_is_refused_and_nothing_written(world, org_number):
    response = client_for(world.adviser_a).post(
        "/bedrifter/ny/", {"org_number": org_number, "name": "X", "status": "prospect"}
    )
    assert response.status_code == 200
    assert "org_number" in response.context["form"].errors
    with tenant_context(world.pta_a):
        assert not Company.objects.filter(name="X").exists()


def test_duplicate_org_number_within_pta_is_refused(world):
    response = client_for(world.adviser_a).post(
        "/bedrifter/ny/", {"org_number": world.company_a1.org_number, "name": "Kopi", "status": "prospect"}
    )
    assert response.status_code == 200
    assert "org_number" in response.context["form"].errors


def test_same_org_number_may_exist_in_another_pta(world):
    response = client_for(world.adviser_b).post(
        "/bedrifter/ny/", {"org_number": world.company_a1.org_number, "name": "Alfa Energi (B)", "status": "member"}
    )
    assert response.status_code == 302


def test_status_change_records_the_date(world):
    client = client_for(world.adviser_a)
    client.post(f"/bedrifter/{world.company_a1.pk}/status/", {"status": "paused", "changed_on": "2026-11-01"})
    with tenant_context(world.pta_a):
        company = Company.objects.get(pk=world.company_a1.pk)
        assert company.status == "paused"
        assert str(company.status_changed_on) == "2026-11-01"
        assert CompanyStatusChange.objects.filter(company=company, status="paused").count() == 1


def test_agreement_end_before_start_is_refused(world):
    client = client_for(world.adviser_a)
    response = client.post(
        f"/bedrifter/{world.company_a1.pk}/avtale/",
        {"start_date": "2026-05-01", "end_date": "2026-01-01", "invoice_grouping": "company"},
    )
    assert response.status_code == 200
    with tenant_context(world.pta_a):
        assert not Agreement.objects.filter(company_id=world.company_a1.pk).exists()


def test_agreement_with_ehf_address_is_saved(world):
    # The employer's subsidy is the tickets app's now (tests/tickets/test_agreement_products.py).
    client = client_for(world.adviser_a)
    response = client.post(
        f"/bedrifter/{world.company_a1.pk}/avtale/",
        {
            "start_date": "2026-01-01",
            "invoice_reference": "PO-77",
            "ehf_address": "0192:914778271",
            "invoice_grouping": "location",
        },
    )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        agreement = Agreement.objects.get(company_id=world.company_a1.pk)
        assert agreement.ehf_address == "0192:914778271"
        assert agreement.invoice_grouping == "location"


def test_bad_ehf_address_is_refused(world):
    response = client_for(world.adviser_a).post(
        f"/bedrifter/{world.company_a1.pk}/avtale/", {"ehf_address": "0192:123", "invoice_grouping": "company"}
    )
    assert "ehf_address" in response.context["form"].errors


def test_locations_and_departments_are_added_and_scoped_to_the_company(world):
    client = client_for(world.adviser_a)
    client.post(f"/bedrifter/{world.company_a1.pk}/lokasjoner/", {"name": "Hovedkontor", "municipality": "Stavanger"})
    client.post(f"/bedrifter/{world.company_a1.pk}/avdelinger/", {"name": "Økonomi"})
    with tenant_context(world.pta_a):
        location = Location.objects.get(company_id=world.company_a1.pk, name="Hovedkontor")
        assert Department.objects.filter(company_id=world.company_a1.pk, name="Økonomi").exists()
    # Removing it through another company's URL is 404.
    response = client.post(f"/bedrifter/{world.company_a2.pk}/lokasjoner/{location.pk}/fjern/")
    assert response.status_code == 404


def test_company_list_filters_and_sorts(world):
    client = client_for(world.adviser_a)
    names = [c.name for c in client.get("/bedrifter/?sort=-name").context["page"]]
    assert names == sorted(names, reverse=True)
    assert [c.name for c in client.get("/bedrifter/?municipality=stavanger&q=beta").context["page"]] == ["Beta Bygg AS"]
    assert list(client.get(f"/bedrifter/?adviser={world.admin_a.user.pk}").context["page"]) == []
    # An unknown sort column falls back to the name.
    assert client.get("/bedrifter/?sort=password").status_code == 200


def test_contact_person_cannot_reach_staff_company_pages(world):
    client = client_for(world.contact_a1)
    for path in ["", "rediger/", "avtale/", "kontaktpersoner/", "historikk/"]:
        assert client.get(f"/bedrifter/{world.company_a1.pk}/{path}").status_code == 403


def test_adviser_of_other_pta_gets_404_for_this_ptas_company(world):
    # A company of PTA A with an id PTA B's schema does not have (ids of the two schemas may coincide).
    with tenant_context(world.pta_b):
        highest_b = Company.objects.aggregate(m=Max("pk"))["m"] or 0
    with tenant_context(world.pta_a):
        highest_a = Company.objects.aggregate(m=Max("pk"))["m"] or 0
        company = CompanyFactory(pk=max(highest_a, highest_b) + 1000)
    with tenant_context(world.pta_b):
        assert not Company.objects.filter(pk=company.pk).exists()
    assert client_for(world.adviser_a).get(f"/bedrifter/{company.pk}/").status_code == 200
    for page in ["", "rediger/", "avtale/", "kontaktpersoner/", "historikk/", "dokumenter/"]:
        assert client_for(world.adviser_b).get(f"/bedrifter/{company.pk}/{page}").status_code == 404, page


# --- Bulk onboarding -----------------------------------------------------------


def test_company_import_page_previews_then_writes_on_confirm(world, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.adviser_a)
    upload = SimpleUploadedFile("bedrifter.csv", CSV.encode("cp1252"))
    response = client.post("/bedrifter/import/", {"file": upload}, follow=True)
    result = response.context["preview"]
    assert [r["org_number"] for r in result["added"]] == ["986105174"]
    assert [c["name"] for c in result["updated"]] == ["Alfa Energi AS"]
    with tenant_context(world.pta_a):
        assert not Company.objects.filter(org_number="986105174").exists()  # nothing before confirming
    response = client.post(f"/bedrifter/import/{response.context['company_import'].pk}/bekreft/")
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        assert Company.objects.get(org_number="986105174").name == "Fjordlys Rådgivning AS"
        assert Company.objects.get(org_number="914778271").postal_address == "Ny vei 2"


def test_import_companies_command_is_idempotent_and_all_or_nothing(world, tmp_path, capsys, media_root):
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8-sig")
    call_command("import_companies", "--pta", "ptaa", str(good), "--dry-run")
    assert capsys.readouterr().out.splitlines()[0] == "added=1 updated=1 unchanged=0 errors=0"
    with tenant_context(world.pta_a):
        assert not Company.objects.filter(org_number="986105174").exists()
    call_command("import_companies", "--pta", "ptaa", str(good))
    assert capsys.readouterr().out.splitlines()[0] == "added=1 updated=1 unchanged=0 errors=0"
    call_command("import_companies", "--pta", "ptaa", str(good))
    assert capsys.readouterr().out.splitlines()[0] == "added=0 updated=0 unchanged=2 errors=0"

    bad = tmp_path / "bad.csv"
    bad.write_text("orgnr,name,kommune\n983544622,Beta Nytt Navn AS,Sola\n986105175,Feil AS,Sola\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_companies", "--pta", "ptaa", str(bad))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "added=0 updated=1 unchanged=0 errors=1"
    assert out[1] == "row 3, org_number: not a valid organisation number" or out[1].startswith("rad 3")
    with tenant_context(world.pta_a):
        assert Company.objects.get(org_number="983544622").name == "Beta Bygg AS"  # nothing written


def test_company_import_reports_duplicates_and_missing_columns(world):
    from companies.importing import company_import_preview

    with tenant_context(world.pta_a):
        dup = company_import_preview(data=b"orgnr;navn\n986105174;A\n986 105 174;B\n")
        assert [(e.row, e.field) for e in dup.errors] == [(3, "org_number")]
        missing = company_import_preview(data=b"foo;bar\n1;2\n")
        assert {e.field for e in missing.errors} == {"org_number", "name"}


# --- The responsible adviser by default ----------------------------------------------


def test_new_company_form_proposes_the_adviser_who_creates_it(world):
    form = client_for(world.adviser_a).get("/bedrifter/ny/").context["form"]
    assert form["adviser"].value() == world.adviser_a.user.pk


def test_company_created_without_an_adviser_gets_the_adviser_who_created_it(world):
    from companies import services

    with tenant_context(world.pta_a):
        company = services.company_create(
            data={"org_number": "986105174", "name": "Fjordlys AS"}, user=world.adviser_a.user
        )
        assert company.adviser_id == world.adviser_a.user.pk


def test_a_chosen_adviser_is_kept_and_a_non_adviser_creator_is_never_made_responsible(world):
    from companies import services

    with tenant_context(world.pta_a):
        chosen = services.company_create(
            data={"org_number": "986105174", "name": "Fjordlys AS", "adviser_id": world.admin_a.user.pk},
            user=world.adviser_a.user,
        )
        # An adviser of another PTA (no membership here) is not made responsible.
        stranger = services.company_create(
            data={"org_number": "999999913", "name": "Fremmed AS"}, user=world.adviser_b.user
        )
    assert chosen.adviser_id == world.admin_a.user.pk
    assert stranger.adviser_id is None
