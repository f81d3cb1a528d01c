"""URLs of a PTA's own host (tenant schema)."""

from django.urls import include, path

from companies import services as company_services
from companies import views as company_views
from companies import views_pta_users
from config import views as config_views
from tenants import views as tenant_views
from tenants import views_handover

urlpatterns = [
    path("", tenant_views.home, name="home"),
    path("i-dag/", config_views.staff_start, name="staff_start"),
    # The cards that gather every app's items (config.composition.NEEDS_ATTENTION and NEXT_STEPS).
    path("i-dag/kort/oppgaver/", config_views.today_attention_card, name="today_attention_card"),
    path("min-side/<int:pk>/kort/neste-steg/", config_views.minside_next_steps_card, name="minside_next_steps_card"),
    path("bedrifter/", include("companies.urls")),
    path("", include("employees.urls")),
    path("", include("tickets.urls")),
    path("", include("tickets.urls_applications")),
    path("", include("tickets.urls_fulfilment")),
    path("", include("surveys.urls")),
    path("", include("surveys.urls_results")),
    path("", include("surveys.urls_answer")),
    path("", include("reporting.urls_climate")),
    path("", include("reporting.urls")),
    path("", include("reporting.urls_factors")),
    path("effekter/", include("reporting.urls_effects")),
    path("", include("activities.urls")),
    path("", include("invoicing.urls")),
    path("", include("invoicing.urls_delivery")),
    path("", include("invoicing.urls_payments")),
    path("min-side/", company_views.minside_home, name="minside_home"),
    path("min-side/region/<int:pta_pk>/", views_handover.region_switch, name="region_switch"),
    path("overgang/<str:token>/", views_handover.handover_accept, name="handover_accept"),
    path("brukere/", views_pta_users.pta_users, name="pta_users"),
    path("brukere/<int:pk>/fjern/", views_pta_users.membership_remove, name="membership_remove"),
    # A contact person's invitation also links them to the companies it names.
    path(
        "invitasjon/<str:token>/",
        tenant_views.invitation_accept,
        {"on_accepted": company_services.contact_person_link_from_invitation},
        name="invitation_accept",
    ),
    path("logo", tenant_views.logo, name="tenant_logo"),
    path("brand.css", tenant_views.brand_css, name="brand_css"),
    path("utseende/", tenant_views.pta_look, name="pta_look"),
    path("konto/kontaktinfo/", tenant_views.contact_details, name="account_contact_details"),
    # Before allauth's own patterns: users do not manage their addresses (tenants.views).
    path("accounts/email/", tenant_views.email_change_refused, name="account_email_refused"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
