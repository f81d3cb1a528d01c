from django.urls import path

from reporting import views_climate as views

app_name = "climate"

urlpatterns = [
    path("bedrifter/<int:company_pk>/klima/", views.company_climate, name="company"),
    path("bedrifter/<int:company_pk>/klima/<int:pk>/", views.report_progress, name="progress"),
    path("bedrifter/<int:company_pk>/klima/<int:pk>/rapport.pdf", views.report_download, name="download"),
    path("bedrifter/<int:company_pk>/klima/<int:pk>/tall.<str:fmt>", views.report_figures, name="figures"),
    path("klima/sertifisering/", views.certification_levels, name="certification"),
    # The card on Min side (config.composition.MINSIDE_CARDS).
    path("min-side/<int:pk>/kort/klima/", views.minside_climate_card, name="minside_card"),
]
