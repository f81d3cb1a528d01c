"""The report's effect model (tenants.effects) for analysts: parameters in, `key=value` lines out."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, no_translations

from tenants import effects

#: The option of each model parameter, for messages.
OPTIONS = {
    "employees": "--employees",
    "car_share": "--car-share",
    "reduction": "--reduction",
    "trips_per_year": "--trips",
    "transit_shares": "--transit-share",
    "price_per_trip": "--price-per-trip",
    "monthly_price": "--monthly-price",
    "cannibalisations": "--cannibalisation",
}


def _key(base: str, share, several: bool) -> str:
    return f"{base}_{effects.plain(share)}pct" if several else base


class Command(BaseCommand):
    help = """The effect model of the national business-concept report (Forventede effekter I and II).

Effects I (employees buy their own ticket), asked for by --car-share and --reduction:
  reduced car trips/yr = employees x car share x reduction x trips per year
  extra revenue/yr     = reduced car trips x transit share x price per trip
  --trips defaults to 460 and --price-per-trip to NOK 20 (the report's); without
  --transit-share only reduced_car_trips is printed.
Effects II (the company pays a monthly ticket for every employee), asked for by
--monthly-price and/or --cannibalisation:
  extra revenue/yr = employees x 12 x monthly price x (1 - cannibalisation)
  --monthly-price defaults to NOK 700 (the report's) and --cannibalisation to 0.

Percentages are given as percent (35 means 35 %). Prints one key=value line per
result, integers where the value is whole and otherwise a decimal with a point:
  reduced_car_trips=4025000        (Effects I)
  extra_revenue_nok=16100000       (Effects I: the revenue of the trips moved to transit)
  extra_revenue_nok=1890000000     (Effects II, when only Effects II is asked)
  subscription_revenue_nok=...     (Effects II, when both models are asked)
--transit-share and --cannibalisation may be repeated; each value then gets its own
key with the value in it: extra_revenue_nok_20pct=..., extra_revenue_nok_40pct=...
Bad parameters (a share over 100, negative employees, not a number) are refused
with a message naming the option and its value, and a non-zero exit code.

Example: manage.py effects --employees 250000 --car-share 35 --reduction 10 --trips 460 --transit-share 20
"""

    def add_arguments(self, parser):
        parser.add_argument("--employees", help="employees, a whole number (required)")
        parser.add_argument("--car-share", dest="car_share", help="Effects I: car share of commuting trips, percent")
        parser.add_argument("--reduction", help="Effects I: relative reduction of the car share, percent")
        parser.add_argument("--trips", dest="trips_per_year", help="Effects I: commuting trips per year (460)")
        parser.add_argument(
            "--transit-share",
            dest="transit_shares",
            action="append",
            help="Effects I: share of the reduced car trips made by transit, percent; may be repeated",
        )
        parser.add_argument("--price-per-trip", dest="price_per_trip", help="Effects I: NOK per transit trip (20)")
        parser.add_argument(
            "--monthly-price", dest="monthly_price", help="Effects II: NOK per employee and month (700)"
        )
        parser.add_argument(
            "--cannibalisation",
            dest="cannibalisations",
            action="append",
            help="Effects II: share of the revenue the PTA had already, percent (0); may be repeated",
        )

    @no_translations  # the messages in English, as the analyst's other output
    def handle(self, *args, **options):
        given = {name: options.get(name) for name in OPTIONS if options.get(name) is not None}
        values = {
            name: [v.replace(",", ".").strip() for v in value]
            if isinstance(value, list)
            else value.replace(",", ".").strip()
            for name, value in given.items()
        }
        model_i = any(
            n in values for n in ("car_share", "reduction", "trips_per_year", "transit_shares", "price_per_trip")
        )
        model_ii = any(n in values for n in ("monthly_price", "cannibalisations"))
        if "employees" not in values:
            raise CommandError("--employees is required.")
        if not (model_i or model_ii):
            raise CommandError(
                "Give the parameters of Effects I (--car-share, --reduction, ...) or of Effects II"
                " (--monthly-price, --cannibalisation), or both."
            )
        if model_i:
            missing = [OPTIONS[n] for n in ("car_share", "reduction") if n not in values]
            if missing:
                raise CommandError(f"Effects I needs {' and '.join(missing)}.")

        problems: dict[str, effects.Problem] = {}
        car_trips = subscription = None
        if model_i:
            shares = values.get("transit_shares", [])
            try:
                car_trips = effects.CarTripParameters.build(**{**values, "transit_shares": shares or ["0"]})
            except effects.ParameterError as exc:
                problems.update((p.name, p) for p in exc.problems)
        if model_ii:
            try:
                subscription = effects.SubscriptionParameters.build(
                    **{**values, "cannibalisations": values.get("cannibalisations", ["0"])}
                )
            except effects.ParameterError as exc:
                problems.update((p.name, p) for p in exc.problems)
        if problems:
            raise CommandError(
                " ".join(f"{OPTIONS[p.name]} {_shown(given.get(p.name))}: {p.message}" for p in problems.values())
            )

        lines = []
        if car_trips is not None:
            result = effects.car_trip_effects(car_trips)
            lines.append(f"reduced_car_trips={effects.plain(result.reduced_car_trips)}")
            if values.get("transit_shares"):
                several = len(result.revenues) > 1
                lines += [
                    f"{_key('extra_revenue_nok', r.transit_share, several)}={effects.plain(r.revenue)}"
                    for r in result.revenues
                ]
        if subscription is not None:
            result = effects.subscription_effects(subscription)
            base = "subscription_revenue_nok" if car_trips is not None else "extra_revenue_nok"
            several = len(result.revenues) > 1
            lines += [f"{_key(base, r.cannibalisation, several)}={effects.plain(r.revenue)}" for r in result.revenues]
        self.stdout.write("\n".join(lines))


def _shown(value) -> str:
    if isinstance(value, list):
        return " ".join(value)
    return str(value)
