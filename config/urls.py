from django.contrib import admin
from django.urls import include, path

from tokodesk.ops.api import api
from tokodesk.ops.first_run import first_run_view
from tokodesk.orders.views import landing

urlpatterns = [
    path("", landing.home_view, name="home"),
    path("accounts/", include("tokodesk.accounts.urls")),
    path("welcome/", first_run_view, name="first_run"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("orders/", include("tokodesk.orders.urls")),
    path("catalog/", include("tokodesk.catalog.urls")),
    path("exports/", include("tokodesk.exports.urls")),
    path("returns/", include("tokodesk.returns.urls")),
    path("payments/", include("tokodesk.payments.urls")),
    path("shipping/dispatch/", include("tokodesk.dispatch.urls")),
    path("shipping/tracking/", include("tokodesk.tracking.urls")),
    path("shipping/", include("tokodesk.shipping.urls")),
    path("stock/", include("tokodesk.catalog.stock_urls")),
    path("webhooks/", include("tokodesk.webhooks.urls")),
    path("", include("tokodesk.notifications.urls")),
    path("", include("tokodesk.storefront.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# JSON under /api/v1/, Django's pages elsewhere (tokodesk/core/api/guard.py).
handler400 = "tokodesk.core.api.guard.bad_request"
handler403 = "tokodesk.core.api.guard.permission_denied"
handler404 = "tokodesk.core.api.guard.page_not_found"
handler500 = "tokodesk.core.api.guard.server_error"
