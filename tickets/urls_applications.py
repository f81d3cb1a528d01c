from django.urls import path

from tickets import views_applications as views

app_name = "ticket_applications"

company = "bedrifter/<int:company_pk>/billetter/"

urlpatterns = [
    # The employee's pages, without an account (config.middleware leaves /soknad/ open).
    path("soknad/<str:key>/", views.start, name="start"),
    path("soknad/<str:key>/sendt/", views.link_sent, name="link_sent"),
    path("soknad/<str:key>/skjema/<str:token>/", views.apply, name="apply"),
    path("soknad/<str:key>/kvittering/", views.receipt, name="receipt"),
    # The company's: its applications, and its link with the QR code.
    path(f"{company}soknader/", views.company_applications, name="company_applications"),
    path(f"{company}soknader/<int:pk>/godkjenn/", views.application_approve, name="application_approve"),
    path(f"{company}soknader/<int:pk>/avvis/", views.application_reject, name="application_reject"),
    path(f"{company}soknadslenke/", views.application_link, name="application_link"),
    path(f"{company}soknadslenke/ny/", views.application_link_renew, name="application_link_renew"),
    path(f"{company}soknadslenke/qr.svg", views.application_qr, {"fmt": "svg"}, name="application_qr_svg"),
    path(f"{company}soknadslenke/qr.png", views.application_qr, {"fmt": "png"}, name="application_qr_png"),
]
