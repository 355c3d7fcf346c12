from django.urls import path

from tokodesk.shipping.views import carriers, dispatch_accounts, rates

app_name = "shipping"

urlpatterns = [
    path("carriers/", carriers.carriers_view, name="carriers"),
    path("couriers/", dispatch_accounts.courier_accounts_view, name="courier_accounts"),
    path("rates/", rates.rates_view, name="rates"),
    path("rates/new/", rates.rate_edit_view, name="rate_new"),
    path("rates/<int:rate_id>/", rates.rate_edit_view, name="rate_edit"),
    path("rates/<int:rate_id>/delete/", rates.rate_delete_view, name="rate_delete"),
    path("rates/pricing/<slug:code>/", rates.pricing_view, name="pricing"),
    path("rates/import/", rates.rates_import_view, name="rates_import"),
    path("rates/export.csv", rates.rates_export_view, name="rates_export"),
    path("districts/", rates.districts_view, name="districts"),
]
