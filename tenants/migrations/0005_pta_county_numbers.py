"""Pta.county was free text; it becomes one of the counties from 1 January
2024, stored by county number (0006). Existing values are mapped by name
where they name one of them; anything else (a county that no longer exists,
such as Viken, or a typo) becomes blank for the coordinator to choose."""

from django.db import migrations

# Every name a county goes by (its official names, in any of its languages), lower-case -> county number.
NAMES = {
    "agder": "42",
    "akershus": "32",
    "buskerud": "33",
    "finnmark": "56",
    "finnmárku": "56",
    "finmarkku": "56",
    "innlandet": "34",
    "møre og romsdal": "15",
    "nordland": "18",
    "oslo": "03",
    "rogaland": "11",
    "telemark": "40",
    "troms": "55",
    "romsa": "55",
    "tromssa": "55",
    "trøndelag": "50",
    "trööndelage": "50",
    "vestfold": "39",
    "vestland": "46",
    "østfold": "31",
}
NUMBERS = set(NAMES.values())


def county_number(text: str) -> str:
    """'Rogaland', 'Rogaland fylke', 'Troms – Romsa – Tromssa' or '11' -> '11'; anything else -> ''."""
    value = " ".join(text.split()).lower()
    if value in NUMBERS:
        return value
    for suffix in (" fylkeskommune", " fylke"):
        value = value.removesuffix(suffix)
    names = {part.strip() for part in value.replace("–", "-").split("-")}
    numbers = {NAMES[name] for name in names if name in NAMES}
    return numbers.pop() if len(numbers) == 1 else ""


def to_numbers(apps, schema_editor):
    Pta = apps.get_model("tenants", "Pta")
    for pta in Pta.objects.exclude(county=""):
        number = county_number(pta.county)
        if number != pta.county:
            Pta.objects.filter(pk=pta.pk).update(county=number)


def to_names(apps, schema_editor):
    Pta = apps.get_model("tenants", "Pta")
    names = {}
    for name, number in NAMES.items():
        names.setdefault(number, name.title() if name != "møre og romsdal" else "Møre og Romsdal")
    for pta in Pta.objects.exclude(county=""):
        Pta.objects.filter(pk=pta.pk).update(county=names.get(pta.county, pta.county))


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0004_user_phone'),
    ]

    operations = [
        migrations.RunPython(to_numbers, to_names),
    ]
