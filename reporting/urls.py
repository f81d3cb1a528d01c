from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    # Cards on the staff's start page (config.composition.TODAY_CARDS).
    path("i-dag/kort/utvikling/", views.today_trend_card, name="today_trend_card"),
    path("i-dag/kort/mal/", views.today_targets_card, name="today_targets_card"),
]
