from django.urls import path

from reporting import views_effects

app_name = "effects"

urlpatterns = [
    # The report's effect model (Forventede effekter I and II), on a GET form.
    path("", views_effects.calculator, name="calculator"),
]
