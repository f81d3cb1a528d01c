from django.urls import path

from tickets import views_fulfilment

app_name = "fulfilment"

# The PTA's "Ticket delivery" page (tickets.views_fulfilment): staff see it, the PTA administrator changes it.
urlpatterns: list = [
    path("billettlevering/", views_fulfilment.fulfilment_settings, name="settings"),
    path("billettlevering/fil/", views_fulfilment.export, name="export"),
    path("billettlevering/ny-nokkel/", views_fulfilment.signing_key_new, name="new_key"),
    path("billettlevering/send/", views_fulfilment.publish, name="publish"),
]
