from celery import shared_task

from reporting.services import monthly_figures_record, region_stats_refresh
from reporting.services_climate import climate_report_build


@shared_task
def refresh_region_stats() -> int:
    """Per-tenant; queued for every PTA by tenants.tasks.dispatch_to_tenants."""
    return region_stats_refresh().employees


@shared_task
def record_monthly_figures() -> int:
    """Per-tenant, hourly (dispatch_to_tenants): this month's figures for the trend on "I dag"."""
    return monthly_figures_record().member_companies


@shared_task(name="reporting.build_climate_report")
def build_climate_report(report_id: int) -> str:
    """One company's climate report (queued by reporting.services_climate.climate_report_request);
    safe to run twice: a finished report is left as it is."""
    report = climate_report_build(report_id=report_id)
    return report.state if report is not None else "gone"
