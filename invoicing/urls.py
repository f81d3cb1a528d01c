from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("fakturering/", views.index, name="index"),
    path("fakturering/kjoringer/ny/", views.run_start, name="run_start"),
    path("fakturering/kjoringer/<str:month>/", views.run_detail, name="run_detail"),
    path("fakturering/kjoringer/<str:month>/utsted/", views.run_issue, name="run_issue"),
    path("fakturering/kjoringer/<str:month>/send/", views.run_deliver, name="run_deliver"),
    path("fakturering/kjoringer/<str:month>/regnskap.csv", views.run_accounting, name="run_accounting"),
    path("fakturering/faktura/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("fakturering/faktura/<int:pk>/utsted/", views.invoice_issue, name="invoice_issue"),
    path("fakturering/faktura/<int:pk>/slett/", views.draft_delete, name="draft_delete"),
    path("fakturering/faktura/<int:pk>/krediter/", views.invoice_credit, name="invoice_credit"),
    path("fakturering/faktura/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("fakturering/faktura/<int:pk>/ehf/", views.invoice_ehf, name="invoice_ehf"),
    path("fakturering/innstillinger/", views.invoice_settings, name="settings"),
    path("bedrifter/<int:company_pk>/fakturaer/", views.company_invoices, name="company_invoices"),
    path("bedrifter/<int:company_pk>/fakturaer/kort/", views.company_invoices_card, name="company_invoices_card"),
    path("bedrifter/<int:company_pk>/fakturaer/tillegg/", views.billable_add, name="billable_add"),
    path("bedrifter/<int:company_pk>/fakturaer/tillegg/<int:pk>/fjern/", views.billable_remove, name="billable_remove"),
]
