from django.urls import path

from invoicing import views_delivery as views

app_name = "invoicing_delivery"

urlpatterns = [
    path("fakturering/kjoringer/<int:run_pk>/pdf/", views.run_pdfs_start, name="run_pdfs"),
    path("fakturering/kjoringer/<int:run_pk>/pdf/fremdrift/", views.run_pdf_progress, name="run_pdf_progress"),
    path("fakturering/faktura/<int:pk>/send/", views.invoice_send, name="invoice_send"),
]
