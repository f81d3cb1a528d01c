from celery import shared_task

from reporting.services import region_stats_refresh


@shared_task
def refresh_region_stats() -> int:
    """Per-tenant; queued for every PTA by tenants.tasks.dispatch_to_tenants."""
    return region_stats_refresh().employees
