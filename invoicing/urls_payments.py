from django.urls import path  # noqa: F401

app_name = "invoicing_payments"

urlpatterns: list = []
