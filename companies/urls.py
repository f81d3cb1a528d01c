from django.urls import include, path

from companies import views, views_import

app_name = "companies"

urlpatterns = [
    path("", views.company_list, name="list"),
    path("ny/", views.company_create, name="create"),
    path("import/", views_import.import_upload, name="import"),
    path("import/eksempel.<str:fmt>", views_import.import_sample, name="import_sample"),
    path("import/<int:pk>/", views_import.import_preview, name="import_preview"),
    path("import/<int:pk>/bekreft/", views_import.import_confirm, name="import_confirm"),
    path("import/<int:pk>/resultat/", views_import.import_progress, name="import_progress"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/rediger/", views.company_edit, name="edit"),
    path("<int:pk>/status/", views.company_status, name="status"),
    path("<int:pk>/avtale/", views.agreement_edit, name="agreement"),
    path("<int:pk>/lokasjoner/", views.location_add, name="location_add"),
    path("<int:pk>/lokasjoner/<int:location_pk>/fjern/", views.location_remove, name="location_remove"),
    path("<int:pk>/avdelinger/", views.department_add, name="department_add"),
    path("<int:pk>/avdelinger/<int:department_pk>/fjern/", views.department_remove, name="department_remove"),
    path("<int:pk>/kontaktpersoner/", views.company_contacts, name="contacts"),
    path("<int:pk>/kontaktpersoner/<int:contact_pk>/rettigheter/", views.contact_rights, name="contact_rights"),
    path("<int:pk>/kontaktpersoner/<int:contact_pk>/fjern/", views.contact_remove, name="contact_remove"),
    path("<int:pk>/historikk/", views.company_history, name="history"),
    path("", include("companies.urls_messaging")),
    # Cards on the composed pages (config.composition).
    path("<int:pk>/kort/meldinger/", views.messages_card, name="messages_card"),
    path("<int:pk>/kort/radgiver/", views.adviser_card, name="adviser_card"),
    path("kort/i-dag/tall/", views.today_figures_card, name="today_figures_card"),
    path("kort/i-dag/mine-bedrifter/", views.today_my_companies_card, name="today_my_companies_card"),
]
