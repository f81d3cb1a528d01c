from django.urls import path

from surveys import views_results as views

app_name = "survey_results"

company = "bedrifter/<int:company_pk>/undersokelser/resultater/"

urlpatterns = [
    path("undersokelser/resultater/", views.pta_results, name="pta_results"),
    path("undersokelser/resultater/eksport.<str:fmt>", views.pta_results_export, name="pta_results_export"),
    # The company's latest round on Min side (config.composition.MINSIDE_CARDS).
    path("min-side/<int:pk>/kort/reisevaner/", views.minside_results_card, name="minside_results_card"),
    path(company, views.company_results, name="company_results"),
    path(f"{company}eksport.<str:fmt>", views.company_results_export, name="company_results_export"),
]
