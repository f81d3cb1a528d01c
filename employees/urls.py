from django.urls import include, path

from employees import views

app_name = "employees"

company_patterns = [
    path("", views.employee_list, name="list"),
    path("ny/", views.employee_create, name="create"),
    path("<int:pk>/", views.employee_edit, name="edit"),
    path("<int:pk>/status/", views.employee_status, name="status"),
    path("<int:pk>/fjern/", views.employee_delete, name="delete"),
    # Before the format pattern: an export's number is not a format.
    path("eksport/<int:pk>/", views.export_progress, name="export_progress"),
    path("eksport/<int:pk>/fil/", views.export_download, name="export_download"),
    path("eksport/<str:fmt>/", views.employee_export, name="export"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/eksempel.<str:fmt>", views.import_sample, name="import_sample"),
    path("import/<int:pk>/kolonner/", views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/bekreft/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/resultat/", views.import_progress, name="import_progress"),
    # Cards on the company overview and Min side (config.composition).
    path("kort/tall/", views.counts_card, name="counts_card"),
]

urlpatterns = [
    path("bedrifter/<int:company_pk>/ansatte/", include(company_patterns)),
    # Cards on the staff's start page (config.composition.TODAY_CARDS).
    path("i-dag/kort/ansatte/", views.today_card, name="today_card"),
]
