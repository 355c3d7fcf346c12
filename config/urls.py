from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from tokodesk.api.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:list", permanent=False)),
    path("accounts/", include("tokodesk.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("orders/", include("tokodesk.orders.urls")),
    path("exports/", include("tokodesk.exports.urls")),
    path("returns/", include("tokodesk.returns.urls")),
    path("", include("tokodesk.notifications.urls")),
    path("", include("tokodesk.storefront.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
