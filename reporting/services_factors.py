"""Writes of a PTA's regional emission factors (reporting.EmissionFactorOverride)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reporting.models import EmissionFactorOverride
from surveys.models import Mode
from tenants.models import User


def _years(first: int, last: int | None) -> str:
    return f"{first}–{last}" if last is not None else _("%(first)s on") % {"first": first}


def override_add(
    *,
    mode: str,
    grams_per_pkm: Decimal,
    valid_from: int,
    valid_until: int | None,
    source: str,
    note: str = "",
    by: User | None = None,
) -> EmissionFactorOverride:
    """Add the PTA's own factor for `mode` in its region, in place of the national row for
    those years (reporting.emission_factors.TableProvider uses it).

    Rules: a survey mode (surveys.models.Mode); a value of 0 or more; valid_until, when
    given, not before valid_from; a source; no overlap with the PTA's other overrides of
    the mode. A broken rule raises ValidationError naming the field, and nothing is
    written. Side effects: one row, with `by` as its author, in one transaction (the
    overlap is checked under a lock of the mode's rows)."""
    errors: dict[str, list[str]] = {}
    if mode not in Mode.values:
        errors.setdefault("mode", []).append(_("“%(mode)s” is not a survey mode.") % {"mode": mode})
    if grams_per_pkm is None or grams_per_pkm < 0:
        errors.setdefault("grams_per_pkm", []).append(
            _("The value %(value)s g/pkm is negative; a factor is 0 or more.") % {"value": grams_per_pkm}
        )
    if valid_until is not None and valid_until < valid_from:
        errors.setdefault("valid_until", []).append(
            _("Valid until %(until)s is before valid from %(from)s.") % {"until": valid_until, "from": valid_from}
        )
    if not (source or "").strip():
        errors.setdefault("source", []).append(_("Name the source of the figure."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        others = list(EmissionFactorOverride.objects.select_for_update().filter(mode=mode))
        for other in others:
            starts_before_end = other.valid_until is None or valid_from <= other.valid_until
            ends_after_start = valid_until is None or other.valid_from <= valid_until
            if starts_before_end and ends_after_start:
                raise ValidationError(
                    {
                        "valid_from": _(
                            "The years %(years)s overlap the region's other %(mode)s factor (%(value)s g/pkm, "
                            "%(other_years)s); remove that one first."
                        )
                        % {
                            "years": _years(valid_from, valid_until),
                            "mode": Mode(mode).label,
                            "value": other.grams_per_pkm,
                            "other_years": _years(other.valid_from, other.valid_until),
                        }
                    }
                )
        return EmissionFactorOverride.objects.create(
            mode=mode,
            grams_per_pkm=grams_per_pkm,
            valid_from=valid_from,
            valid_until=valid_until,
            source=source.strip(),
            note=(note or "").strip(),
            updated_by=by,
        )


def override_remove(*, override: EmissionFactorOverride) -> None:
    """Remove a regional factor; the national row applies again for its years. Side effect:
    the row is deleted."""
    override.delete()
