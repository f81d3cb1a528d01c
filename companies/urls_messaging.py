from django.urls import path

from companies import views_messaging as views

urlpatterns = [
    path("<int:pk>/dokumenter/", views.company_documents, name="documents"),
    path("<int:pk>/dokumenter/last-opp/", views.document_upload, name="document_upload"),
    path("<int:pk>/dokumenter/<int:document_pk>/last-ned/", views.document_download, name="document_download"),
    path("<int:pk>/dokumenter/<int:document_pk>/slett/", views.document_delete, name="document_delete"),
    path("<int:pk>/meldinger/ny/", views.thread_create, name="thread_create"),
    path("<int:pk>/meldinger/<int:thread_pk>/", views.thread_detail, name="thread"),
    path("varsler/", views.notice_list, name="notices"),
    path("varsler/ny/", views.notice_create, name="notice_create"),
]
