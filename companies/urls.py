from django.urls import include, path

from companies import views

app_name = "companies"

urlpatterns = [
    path("", views.company_list, name="list"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/kontaktpersoner/", views.company_contacts, name="contacts"),
    path("<int:pk>/historikk/", views.company_history, name="history"),
    path("", include("companies.urls_messaging")),
]
