from django.urls import path

from tokodesk.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_create, name="create"),
    path("<int:pk>/", views.subscription_detail, name="detail"),
    path("<int:pk>/edit/", views.subscription_edit, name="edit"),
    path("<int:pk>/delete/", views.subscription_delete, name="delete"),
    path("<int:pk>/ping/", views.subscription_ping, name="ping"),
    path("<int:pk>/secret/", views.subscription_roll_secret, name="roll_secret"),
    path("deliveries/<int:pk>/resend/", views.delivery_resend, name="resend"),
]
