from django.urls import path

from tokodesk.tracking import views

app_name = "tracking"

urlpatterns = [
    path("", views.events_view, name="events"),
    path("retry/", views.retry_view, name="retry"),
    path("import/", views.csv_view, name="csv"),
]
