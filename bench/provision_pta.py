"""Time provisioning a new PTA: cloning the template schema (what pta_create
does) against replaying every tenant migration into an empty schema, in the
same run on the same database.

    .venv/bin/python bench/provision_pta.py [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    from config.dev.embedded import use_embedded_services  # noqa: E402

    use_embedded_services()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from tenants.models import Pta  # noqa: E402
from tenants.services import pta_create, template_schema_ensure  # noqa: E402


def clone_once(i: int) -> float:
    started = time.perf_counter()
    pta = pta_create(name=f"Bench {i}", slug=f"benchclone{i}", domain=f"benchclone{i}.localhost")
    elapsed = time.perf_counter() - started
    pta.delete(force_drop=True)
    return elapsed


def replay_once(i: int) -> float:
    schema = f"benchreplay{i}"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", schema_name=schema, tenant=True, interactive=False, verbosity=0)
    elapsed = time.perf_counter() - started
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return elapsed


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    template_schema_ensure()
    Pta.objects.filter(slug__startswith="benchclone").delete()
    clone = [clone_once(i) for i in range(rounds)]
    replay = [replay_once(i) for i in range(rounds)]
    c, r = statistics.median(clone), statistics.median(replay)
    print(f"rounds={rounds}")
    print(f"provision by cloning template schema: median {c * 1000:.0f} ms (min {min(clone) * 1000:.0f} ms)")
    print(f"replaying tenant migrations:          median {r * 1000:.0f} ms (min {min(replay) * 1000:.0f} ms)")
    print(f"ratio replay/clone: {r / c:.1f}x")


if __name__ == "__main__":
    main()
