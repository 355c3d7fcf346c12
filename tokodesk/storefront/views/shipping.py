"""The buyer's shipping cost on a landing page, before the order is sent (JSON for
static/tokodesk/js/shipping_quote.js):

- GET /p/<slug>/districts/?q=cileung → [{id, label}] for the district search box
- GET /p/<slug>/shipping/?district=<id>&variant=<sku>&qty=<n>&payment_method=cod →
  {ok, shipping_cost, shipping_label, courier, service, eta, subtotal, total, total_label}

The cost is the cheapest option from the page's warehouse, the same the order gets when it
is sent (orders.services prices an order that has a destination and no shipping cost)."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tokodesk.catalog.models import Variant
from tokodesk.core.errors import NotFound
from tokodesk.core.models import ShopSettings
from tokodesk.core.money import format_money
from tokodesk.shipping.models import District
from tokodesk.shipping.quote import quote
from tokodesk.shipping.regions import search_districts
from tokodesk.storefront import services as storefront


def _page(slug):
    try:
        return storefront.public_page(slug)
    except NotFound as exc:
        raise Http404 from exc


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@require_GET
def districts_view(request, slug):
    _page(slug)
    q = request.GET.get("q", "")[:100]
    if len(q.strip()) < 2:
        return JsonResponse({"results": []})
    found = search_districts(q, limit=12)
    return JsonResponse({"results": [{"id": d.pk, "label": d.label} for d in found]})


@require_GET
def shipping_view(request, slug):
    page = _page(slug)
    district = (
        District.objects.select_related("city", "province")
        .filter(pk=_int(request.GET.get("district"), 0))
        .first()
    )
    if district is None:
        return JsonResponse(
            {"ok": False, "field": "district", "message": _("Choose your district from the list.")},
            status=422,
        )
    qty = min(max(_int(request.GET.get("qty"), 1), 1), 999)
    variant = Variant.objects.filter(
        product_id=page.product_id, sku=request.GET.get("variant", "")[:64], active=True
    ).first()
    currency = ShopSettings.get().currency
    subtotal, weight, warehouse = 0, 1000, page.warehouse
    if variant is not None:
        stock = storefront._stock_by_variant(page, [variant.pk]).get(variant.pk)
        warehouse = stock.warehouse if stock else page.warehouse
        subtotal, weight = variant.price * qty, (variant.weight_grams or 0) * qty
    options = quote(
        district,
        weight,
        warehouse=warehouse,
        payment_method=request.GET.get("payment_method", "")[:20],
        value=subtotal,
    )
    if not options:
        return JsonResponse(
            {
                "ok": False,
                "district": district.label,
                "message": _("Our admin confirms the shipping cost to %(district)s.")
                % {"district": district.label},
            }
        )
    best = options[0]
    return JsonResponse(
        {
            "ok": True,
            "district": district.label,
            "shipping_cost": best.price,
            "shipping_label": format_money(best.price, currency),
            "courier": best.courier_name,
            "service": best.service,
            "eta": _("%(days)s days") % {"days": best.eta_label},
            "subtotal": subtotal,
            "total": subtotal + best.price,
            "total_label": format_money(subtotal + best.price, currency),
        }
    )
