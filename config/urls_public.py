"""URLs of the national site (public schema)."""

from django.urls import include, path

from tenants import views, views_effects, views_factors, views_national, views_questionnaires

urlpatterns = [
    path("", views.home, name="home"),
    path("nasjonalt/", views_national.national_dashboard, name="national_dashboard"),
    path("nasjonalt/oppdater/", views_national.national_refresh, name="national_refresh"),
    path("nasjonalt/eksport.<str:fmt>", views_national.national_export, name="national_export"),
    # National companies: one organisation number in several regions, aggregates only.
    path("bedrifter/", views_national.national_companies, name="national_companies"),
    path("bedrifter/<str:org_number>/", views_national.national_company_detail, name="national_company_detail"),
    path("regioner/ny/", views.region_create, name="region_create"),
    path("regioner/<int:pk>/", views.region_detail, name="region_detail"),
    path("regioner/<int:pk>/aktiv/", views.region_set_active, name="region_set_active"),
    # The national base package (grunnpakke), which every PTA adopts into its own catalogue.
    path("grunnpakke/", views.national_products, name="national_products"),
    path("grunnpakke/ny/", views.national_product_create, name="national_product_create"),
    path("grunnpakke/<int:pk>/", views.national_product_edit, name="national_product_edit"),
    # The national standard question set (RVU): versions, a draft, publishing.
    path("sporreskjema/", views_questionnaires.national_questionnaires, name="national_questionnaires"),
    path("sporreskjema/ny/", views_questionnaires.national_questionnaire_create, name="national_questionnaire_create"),
    path(
        "sporreskjema/<int:pk>/",
        views_questionnaires.national_questionnaire_detail,
        name="national_questionnaire_detail",
    ),
    path(
        "sporreskjema/<int:pk>/publiser/",
        views_questionnaires.national_questionnaire_publish,
        name="national_questionnaire_publish",
    ),
    # The national emission factor table (g CO2e per passenger-km per survey mode).
    path("utslippsfaktorer/", views_factors.national_factors, name="national_factors"),
    path("utslippsfaktorer/endre/", views_factors.national_factors_edit, name="national_factors_edit"),
    # The report's effect model (Forventede effekter I and II), on scenarios and on the regions' figures.
    path("effekter/", views_effects.national_effects, name="national_effects"),
    path("invitasjon/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("brand.css", views.brand_css, name="brand_css"),
    # Before allauth's own patterns: users do not manage their addresses (tenants.views).
    path("accounts/email/", views.email_change_refused, name="account_email_refused"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
