from config.celery import app
from reporting.services import region_stats_refresh


@app.task
def refresh_region_stats() -> int:
    """Per-tenant; queued for every PTA by tenants.tasks.dispatch_to_tenants."""
    return region_stats_refresh().employees
