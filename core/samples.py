"""Sample files for the import pages: the headers an import recognises and a
few example rows, as a CSV or Excel download (written like the exports,
core.tabular), so people start from a file that imports as it is."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import Http404, HttpResponse

from core.tabular import write_csv, write_xlsx

SAMPLE_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sample_response(*, fmt: str, headers: Sequence[str], rows: Sequence[Sequence], name: str) -> HttpResponse:
    """The sample as an attachment `<name>.<fmt>`; 404 for a format other than csv or xlsx."""
    if fmt not in SAMPLE_CONTENT_TYPES:
        raise Http404
    content = write_csv(headers, rows) if fmt == "csv" else write_xlsx(headers, rows, title=name)
    response = HttpResponse(content, content_type=SAMPLE_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
