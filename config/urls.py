"""URLs of a PTA's own host (tenant schema)."""

from django.urls import include, path

from companies import views as company_views
from reporting import views as reporting_views
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.home, name="home"),
    path("i-dag/", reporting_views.staff_start, name="staff_start"),
    path("bedrifter/", include("companies.urls")),
    path("bedrifter/<int:company_pk>/ansatte/", include("employees.urls")),
    path("min-side/", company_views.minside_home, name="minside_home"),
    path("brukere/", company_views.pta_users, name="pta_users"),
    path("brukere/<int:pk>/fjern/", company_views.membership_remove, name="membership_remove"),
    path("invitasjon/<str:token>/", company_views.invitation_accept, name="invitation_accept"),
    path("logo", tenant_views.logo, name="tenant_logo"),
    path("utseende/", tenant_views.pta_look, name="pta_look"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
