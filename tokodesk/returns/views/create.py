"""Create a return from an order (Tambah): the seller types or pastes the order reference
or invoice number, then picks the items and quantities (only what can still be returned),
the customer's reason, the resolution, who is responsible and by when. The draft is made
by `services.return_create`, the same call as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError
from tokodesk.returns import selectors, services
from tokodesk.returns.forms import OrderLookupForm, ReturnCreateForm
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.states import RETURNABLE_ORDER_STATUSES


def find_order(user, ref: str):
    """The order by reference or invoice number, among those the user may return."""
    ref = (ref or "").strip()
    if not ref:
        return None, None
    orders = selectors.return_orders_for(user)
    order = orders.select_related("customer", "warehouse").filter(reference=ref.upper()).first()
    if order is None:
        found = list(orders.select_related("customer", "warehouse").filter(invoice_number=ref)[:2])
        if len(found) > 1:
            return None, _("Several orders have the number %(ref)s: use the order reference.") % {"ref": ref[:60]}
        order = found[0] if found else None
    if order is None:
        return None, _("Order %(reference)s not found.") % {"reference": ref[:60]}
    return order, None


def order_notice(order, user) -> tuple[str | None, bool]:
    """Why the order cannot take a return now (and whether that blocks the form)."""
    settings_row = ReturnSettings.get()
    if not settings_row.returns_enabled:
        return _("Returns are turned off in the shop settings."), True
    if order.status not in RETURNABLE_ORDER_STATUSES:
        return _("%(reference)s is “%(status)s”: only a delivered or completed order can be returned.") % {
            "reference": order.reference, "status": order.get_status_display()}, True
    end = services.window_end(order, settings_row)
    if end is not None and timezone.now() > end:
        date = timezone.localtime(end).date()
        if user.has_perm("returns.override_return_window"):
            return _("The return window ended on %(date)s; you may still create this return.") % {
                "date": date.isoformat()}, False
        return _("The return window ended on %(date)s.") % {"date": date.isoformat()}, True
    return None, False


@login_required
@permission_required("returns.add_return", raise_exception=True)
def return_create_view(request):
    ref = (request.POST.get("order") if request.method == "POST" else request.GET.get("order")) or ""
    context = {"nav": "returns", "lookup": OrderLookupForm(initial={"order": ref}), "ref": ref.strip()}
    order, error = find_order(request.user, ref)
    if order is None:
        context["lookup_error"] = error
        return render(request, "returns/create.html", context, status=404 if error and request.method == "POST" else 200)
    notice, blocked = order_notice(order, request.user)
    returnable = selectors.returnable_lines(order)
    context.update(order=order, notice=notice, blocked=blocked,
                   nothing_left=not any(left for _line, left in returnable))
    if request.method == "POST" and not blocked:
        form = ReturnCreateForm(request.POST, order=order, returnable=returnable)
        if form.is_valid():
            try:
                ret = services.return_create(data=form.to_input(), actor=request.user, source="web")
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Return %(reference)s created (draft).") % {"reference": ret.reference})
                return redirect("returns:detail", reference=ret.reference)
        context["form"] = form
        return render(request, "returns/create.html", context, status=422)
    context["form"] = ReturnCreateForm(order=order, returnable=returnable)
    return render(request, "returns/create.html", context)
