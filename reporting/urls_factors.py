from django.urls import path

from reporting import views_factors

app_name = "emission_factors"

urlpatterns = [
    path("utslippsfaktorer/", views_factors.index, name="index"),
    path("utslippsfaktorer/ny/", views_factors.override_add, name="override_add"),
    path("utslippsfaktorer/<int:pk>/fjern/", views_factors.override_remove, name="override_remove"),
]
