from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("bedrifter/<int:pk>/aktiviteter/", views.company_activities, name="company"),
    path("bedrifter/<int:pk>/aktiviteter/ny/", views.activity_create, name="create"),
    path("aktiviteter/", views.month_list, name="month"),
    path("aktiviteter/kalender/", views.month_calendar, name="calendar"),
    path("aktiviteter/kalender/abonner/", views.feed_subscribe, name="subscribe"),
    path("aktiviteter/etter-skjema/", views.behind_list, name="behind"),
    path("aktiviteter/kort/i-dag/", views.today_card, name="today_card"),
    path("aktiviteter/ical/<str:token>.ics", views.ical_feed, name="ical"),
    path("aktiviteter/<int:pk>/", views.activity_edit, name="edit"),
    path("aktiviteter/<int:pk>/utfort/", views.activity_done, name="done"),
    path("aktiviteter/<int:pk>/avlys/", views.activity_cancel, name="cancel"),
]
