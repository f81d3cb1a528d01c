from django.urls import path

from invoicing import views_payments

app_name = "invoicing_payments"

urlpatterns = [
    path("fakturering/innbetalinger/", views_payments.payments_index, name="index"),
    path("fakturering/innbetalinger/last-opp/", views_payments.payment_upload, name="upload"),
    path("fakturering/innbetalinger/last-opp/<int:pk>/", views_payments.payment_upload_preview, name="upload_preview"),
    path(
        "fakturering/innbetalinger/last-opp/<int:pk>/bekreft/",
        views_payments.payment_upload_confirm,
        name="upload_confirm",
    ),
    path("fakturering/innbetalinger/uavklarte/", views_payments.payments_unmatched, name="unmatched"),
    path("fakturering/innbetalinger/<int:pk>/tilordne/", views_payments.payment_assign, name="assign"),
    path("fakturering/forfalte/", views_payments.invoices_overdue, name="overdue"),
]
