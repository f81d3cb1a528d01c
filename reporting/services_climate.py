"""A company's climate report: asked for on the company's page (a status row and a task
through the outbox), built by the worker (figures, PDF, the company's document), and the
PTA's certification levels.

The method and its assumptions are reporting.climate's; the certification rules are
reporting.certification's; the factors come from reporting.emission_factors.factors_for.
The report's words (the PDF and the figures' messages) are bokmål, whoever asked for it:
it is a Norwegian document for the company's accounts.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.models import Company, Document, DocumentKind, Visibility
from core import outbox
from core.dates import today
from reporting import certification, climate
from reporting import selectors_climate as selectors
from reporting.emission_factors import FactorSet, factors_for
from reporting.models import CertificationLevel, ClimateReport, ReportState
from surveys.models import CAR_DRIVER_MODES, RESPONSE_RATE_TARGET, SUSTAINABLE_MODES, Mode, SurveyRound
from tenants.models import FactorBasis, User

logger = logging.getLogger(__name__)

TASK = "reporting.build_climate_report"
#: The years a report may be asked for: this one and the four before it.
YEARS_BACK = 4
#: The figures' format version (the JSON export carries it).
FIGURES_VERSION = 1

# Progress on the row, as the page shows it.
PROGRESS_STARTED = 10
PROGRESS_FIGURES = 40
PROGRESS_PDF = 80
PROGRESS_DONE = 100

# Why there are no figures for the whole report (figures["reason_code"]).
NO_ROUNDS = "no_rounds"
NO_RESPONSES = "no_responses"


def report_years(*, day: date | None = None) -> list[int]:
    year = (day or today()).year
    return list(range(year, year - YEARS_BACK - 1, -1))


def climate_report_request(*, company: Company, year: int, by: User | None) -> ClimateReport:
    """Ask for the company's climate report of `year`.

    Rules: the year is this one or one of the YEARS_BACK before it (ValidationError
    otherwise); a report of the same year that is still waiting or being made is returned
    instead of a new one. Side effect: reporting.build_climate_report is queued through the
    outbox with the new row (it runs once the row has committed)."""
    if year not in report_years():
        raise ValidationError({"year": _("Choose a year from %(first)s to %(last)s.") % _years_range()})
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=company.pk).first()  # one request at a time
        pending = company.climate_reports.filter(year=year, state__in=[ReportState.QUEUED, ReportState.RUNNING]).first()
        if pending is not None:
            return pending
        report = ClimateReport.objects.create(company=company, year=year, requested_by=by)
        outbox.enqueue(task=TASK, args=[report.pk], key=f"reporting.climate:{report.pk}")
    return report


def _years_range() -> dict:
    years = report_years()
    return {"first": years[-1], "last": years[0]}


def _progress(report: ClimateReport, value: int) -> None:
    ClimateReport.objects.filter(pk=report.pk).update(progress=value)


def climate_report_build(*, report_id: int) -> ClimateReport | None:
    """Make the report: figures (the company's latest baseline and follow-up, the year's
    factors, its employees and tickets), the PDF, stored as the company's document
    (kind "report", visible to the company's contact persons), state DONE with
    `finished_at`. Progress on the row: 10, 40, 80, 100.

    Safe to run twice: a DONE report is left as it is, and a second run that finishes
    after the first keeps the first's document (its own file is deleted). A failure sets
    FAILED with the error (and is logged); nothing is stored. Returns the row (None if it
    is gone)."""
    report = ClimateReport.objects.select_related("company", "requested_by").filter(pk=report_id).first()
    if report is None or report.state == ReportState.DONE:
        return report
    ClimateReport.objects.filter(pk=report.pk).exclude(state=ReportState.DONE).update(
        state=ReportState.RUNNING, progress=PROGRESS_STARTED, error=""
    )
    try:
        figures = climate_figures(company=report.company, year=report.year)
        _progress(report, PROGRESS_FIGURES)
        from reporting.pdf_climate import render_pdf

        data = render_pdf(figures)
        _progress(report, PROGRESS_PDF)
        _store(report, figures, data)
    except Exception as error:  # noqa: BLE001 - any failure is the report's, shown on the page
        logger.exception("climate report %s failed", report.pk)
        message = str(error) or error.__class__.__name__
        ClimateReport.objects.filter(pk=report.pk).exclude(state=ReportState.DONE).update(
            state=ReportState.FAILED, error=message[:500], finished_at=timezone.now()
        )
    report.refresh_from_db()
    return report


def _store(report: ClimateReport, figures: dict, data: bytes) -> None:
    """The PDF as the company's document (stored as companies.services.document_upload stores
    one: documents/<schema>/<company>/<uuid>.pdf, never under a user's name; the file is ours,
    so it is not sniffed, and a report nobody asked for, e.g. from a batch, has no uploader),
    and the row DONE, in one transaction; a second run that finished first wins."""
    with translation.override("nb"):
        title = f"Klimarapport {report.year} – {report.company.name}"[:200]
    document = Document(
        company=report.company,
        title=title,
        kind=DocumentKind.REPORT,
        visibility=Visibility.CONTACTS,
        original_name=f"klimarapport-{report.company.org_number}-{report.year}.pdf",
        content_type="application/pdf",
        size=len(data),
        uploaded_by=report.requested_by,
    )
    document.full_clean(exclude=["file", "uploaded_by"])
    storage = document.file.storage
    name = storage.save(
        f"documents/{connection.schema_name}/{report.company_id}/{uuid.uuid4().hex}.pdf", ContentFile(data)
    )
    document.file.name = name
    try:
        with transaction.atomic():
            row = ClimateReport.objects.select_for_update().get(pk=report.pk)
            if row.state == ReportState.DONE:  # another run finished first
                transaction.on_commit(lambda: storage.delete(name))
                return
            document.save()
            ClimateReport.objects.filter(pk=report.pk).update(
                state=ReportState.DONE,
                progress=PROGRESS_DONE,
                figures=figures,
                factor_source=figures["factors"]["provider"],
                document=document,
                error="",
                finished_at=timezone.now(),
            )
    except BaseException:
        storage.delete(name)
        raise


# --- The figures ------------------------------------------------------------------------------


def _s(value: Decimal | None, step: Decimal | None = None) -> str | None:
    """A Decimal as a JSON string (exact), rounded to `step` if given; None stays None."""
    if value is None:
        return None
    return str(climate.q(value, step) if step is not None else value)


def _mode_label(code: str) -> str:
    if not code:
        return "Ikke svart"
    try:
        return str(Mode(code).label)
    except ValueError:
        return code


def _coverage_message(reason: str, *, responses: int, invited: int, rate: Decimal | None) -> str:
    """The reason a round gives no figures, in the report's words (bokmål)."""
    if reason == climate.TOO_FEW_RESPONSES:
        return (
            f"Bare {responses} svar i runden. Rapporten viser tall først ved minst "
            f"{climate.MIN_RESPONDENTS} svar, så ingen enkeltpersoner kan kjennes igjen."
        )
    if reason == climate.NO_INVITATIONS:
        return "Runden har ingen invitasjoner, så svarprosenten kan ikke regnes ut."
    if reason == climate.RATE_TOO_LOW:
        return (
            f"Svarprosenten er {_pct(rate)} ({responses} av {invited} inviterte). Under "
            f"{climate.MIN_RESPONSE_RATE} % er svarene ikke representative for alle ansatte."
        )
    if reason == climate.NOTHING_ESTIMATED:
        return "Ingen svar har både reisemåte med utslippsfaktor, avstand og antall pendlingsdager."
    return reason


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{climate.q(value, climate.ONE_DECIMAL)} %".replace(".", ",")


def _round_figures(round_: SurveyRound, emissions: climate.RoundEmissions) -> dict:
    cover = emissions.coverage
    target = RESPONSE_RATE_TARGET[round_.kind]
    data = {
        "id": round_.pk,
        "kind": round_.kind,
        "opens_on": round_.opens_on.isoformat(),
        "closes_on": round_.closes_on.isoformat(),
        "limited_to": (
            str(round_.location) if round_.location_id else str(round_.department) if round_.department_id else ""
        ),
        "responses": cover.responses,
        "invited": cover.invited,
        "response_rate": _s(cover.rate),
        "target": target,
        "target_met": cover.rate is not None and cover.rate >= target,
        "covered": emissions.ok,
        "reason_code": emissions.reason,
        "reason": _coverage_message(emissions.reason, responses=cover.responses, invited=cover.invited, rate=cover.rate)
        if emissions.reason
        else "",
    }
    if emissions.ok:
        data.update(
            {
                "estimated": emissions.estimated,
                "not_estimated": emissions.not_estimated,
                "not_estimated_modes": [_mode_label(m) for m in emissions.not_estimated_modes],
                "kg_per_employee": _s(emissions.kg_per_employee, climate.KG),
                "tonnes": _s(emissions.total_tonnes, climate.TONNES),
                "car_share": _s(emissions.car_share, climate.ONE_DECIMAL),
                "sustainable_share": _s(emissions.sustainable_share, climate.ONE_DECIMAL),
                "modes": [
                    {
                        "mode": m.mode,
                        "label": _mode_label(m.mode),
                        "responses": m.responses,
                        "estimated": m.estimated,
                        "grams_per_pkm": _s(m.grams_per_pkm),
                        "person_km_respondents": _s(m.person_km, climate.WHOLE),
                        "kg_respondents": _s(m.kg, climate.KG),
                        "tonnes_all_employees": _s(m.kg_all_employees / climate.THOUSAND, climate.TONNES),
                        "share_of_emissions": _s(m.share_of_emissions, climate.ONE_DECIMAL),
                        "share_of_days": _s(m.share_of_days, climate.ONE_DECIMAL),
                    }
                    for m in emissions.modes
                ],
            }
        )
    return data


def _factor_figures(factor_set: FactorSet) -> dict:
    with translation.override("nb"):
        basis_label = str(FactorBasis(factor_set.basis).label) if factor_set.basis in FactorBasis.values else ""
    return {
        "year": factor_set.year,
        "provider": factor_set.provider,
        "fallback_reason": factor_set.fallback_reason,
        "basis": factor_set.basis,
        "basis_label": basis_label,
        "rows": [
            {
                "mode": mode.value,
                "label": _mode_label(mode.value),
                "grams_per_pkm": _s(factor_set.factors[mode.value].grams_per_pkm),
                "source": factor_set.factors[mode.value].source,
                "source_year": factor_set.factors[mode.value].source_year,
                "norwegian": factor_set.factors[mode.value].norwegian,
                "note": factor_set.factors[mode.value].note,
                "regional": factor_set.factors[mode.value].regional,
            }
            for mode in Mode
            if mode.value in factor_set.factors
        ],
    }


def _change_message(reason: str) -> str:
    return {
        climate.NO_BASELINE: "Bedriften har ingen kartlegging (baseline) å sammenligne med.",
        climate.NO_FOLLOWUP: "Bedriften har ingen oppfølgingsundersøkelse etter kartleggingen ennå, så endringen "
        "kan ikke regnes ut.",
        climate.BASELINE_NOT_COVERED: "Kartleggingen har for få svar eller for lav svarprosent til å sammenlignes.",
        climate.FOLLOWUP_NOT_COVERED: "Oppfølgingen har for få svar eller for lav svarprosent til å sammenlignes.",
    }.get(reason, reason)


def climate_figures(*, company: Company, year: int) -> dict:
    """Every figure the report prints, as JSON values (Decimals as exact strings), in bokmål:
    what the PDF, the CSV/JSON export and `manage.py climate_report` show. Reads: the
    company's rounds (1 query), the sums of its baseline and follow-up (1 each), its
    employees and tickets (1 each), the factors and the certification levels.

    No figures (`covered` False, `reason` saying what is missing) when the company has no
    round opened by the end of the year, none with responses, or the round to report is
    not covered (reporting.climate.coverage). Raises FactorsUnavailable without factors."""
    with translation.override("nb"):
        return _climate_figures(company=company, year=year)


def _climate_figures(*, company: Company, year: int) -> dict:
    day = min(today(), date(year, 12, 31))
    chosen = selectors.report_rounds(company=company, day=day)
    employees = selectors.employee_count(company=company)
    factor_set = factors_for(year=year)
    grams = {mode: factor.grams_per_pkm for mode, factor in factor_set.factors.items()}
    figures: dict = {
        "version": FIGURES_VERSION,
        "company": {"id": company.pk, "name": company.name, "org_number": company.org_number},
        "year": year,
        "as_of": day.isoformat(),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "employees": employees,
        "method": {
            "standard": "GHG Protocol, Scope 3 kategori 7 (pendling)",
            "approach": "distance-based",
            "working_weeks_per_year": str(climate.WORKING_WEEKS_PER_YEAR),
            "trips_per_day": climate.TRIPS_PER_DAY,
            "min_respondents": climate.MIN_RESPONDENTS,
            "min_response_rate": str(climate.MIN_RESPONSE_RATE),
        },
        "factors": _factor_figures(factor_set),
        "rounds": {"baseline": None, "followup": None},
        "current": "",
        "covered": False,
        "reason_code": "",
        "reason": "",
        "totals": None,
        "change": None,
        "tickets": None,
        "certification": None,
    }
    uptake = selectors.ticket_uptake(company=company, employees=employees)
    figures["tickets"] = {
        "active": uptake.active_tickets,
        "employees": uptake.employees,
        "share": _s(uptake.share),
    }
    if chosen.baseline is None:
        any_round = any(r.opens_on <= day for r in chosen.rounds)
        figures["reason_code"] = NO_ROUNDS
        figures["reason"] = (
            "Bedriften har ingen kartlegging (baseline-undersøkelse) som var åpnet innen "
            f"{day:%d.%m.%Y}. Klimarapporten bygger på en reisevaneundersøkelse: start en kartlegging under "
            "«Reisevaneundersøkelser», og lag rapporten når den er besvart."
            + (" Bedriften har bare oppfølgingsrunder uten en kartlegging før dem." if any_round else "")
        )
        figures["certification"] = _certification(None, None)
        return figures

    sums_of: dict[str, climate.RoundSums] = {}

    def emissions_of(round_: SurveyRound) -> tuple[climate.RoundEmissions, dict]:
        sums = sums_of[round_.kind] = selectors.round_sums(round_=round_, invited=round_.invited)
        result = climate.round_emissions(
            sums,
            factors=grams,
            employees=employees,
            car_modes=CAR_DRIVER_MODES,
            sustainable_modes=SUSTAINABLE_MODES,
        )
        return result, _round_figures(round_, result)

    base_em, figures["rounds"]["baseline"] = emissions_of(chosen.baseline)
    follow_em = None
    if chosen.followup is not None:
        follow_em, figures["rounds"]["followup"] = emissions_of(chosen.followup)
    current_key, current = ("followup", follow_em) if follow_em is not None and follow_em.ok else ("baseline", base_em)
    change = climate.change(base_em, follow_em, employees=employees)
    figures["change"] = {
        "available": change.available,
        "reason_code": change.reason,
        "reason": _change_message(change.reason) if change.reason else "",
        "kg_per_employee_avoided": _s(change.kg_per_employee_avoided, climate.KG),
        "tonnes_avoided": _s(change.tonnes_avoided, climate.TONNES),
        "car_share_points": _s(change.car_share_points, climate.ONE_DECIMAL),
        "car_trips_replaced": _s(change.car_trips_replaced, climate.WHOLE),
        "trips_per_year": _s(change.trips_per_year, climate.WHOLE),
    }
    if current.ok:
        figures["covered"] = True
        figures["current"] = current_key
        figures["totals"] = {
            "round": current_key,
            "tonnes": _s(current.total_tonnes, climate.TONNES),
            "kg_per_employee": _s(current.kg_per_employee, climate.KG),
            "employees": employees,
            "respondents": current.coverage.responses,
            "estimated": current.estimated,
            "not_estimated": current.not_estimated,
            "not_estimated_modes": [_mode_label(m) for m in current.not_estimated_modes],
        }
        figures["certification"] = _certification(sums_of.get("baseline"), sums_of.get("followup"))
    else:
        reported = figures["rounds"][current_key]
        figures["reason_code"] = NO_RESPONSES if current.coverage.responses == 0 else current.reason
        figures["reason"] = (
            "Ingen har svart på undersøkelsen ennå." if current.coverage.responses == 0 else reported["reason"]
        )
        figures["certification"] = _certification(None, None)
    return figures


def measured(baseline: climate.RoundSums | None, followup: climate.RoundSums | None) -> certification.Measured:
    """The figures certification reads (reporting.certification): the response rate and the
    sustainable share of the latest covered round (the follow-up if covered, else the
    baseline), and the car share's fall from a covered baseline to a covered follow-up."""

    def covered(sums):
        return sums is not None and climate.coverage(responses=sums.responses, invited=sums.invited).ok

    def car_and_sustainable(sums):
        car, sustainable, _days = climate.shares(sums, car_modes=CAR_DRIVER_MODES, sustainable_modes=SUSTAINABLE_MODES)
        return car, sustainable

    current = followup if covered(followup) else baseline if covered(baseline) else None
    if current is None:
        return certification.Measured()
    reduction = None
    if covered(baseline) and covered(followup):
        before, after = car_and_sustainable(baseline)[0], car_and_sustainable(followup)[0]
        if before is not None and after is not None:
            reduction = climate.q(before - after, climate.ONE_DECIMAL)
    return certification.Measured(
        response_rate=climate.coverage(responses=current.responses, invited=current.invited).rate,
        car_share_reduction=reduction,
        sustainable_share=climate.q(car_and_sustainable(current)[1], climate.ONE_DECIMAL),
    )


def _certification(baseline: climate.RoundSums | None, followup: climate.RoundSums | None) -> dict:
    return certification_figures(certification.certify(levels(), measured(baseline, followup)))


def certification_for(*, company: Company, day: date | None = None) -> certification.Result:
    """The company's certification now, from its latest baseline and follow-up (no factors
    needed): 1 query for the rounds, 1 per round, and the levels."""
    chosen = selectors.report_rounds(company=company, day=day or today())

    def sums(round_: SurveyRound | None) -> climate.RoundSums | None:
        return selectors.round_sums(round_=round_, invited=round_.invited) if round_ is not None else None

    return certification.certify(levels(), measured(sums(chosen.baseline), sums(chosen.followup)))


def certification_figures(result: certification.Result) -> dict:
    return {
        "achieved": result.achieved.name if result.achieved else "",
        "achieved_rank": result.achieved.rank if result.achieved else None,
        "next": result.next.name if result.next else "",
        "gaps": [
            {
                "metric": gap.metric,
                "needed": _s(gap.needed),
                "current": _s(gap.current, climate.ONE_DECIMAL),
                "missing": _s(gap.missing, climate.ONE_DECIMAL),
            }
            for gap in result.gaps
        ],
    }


# --- Certification levels ---------------------------------------------------------------------


def certification_levels() -> list[CertificationLevel]:
    """The PTA's levels, lowest rank first; the defaults (reporting.certification.DEFAULT_LEVELS:
    bronze, silver, gold) are created on first use (a concurrent first use creates them once)."""
    rows = selectors.certification_level_list()
    if rows:
        return rows
    CertificationLevel.objects.bulk_create(
        [
            CertificationLevel(
                name=level.name,
                rank=level.rank,
                min_response_rate=level.min_response_rate,
                min_car_share_reduction=level.min_car_share_reduction,
                min_sustainable_share=level.min_sustainable_share,
            )
            for level in certification.DEFAULT_LEVELS
        ],
        ignore_conflicts=True,
    )
    return selectors.certification_level_list()


def levels() -> list[certification.Level]:
    return [
        certification.Level(
            name=row.name,
            rank=row.rank,
            min_response_rate=row.min_response_rate,
            min_car_share_reduction=row.min_car_share_reduction,
            min_sustainable_share=row.min_sustainable_share,
        )
        for row in certification_levels()
    ]


def certification_levels_save(*, rows: list[dict], delete: list[int]) -> list[CertificationLevel]:
    """Save the PTA's levels as edited (each row: pk or None, name, rank, the three thresholds),
    and delete the levels in `delete`.

    Rules: names and ranks are unique, thresholds 0-100 (the form checks; the database
    refuses a repeated rank). Ranks may be swapped: they are saved in two steps in one
    transaction. Returns the levels."""
    with transaction.atomic():
        CertificationLevel.objects.filter(pk__in=delete).delete()
        existing = {row.pk: row for row in CertificationLevel.objects.select_for_update()}
        # Move the kept rows' ranks out of the way first, so a swap does not collide.
        offset = 1000 + max((row.rank for row in existing.values()), default=0)
        for pk, row in existing.items():
            CertificationLevel.objects.filter(pk=pk).update(rank=row.rank + offset)
        for data in rows:
            level = existing.get(data.get("pk")) or CertificationLevel()
            for name in ("name", "rank", "min_response_rate", "min_car_share_reduction", "min_sustainable_share"):
                setattr(level, name, data[name])
            level.full_clean(validate_unique=False)
            level.save()
        # Kept rows the form did not name (none when the form lists them all) get their rank back.
        named = {data.get("pk") for data in rows}
        for pk, row in existing.items():
            if pk not in named:
                CertificationLevel.objects.filter(pk=pk).update(rank=row.rank)
    return selectors.certification_level_list()
