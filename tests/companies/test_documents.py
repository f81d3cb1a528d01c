"""Document archive of a company: upload, download, delete and who may see what."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from companies import services
from companies.models import Document, DocumentKind, Visibility
from core import files
from tests.base import HOST_A, HOST_B, client_for

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Files written by these tests go to a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def add_document(world, company, *, visibility=Visibility.CONTACTS, name="Avtale 2026.pdf", content=PDF) -> Document:
    with tenant_context(world.pta_a):
        return services.document_upload(
            company=company,
            upload=upload(name, content),
            title="",
            kind=DocumentKind.AGREEMENT,
            visibility=visibility,
            uploaded_by=world.adviser_a.user,
        )


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx_bytes(main_type: str = WORD_MAIN, main_part: str = "word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
            "</Types>",
        )
        archive.writestr(main_part, "<w:document/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "Ansatte"
    workbook.save(buffer)
    return buffer.getvalue()


# --- Upload -------------------------------------------------------------------


def test_adviser_uploads_a_pdf_stored_under_the_tenants_schema(world, media):
    from weasyprint import HTML

    pdf = HTML(string="<h1>Samarbeidsavtale</h1>").write_pdf()  # a real PDF
    company = world.company_a1
    response = client_for(world.adviser_a).post(
        f"/bedrifter/{company.pk}/dokumenter/last-opp/",
        {
            "title": "",
            "kind": "agreement",
            "visibility": "contacts",
            "file": upload("Avtale 2026.pdf", pdf, "text/html"),  # the browser's claim is ignored
        },
    )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        document = Document.objects.get(company=company)
    assert document.title == "Avtale 2026"
    assert document.original_name == "Avtale 2026.pdf"
    assert document.content_type == "application/pdf"  # from the content, not the browser's claim
    assert document.size == len(pdf)
    assert document.uploaded_by_id == world.adviser_a.user.pk
    assert document.file.name.startswith(f"documents/ptaa/{company.pk}/")
    assert document.file.name.endswith(".pdf") and "Avtale" not in document.file.name
    assert (media / document.file.name).read_bytes() == pdf


def test_upload_rejects_html_renamed_pdf_and_stores_nothing(world, media):
    html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
    response = client_for(world.adviser_a).post(
        f"/bedrifter/{world.company_a1.pk}/dokumenter/last-opp/",
        {"kind": "report", "visibility": "contacts", "file": upload("rapport.pdf", html, "application/pdf")},
    )
    assert response.status_code == 200
    errors = response.context["upload_form"].errors["file"]
    assert "rapport.pdf" in errors[0]
    with tenant_context(world.pta_a):
        assert not Document.objects.exists()
    assert stored_files(media) == []


def test_upload_rejects_a_file_over_10_mb(world, media):
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = client_for(world.adviser_a).post(
        f"/bedrifter/{world.company_a1.pk}/dokumenter/last-opp/",
        {"kind": "report", "visibility": "advisers", "file": upload("stor.pdf", big)},
    )
    assert response.status_code == 200
    assert "stor.pdf" in response.context["upload_form"].errors["file"][0]
    assert "10 MB" in response.context["upload_form"].errors["file"][0]
    with tenant_context(world.pta_a):
        assert not Document.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("avtale.PDF", PDF, "application/pdf"),
        ("kart.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
        ("bilde.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("brev.docx", docx_bytes(), files.DOCX.content_type),
        ("ansatte.xlsx", xlsx_bytes(), files.XLSX.content_type),
        ("ansatte.csv", "navn;sted\nÅse;Bodø\n".encode(), "text/csv; charset=utf-8"),
        ("notat.txt", "Blåbær og rømme\n".encode("cp1252"), "text/plain; charset=windows-1252"),
    ],
)
def test_upload_accepts_allowed_types_judged_by_content(name, content, content_type):
    assert files.validate_upload(upload(name, content))[2] == content_type


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("side.html", b"<html><body>hei</body></html>"),
        ("rapport.pdf", b"<html><body>hei</body></html>"),
        ("ansatte.csv", b"<svg onload=alert(1)>"),
        ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
        ("makro.docx", docx_bytes(main_type="application/vnd.ms-word.document.macroEnabled.main+xml")),
        ("uten-arbeidsbok.xlsx", docx_bytes(main_type=WORD_MAIN, main_part="xl/other.xml")),
        ("arkiv.docx", b"PK\x03\x04 not really a zip"),
        ("ansatte.docx", xlsx_bytes()),  # a real XLSX under a DOCX name
        ("bilde.png", PDF),  # content and name disagree
        ("notat.txt", b"abc\x00\x01\x02def"),
        ("tom.pdf", b""),
    ],
)
def test_upload_rejects_disallowed_or_mislabelled_content(name, content):
    with pytest.raises(ValidationError) as exc:
        files.validate_upload(upload(name, content))
    assert name in exc.value.message_dict["file"][0]


def test_contact_person_cannot_upload_or_delete(world, media):
    document = add_document(world, world.company_a1)
    client = client_for(world.contact_a1)
    response = client.post(
        f"/bedrifter/{world.company_a1.pk}/dokumenter/last-opp/",
        {"kind": "report", "visibility": "contacts", "file": upload("a.pdf", PDF)},
    )
    assert response.status_code == 403
    assert client.post(f"/bedrifter/{world.company_a1.pk}/dokumenter/{document.pk}/slett/").status_code == 403
    with tenant_context(world.pta_a):
        assert Document.objects.count() == 1


# --- Download -----------------------------------------------------------------


def test_download_is_an_attachment_with_the_original_name_and_nosniff(world):
    document = add_document(world, world.company_a1, visibility=Visibility.ADVISERS)
    response = client_for(world.adviser_a).get(f"/bedrifter/{world.company_a1.pk}/dokumenter/{document.pk}/last-ned/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="Avtale 2026.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_contact_person_downloads_a_shared_document_of_own_company(world):
    document = add_document(world, world.company_a1, name="Informasjon.txt", content=b"Hei fra oss\n")
    response = client_for(world.contact_a1).get(f"/bedrifter/{world.company_a1.pk}/dokumenter/{document.pk}/last-ned/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


def test_contact_person_cannot_see_or_download_advisers_only_documents(world):
    shared = add_document(world, world.company_a1, name="Delt.pdf")
    internal = add_document(world, world.company_a1, visibility=Visibility.ADVISERS, name="Internt notat.pdf")
    client = client_for(world.contact_a1)
    response = client.get(f"/bedrifter/{world.company_a1.pk}/dokumenter/")
    assert response.status_code == 200
    assert list(response.context["documents"]) == [shared]
    assert b"Internt notat" not in response.content
    assert client.get(f"/bedrifter/{world.company_a1.pk}/dokumenter/{internal.pk}/last-ned/").status_code == 404


def test_contact_person_cannot_reach_other_companys_documents_by_tampering(world):
    other = add_document(world, world.company_a2, name="Beta avtale.pdf")
    client = client_for(world.contact_a1)
    # Own company id, other company's document id.
    assert client.get(f"/bedrifter/{world.company_a1.pk}/dokumenter/{other.pk}/last-ned/").status_code == 404
    # Other company's id in the URL.
    assert client.get(f"/bedrifter/{world.company_a2.pk}/dokumenter/{other.pk}/last-ned/").status_code == 404
    assert client.get(f"/bedrifter/{world.company_a2.pk}/dokumenter/").status_code == 404
    assert b"Beta avtale" not in client.get(f"/bedrifter/{world.company_a1.pk}/dokumenter/").content


def test_adviser_of_another_pta_gets_404_for_this_ptas_ids(world):
    document = add_document(world, world.company_a1)
    client = client_for(world.adviser_b)
    for company in (world.company_a1, world.company_b1):
        url = f"/bedrifter/{company.pk}/dokumenter/{document.pk}/last-ned/"
        assert client.get(url, HTTP_HOST=HOST_B).status_code == 404
        assert client.post(url.replace("last-ned", "slett"), HTTP_HOST=HOST_B).status_code == 404
    with tenant_context(world.pta_a):
        assert Document.objects.filter(pk=document.pk).exists()


def test_anonymous_is_sent_to_login(world):
    document = add_document(world, world.company_a1)
    client = client_for(None, HOST_A)
    base = f"/bedrifter/{world.company_a1.pk}/dokumenter/"
    for method, path in [
        ("get", base),
        ("get", f"{base}{document.pk}/last-ned/"),
        ("post", f"{base}last-opp/"),
        ("post", f"{base}{document.pk}/slett/"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/")


def test_wrong_http_method_gets_405(world):
    document = add_document(world, world.company_a1)
    client = client_for(world.adviser_a)
    base = f"/bedrifter/{world.company_a1.pk}/dokumenter/"
    assert client.post(base).status_code == 405
    assert client.get(f"{base}last-opp/").status_code == 405
    assert client.post(f"{base}{document.pk}/last-ned/").status_code == 405
    assert client.put(f"{base}{document.pk}/slett/").status_code == 405


# --- Delete and list ----------------------------------------------------------


def test_adviser_deletes_a_document_and_its_file(world, media, django_capture_on_commit_callbacks):
    document = add_document(world, world.company_a1)
    assert len(stored_files(media)) == 1
    url = f"/bedrifter/{world.company_a1.pk}/dokumenter/{document.pk}/slett/"
    # Without the confirmation: the confirmation page, and the document is still there.
    assert client_for(world.adviser_a).post(url).templates[0].name == "companies/company_confirm.html"
    with tenant_context(world.pta_a):
        assert Document.objects.filter(pk=document.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.adviser_a).post(url, {"confirm": "yes"})
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        assert not Document.objects.filter(pk=document.pk).exists()
    assert stored_files(media) == []


def test_documents_tab_lists_with_a_constant_number_of_queries(world):
    from companies.services import notice_create, thread_start

    def add_rows(n: int) -> None:
        for i in range(n):
            add_document(world, world.company_a1, name=f"Dokument {i}.pdf")
            with tenant_context(world.pta_a):
                notice_create(
                    title=f"Varsel {i}", body="Tekst", companies=[world.company_a1], created_by=world.adviser_a.user
                )
                thread_start(
                    company=world.company_a1,
                    subject=f"Tråd {i}",
                    body="Hei",
                    author=world.contact_a1.user,
                    from_staff=False,
                )

    client = client_for(world.adviser_a)
    url = f"/bedrifter/{world.company_a1.pk}/dokumenter/"
    add_rows(1)
    client.get(url)  # warm up session and caches
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    add_rows(3)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert len(response.context["documents"]) == 4 and len(response.context["threads"]) == 4
    assert len(second) == len(first)
