from django.urls import path

from surveys import views_answer as views

app_name = "survey_answer"

urlpatterns = [
    # The employee's pages, without an account (config.middleware leaves /undersokelse/ open).
    path("undersokelse/<str:token>/", views.answer, name="answer"),
    path("undersokelse/<str:token>/takk/", views.done, name="done"),
    path("undersokelse/<str:token>/avmeld/", views.opt_out, name="opt_out"),
]
