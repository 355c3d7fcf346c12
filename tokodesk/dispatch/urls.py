from django.urls import path

from tokodesk.dispatch import views

app_name = "dispatch"

urlpatterns = [
    path("", views.dispatch_view, name="dispatch"),
    path("book/", views.book_view, name="book"),
    path("awb/", views.awb_view, name="awb"),
    path("csv/", views.csv_view, name="csv"),
]
