"""Landing page management for the owner and admins (`orders.assign_order`, which both
roles hold: deciding which agents get a page's orders is assigning orders)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tokodesk.orders.payment_options import method_labels
from tokodesk.storefront.forms import LandingPageForm
from tokodesk.storefront.models import LandingPage

PERMISSION = "orders.assign_order"


@login_required
@permission_required(PERMISSION, raise_exception=True)
def landing_pages_view(request):
    pages = (LandingPage.objects.select_related("product", "warehouse").prefetch_related("agents")
             .annotate(order_count=Count("orders")).order_by("name"))
    return render(request, "storefront/manage_list.html", {"nav": "landing_pages", "pages": pages,
                                                            "method_labels": method_labels()})


@login_required
@permission_required(PERMISSION, raise_exception=True)
def landing_page_edit_view(request, slug=None):
    page = get_object_or_404(LandingPage, slug=slug) if slug else None
    form = LandingPageForm(request.POST or None, instance=page)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save()
            if page is None:
                messages.success(request, _("Landing page “%(name)s” created.") % {"name": saved.name})
            else:
                messages.success(request, _("Landing page “%(name)s” saved.") % {"name": saved.name})
            return redirect("storefront:manage_list")
        status = 422
    else:
        status = 200
    context = {"nav": "landing_pages", "form": form, "page": page}
    context.update(_availability(form["product"].value(), form["warehouse"].value()))
    return render(request, "storefront/manage_edit.html", context, status=status)


def _availability(product_id, warehouse_id) -> dict:
    """What each variant of the chosen product has available in the chosen warehouse: the
    same numbers as the manual order (catalog.selectors.stocked_variants)."""
    from tokodesk.catalog.selectors import stocked_variants

    try:
        product_id, warehouse_id = int(product_id), int(warehouse_id)
    except (TypeError, ValueError):
        return {"availability": None}
    return {"availability": list(stocked_variants(warehouse_id, product_id=product_id).values())}


@login_required
@permission_required(PERMISSION, raise_exception=True)
def landing_page_availability_view(request):
    """The editor's availability panel, again when the product or the warehouse changes (htmx)."""
    context = _availability(request.GET.get("product"), request.GET.get("warehouse"))
    return render(request, "storefront/_manage_availability.html", context)
