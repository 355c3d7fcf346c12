"""The returns page (Retur Pesanan): tabs per status with counts, filters and search in the
URL, keyset pages, the SPEC 3.3 columns and a row menu from the return table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tokodesk.core.chips import filter_chips
from tokodesk.core.errors import ValidationFailed
from tokodesk.returns import list_values, selectors
from tokodesk.returns.forms import ReturnFilterForm
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.states import Status
from tokodesk.returns.views.common import RowUrls, row_for

# Tab names are plural in some languages where the status is singular, hence their context.
TAB_LABELS = {
    "all": pgettext_lazy("returns tab", "All"), "requested": pgettext_lazy("returns tab", "Requested"),
    "draft": pgettext_lazy("returns tab", "Draft"), "awaiting_item": pgettext_lazy("returns tab", "Awaiting item"),
    "on_hold": pgettext_lazy("returns tab", "On hold"), "item_received": pgettext_lazy("returns tab", "Item received"),
    "completed": pgettext_lazy("returns tab", "Completed"), "rejected": pgettext_lazy("returns tab", "Rejected"),
    "cancelled": pgettext_lazy("returns tab", "Cancelled"),
}
TABS = ["all", *Status.values]
# Requests from customers wait for the seller: their tab stands out when not empty.
ATTENTION = {"requested"}
COLUMNS = [
    ("reference", _("Return")), ("order", _("Order ID")), ("customer", _("Customer")), ("status", _("Status")),
    ("requested", _("Request date")), ("items", _("Items")), ("resolution", _("Resolution")),
    ("responsible", _("Responsible")), ("target_date", _("Target date")),
]
PAGE_SIZES = (25, 50, 100)
# The page's returns as rows of values with their lines (issue 16): no Return instance; the
# row template, badge and menu read them as they read a Return.
page_rows = list_values.return_rows


def build_rows(returns, user, returns_enabled: bool):
    urls = RowUrls()
    return [row_for(r, user, returns_enabled, urls) for r in returns]


@login_required
@permission_required("returns.view_return", raise_exception=True)
def return_list_view(request):
    states = list(selectors.custom_states())
    form = ReturnFilterForm(request.GET or None, states=states)
    filters = selectors.ReturnFilters()
    sort = "-created_at"
    valid = form.is_bound and form.is_valid()
    # A filter value that is not valid selects nothing (the error stands next to it): never
    # dropped, which would widen the list to every return.
    invalid = form.is_bound and not valid
    if valid:
        filters = selectors.ReturnFilters(**form.filter_values())
        sort = form.cleaned_data.get("sort") or sort
    tab = filters.status[0] if filters.status else "all"
    if invalid and form.data.get("status") in TABS:
        tab = form.data.get("status")
    try:
        limit = int(request.GET.get("limit", 50))
    except ValueError:
        limit = 50
    limit = limit if limit in PAGE_SIZES else 50
    cursor = request.GET.get("cursor") or None
    if invalid:
        returns, next_cursor = [], None
        counts = dict.fromkeys(TABS, 0)
    else:
        try:
            returns, next_cursor = page_rows(user=request.user, filters=filters, sort=sort, cursor=cursor,
                                             limit=limit)
        except ValidationFailed:
            cursor = None
            returns, next_cursor = page_rows(user=request.user, filters=filters, sort=sort, limit=limit)
        counts = selectors.status_counts(user=request.user, filters=filters)
    enabled = ReturnSettings.get().returns_enabled

    params = request.GET.copy()
    params.pop("cursor", None)
    tab_params = params.copy()
    tab_params.pop("status", None)
    active_filters = filter_chips(form, form.filter_values(), skip=("status",)) if valid else []
    context = {
        "nav": "returns",
        "form": form,
        "tabs": [{"key": t, "label": TAB_LABELS[t], "count": counts[t], "active": t == tab,
                  "attention": t in ATTENTION and counts[t] > 0} for t in TABS],
        "tab": tab,
        "tab_query": tab_params.urlencode(),
        "rows": build_rows(returns, request.user, enabled),
        "columns": COLUMNS,
        "next_cursor": next_cursor,
        "is_first_page": not cursor,
        "base_query": params.urlencode(),
        "active_filters": active_filters,
        "can_create": enabled and request.user.has_perm("returns.add_return"),
        "returns_off": not enabled,
        "filter_invalid": invalid,
        "can_goodwill": request.user.has_perm("returns.manage_refunds"),
    }
    template = "returns/_results.html" if request.headers.get("HX-Target") == "results" else "returns/list.html"
    return render(request, template, context)

