"""A task used only by the real-worker test: it writes into the current tenant's schema."""

from celery import shared_task

from companies.models import Company


@shared_task(name="tests.rename_company")
def rename_company(company_id: int, name: str) -> None:
    Company.objects.filter(pk=company_id).update(name=name)
