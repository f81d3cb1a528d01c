from __future__ import annotations

import csv
import io

from django.urls import reverse

NB_HEADERS = ["Ansattnummer", "Fornavn", "Etternavn", "E-post", "Mobil", "Lokasjon", "Avdeling", "Startdato"]
EN_HEADERS = ["Employee ID", "First name", "Surname", "Work email", "Mobile phone", "Site", "Department", "Start date"]
ROWS = [
    ["101", "Kari", "Nordmann", "kari@delta.no", "912 34 567", "Hovedkontor", "Salg", "01.02.2020"],
    ["102", "Ola", "Sørensen", "ola@delta.no", "+47 48 12 34 56", "Hovedkontor", "", "2021-03-15"],
    ["103", "Åse", "Ødegård", "ase@delta.no", "", "", "Salg", ""],
]


def csv_bytes(rows, headers=NB_HEADERS, *, delimiter=";", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, company, content: bytes, name: str = "ansatte.csv", **options):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile(name, content)}
    data.update({key: "on" for key, value in options.items() if value})
    return client.post(reverse("employees:import_upload", args=[company.pk]), data)


def url(name: str, *args) -> str:
    return reverse(f"employees:{name}", args=args)
