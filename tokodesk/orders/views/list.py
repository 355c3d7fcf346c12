"""The orders page: tabs with counts, list or card view, filters, search, keyset pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from tokodesk.core.errors import ValidationFailed
from tokodesk.orders import selectors
from tokodesk.orders.forms import OrderFilterForm
from tokodesk.orders.states import ORDER_TRANSITIONS, TABS
from tokodesk.orders.views.common import COLUMN_KEYS, COLUMNS, DEFAULT_HIDDEN, menu_for

# Tab names are plural in some languages where the status is singular ("Terminées" vs
# "Terminée"), hence their own context.
TAB_LABELS = {
    "all": pgettext_lazy("orders tab", "All"), "pending": pgettext_lazy("orders tab", "Pending"),
    "to_ship": pgettext_lazy("orders tab", "To ship"), "shipped": pgettext_lazy("orders tab", "Shipped"),
    "completed": pgettext_lazy("orders tab", "Completed"), "cancelled": pgettext_lazy("orders tab", "Cancelled"),
    "action_needed": pgettext_lazy("orders tab", "Action needed"),
}
PAGE_SIZES = (25, 50, 100)


def _view_mode(request) -> str:
    mode = request.GET.get("view")
    if mode in ("list", "card"):
        request.session["orders_view"] = mode
    return request.session.get("orders_view", "list")


def hidden_columns(request) -> list[str]:
    return request.session.get("orders_hidden_columns", DEFAULT_HIDDEN)


def build_rows(orders, user):
    return [{"order": o, "menu": menu_for(o, user)} for o in orders]


@login_required
@permission_required("orders.view_order", raise_exception=True)
def order_list_view(request):
    form = OrderFilterForm(request.GET or None, user=request.user)
    filters = selectors.OrderFilters()
    sort = "-created_at"
    if form.is_bound and form.is_valid():
        filters = selectors.OrderFilters(**form.filter_values())
        sort = form.cleaned_data.get("sort") or sort
    tab = filters.tab or "all"
    filters.tab = tab
    try:
        limit = int(request.GET.get("limit", 50))
    except ValueError:
        limit = 50
    limit = limit if limit in PAGE_SIZES else 50
    cursor = request.GET.get("cursor") or None
    try:
        orders, next_cursor = selectors.order_list(user=request.user, filters=filters, sort=sort, cursor=cursor,
                                                   limit=limit)
    except ValidationFailed:
        orders, next_cursor = selectors.order_list(user=request.user, filters=filters, sort=sort, limit=limit)
    counts = selectors.tab_counts(user=request.user, filters=filters)

    params = request.GET.copy()
    for key in ("cursor", "view"):
        params.pop(key, None)
    base_query = params.urlencode()
    tab_params = params.copy()
    tab_params.pop("tab", None)
    active_filters = [
        (form.fields[name].label, value) for name, value in (form.filter_values().items() if form.is_bound and form.is_valid() else [])
        if name not in ("tab",)
    ]
    hidden = hidden_columns(request)
    context = {
        "nav": "orders",
        "form": form,
        "tabs": [{"key": t, "label": TAB_LABELS[t], "count": counts[t], "active": t == tab} for t in TABS],
        "tab": tab,
        "tab_query": tab_params.urlencode(),
        "rows": build_rows(orders, request.user),
        "next_cursor": next_cursor,
        "is_first_page": not cursor,
        "base_query": base_query,
        "view_mode": _view_mode(request),
        "columns": [(k, label) for k, label in COLUMNS if k not in hidden],
        "all_columns": [(k, label, k not in hidden) for k, label in COLUMNS],
        "active_filters": active_filters,
        "limit": limit,
        "can_bulk": bool(request.user.has_perm("orders.process_order") or request.user.has_perm("orders.ship_order")
                         or request.user.has_perm("orders.manage_payments")),
        "can_create": request.user.has_perm("orders.add_order"),
        "bulk_actions": [t for t in ORDER_TRANSITIONS if request.user.has_perm(t.permission)],
    }
    template = "orders/_results.html" if request.headers.get("HX-Target") == "results" else "orders/list.html"
    return render(request, template, context)


@login_required
@require_POST
def set_columns(request):
    """Show or hide columns of the list (remembered in the session)."""
    shown = set(request.POST.getlist("columns")) | {"reference"}
    request.session["orders_hidden_columns"] = [k for k in COLUMN_KEYS if k not in shown]
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(request.POST.get("next") or "orders:list")
