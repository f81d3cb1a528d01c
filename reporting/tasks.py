from celery import shared_task

from reporting.services import monthly_figures_record, region_stats_refresh


@shared_task
def refresh_region_stats() -> int:
    """Per-tenant; queued for every PTA by tenants.tasks.dispatch_to_tenants."""
    return region_stats_refresh().employees


@shared_task
def record_monthly_figures() -> int:
    """Per-tenant, hourly (dispatch_to_tenants): this month's figures for the trend on "I dag"."""
    return monthly_figures_record().member_companies
