from django.urls import path

from tokodesk.shipping.views import dispatch, dispatch_accounts

app_name = "shipping"

urlpatterns = [
    path("dispatch/", dispatch.dispatch_view, name="dispatch"),
    path("dispatch/book/", dispatch.book_view, name="dispatch_book"),
    path("dispatch/awb/", dispatch.awb_view, name="dispatch_awb"),
    path("dispatch/csv/", dispatch.csv_view, name="dispatch_csv"),
    path("couriers/", dispatch_accounts.courier_accounts_view, name="courier_accounts"),
]
