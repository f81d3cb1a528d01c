from django.urls import include, path

from tickets import views, views_terms

app_name = "tickets"

agreement_patterns = [
    path("", views.agreement_products, name="agreement_products"),
    path("kopier/", views_terms.agreement_terms_copy_view, name="agreement_terms_copy"),
    path("<int:pk>/", views.agreement_product_edit, name="agreement_product_edit"),
    path("<int:pk>/fjern/", views.agreement_product_remove, name="agreement_product_remove"),
]

urlpatterns = [
    path("produkter/", views.product_list, name="product_list"),
    path("produkter/ny/", views.product_create, name="product_create"),
    path("produkter/grunnpakke/", views.base_package_adopt, name="base_package_adopt"),
    path("produkter/<int:pk>/", views.product_edit, name="product_edit"),
    path("produkter/<int:pk>/priser/", views.price_add, name="price_add"),
    path("billettyper/", views.ticket_type_list, name="ticket_type_list"),
    path("billettyper/ny/", views.ticket_type_create, name="ticket_type_create"),
    path("billettyper/<int:pk>/", views.ticket_type_edit, name="ticket_type_edit"),
    path("billettyper/<int:pk>/priser/", views.ticket_price_add, name="ticket_price_add"),
    # A company's agreement products; its card on the company overview (config.composition).
    path("bedrifter/<int:company_pk>/avtale/produkter/", include(agreement_patterns)),
    path(
        "bedrifter/<int:company_pk>/kort/avtaleprodukter/",
        views.agreement_products_card,
        name="agreement_products_card",
    ),
    # Corporate tickets: the PTA's overview; a company's tab and its card on Min side (config.composition).
    path("billetter/", views.ticket_overview, name="ticket_overview"),
    path("bedrifter/<int:company_pk>/billetter/", views.company_tickets, name="company_tickets"),
    path("bedrifter/<int:company_pk>/billetter/ny/", views.ticket_create, name="ticket_create"),
    path("bedrifter/<int:company_pk>/billetter/<int:pk>/avbestill/", views.ticket_cancel, name="ticket_cancel"),
    path("bedrifter/<int:company_pk>/billetter/<int:pk>/avslutt/", views.ticket_end, name="ticket_end"),
    path("bedrifter/<int:company_pk>/billetter/lonnsrapport/", views.payroll_report, name="payroll_report"),
    # Staff: recalculate a month stored as reported (tickets.payroll.payroll_report_recalculate).
    path(
        "bedrifter/<int:company_pk>/billetter/lonnsrapport/beregn-pa-nytt/",
        views.payroll_recalculate,
        name="payroll_recalculate",
    ),
    path("bedrifter/<int:company_pk>/kort/billetter/", views.company_tickets_card, name="company_tickets_card"),
]
