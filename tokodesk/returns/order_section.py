"""The Returns section of the order detail page (and its "Create return" button): the
returns app registers it with core.sections in ReturnsConfig.ready(), so the orders page
shows it without orders importing returns."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery, Sum

from tokodesk.returns.models import Return, ReturnLine
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.selectors import return_queryset_for
from tokodesk.returns.states import RETURNABLE_ORDER_STATUSES


def order_returns(order, user) -> tuple[list[Return], Return | None]:
    """The returns of this order the user may see (oldest first, each with `items` = the
    quantity on its lines and its replacement order), and the return this order replaces
    when it is an exchange's replacement order. One query, however many returns, and
    none for an order that cannot have any: returns are made of delivered or completed
    orders (neither status is ever left but for completed), and a replacement order
    carries its return's reference as `external_reference`."""
    if order.status not in RETURNABLE_ORDER_STATUSES and not order.external_reference:
        return [], None
    items = (
        ReturnLine.objects.filter(return_order=OuterRef("pk"))
        .order_by()
        .values("return_order")
        .annotate(total=Sum("qty"))
        .values("total")
    )
    rows = list(
        return_queryset_for(user)
        .filter(Q(order=order) | Q(replacement_order=order))
        .select_related("order", "custom_state", "replacement_order")
        .annotate(items=Subquery(items))
        .order_by("created_at", "id")
    )
    own = [r for r in rows if r.order_id == order.pk]
    replaces = next((r for r in rows if r.replacement_order_id == order.pk), None)
    return own, replaces


def _create_return(order, user) -> dict:
    """Whether to offer "Create return": a delivered or completed order, a user who may
    create returns, and returns turned on in the settings (read only then)."""
    if order.status not in RETURNABLE_ORDER_STATUSES or not user.has_perm("returns.add_return"):
        return {"can_create_return": False, "returns_disabled": False}
    enabled = ReturnSettings.get().returns_enabled
    return {"can_create_return": enabled, "returns_disabled": not enabled}


def order_detail_section(*, order, user, **_) -> dict | None:
    """The section's data: the order's returns, the return it replaces, whether to offer
    "Create return"; None when there is nothing to show."""
    returns, replaces = order_returns(order, user)
    show = (
        bool(returns)
        or replaces is not None
        or (order.status in RETURNABLE_ORDER_STATUSES and user.has_perm("returns.view_return"))
    )
    create = _create_return(order, user)
    if not show and not create["can_create_return"]:
        return None
    return {
        "returns": returns,
        "replaces_return": replaces,
        **create,
        "body": show,
        "head": create["can_create_return"],
    }
