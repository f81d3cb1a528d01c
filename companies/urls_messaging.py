from django.urls import path

from companies import views_messaging

urlpatterns = [
    path("<int:pk>/dokumenter/", views_messaging.company_documents, name="documents"),
]
