"""The shop's logo, public (landing pages, the order link and the settings page show it),
served by the one upload path (core.uploads.serve_upload)."""

from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from tokodesk.core.models import ShopSettings
from tokodesk.core.uploads import serve_upload


@require_GET
@cache_control(public=True, max_age=300)
def shop_logo_view(request):
    return serve_upload(ShopSettings.get().logo, filename="logo", attachment=False)
