from django.urls import path

from tokodesk.shipping.views import dispatch_accounts

app_name = "shipping"

urlpatterns = [
    path("couriers/", dispatch_accounts.courier_accounts_view, name="courier_accounts"),
]
