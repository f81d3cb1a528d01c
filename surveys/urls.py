from django.urls import path

from surveys import views_rounds as views

app_name = "surveys"

company = "bedrifter/<int:company_pk>/undersokelser/"

urlpatterns = [
    path("undersokelser/", views.index, name="index"),
    path("undersokelser/ny/", views.rounds_start_many, name="rounds_start_many"),
    path("undersokelser/runder/<int:pk>/", views.round_detail, name="round_detail"),
    path("undersokelser/runder/<int:pk>/fremdrift/", views.round_progress, name="round_progress"),
    path("undersokelser/sporreskjema/", views.questionnaire, name="questionnaire"),
    path("undersokelser/sporreskjema/ny-sporsmal/", views.local_question_add, name="local_question_add"),
    path("undersokelser/sporreskjema/<str:key>/fjern/", views.local_question_remove, name="local_question_remove"),
    path(company, views.company_rounds, name="company_rounds"),
    path(f"{company}ny/", views.round_start, name="round_start"),
]
