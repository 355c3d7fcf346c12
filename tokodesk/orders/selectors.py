"""Reads of orders: the scoped queryset, the filtered list with keyset pagination, tab
counts and the detail. Query counts do not grow with the page size."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed
from tokodesk.customers.phones import phone_search_key
from tokodesk.orders.models import Order, OrderEvent, OrderLine, Tag
from tokodesk.orders.states import AWAITING_SHIPMENT, TABS, PaymentMethod, Status


def order_queryset_for(user) -> QuerySet[Order]:
    """Orders this user may see: all of them, or (agents) only the ones assigned to them.
    `None` is the system (worker, courier webhooks) and sees everything."""
    qs = Order.objects.all()
    if user is None:
        return qs
    if user.has_perm("orders.view_all_orders"):
        return qs
    if user.has_perm("orders.view_order"):
        return qs.filter(assigned_agent=user)
    return qs.none()


@dataclass
class OrderFilters:
    tab: str | None = None
    status: list[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    agent: str | None = None
    landing_page: str | None = None
    warehouse: str | None = None
    courier: str | None = None
    payment_method: str | None = None
    tag: str | None = None
    channel: str | None = None
    min_total: int | None = None
    max_total: int | None = None
    q: str | None = None


def tab_q(tab: str, now=None) -> Q:
    """The condition of one tab of SPEC 2.3."""
    if tab not in TABS:
        raise ValidationFailed("invalid_input", _("Unknown tab."), fields={"tab": _("Unknown tab.")})
    if tab == "all":
        return Q()
    q = Q(status__in=TABS[tab])
    if tab == "pending":
        # A confirmed COD order waits for the warehouse, not for the buyer: it is "To Ship".
        q &= ~Q(status=Status.CONFIRMED, payment_method=PaymentMethod.COD)
    elif tab == "to_ship":
        q |= Q(status=Status.CONFIRMED, payment_method=PaymentMethod.COD)
    elif tab == "action_needed":
        q |= Q(status__in=AWAITING_SHIPMENT, ship_by__lt=now or timezone.now())
    return q


def _local_day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_orders(qs: QuerySet[Order], f: OrderFilters) -> QuerySet[Order]:
    if f.tab:
        qs = qs.filter(tab_q(f.tab))
    if f.status:
        unknown = [s for s in f.status if s not in Status.values]
        if unknown:
            raise ValidationFailed("invalid_input", _("Unknown status."), fields={"status": ", ".join(unknown)[:100]})
        qs = qs.filter(status__in=f.status)
    if f.date_from and f.date_from > dt.date.min:
        qs = qs.filter(created_at__gte=_local_day_start(f.date_from))
    if f.date_to and f.date_to < dt.date.max - dt.timedelta(days=1):
        qs = qs.filter(created_at__lt=_local_day_start(f.date_to + dt.timedelta(days=1)))
    if f.agent:
        qs = qs.filter(assigned_agent__isnull=True) if f.agent == "none" else qs.filter(assigned_agent__username=f.agent)
    if f.landing_page:
        qs = qs.filter(landing_page__slug=f.landing_page)
    if f.warehouse:
        qs = qs.filter(warehouse__code=f.warehouse)
    if f.courier:
        qs = qs.filter(courier__code=f.courier)
    if f.payment_method:
        qs = qs.filter(payment_method=f.payment_method)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.tag:
        tag_id = Tag.objects.filter(name=f.tag).values_list("pk", flat=True).first()
        qs = qs.filter(tags=tag_id) if tag_id else qs.none()
    if f.min_total is not None:
        qs = qs.filter(total__gte=f.min_total)
    if f.max_total is not None:
        qs = qs.filter(total__lte=f.max_total)
    if f.q and f.q.strip():
        qs = qs.filter(search_q(f.q.strip()))
    return qs


def search_q(term: str) -> Q:
    """Reference and AWB match exactly, a phone in any form matches its E.164, a name by
    fragment."""
    term = term[:100]
    q = Q(reference=term.upper()) | Q(awb=term) | Q(recipient_name__icontains=term)
    phone = phone_search_key(term)
    if phone:
        q |= Q(recipient_phone=phone)
    return q


SORTS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-total": ("-total", "-id"),
    "total": ("total", "id"),
}


def _encode_cursor(values) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        pk = int(pk)
        if sort.lstrip("-") == "created_at":
            value = dt.datetime.fromisoformat(value)
        else:
            value = int(value)
        return value, pk
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ValidationFailed("invalid_input", _("Invalid cursor."), fields={"cursor": _("Invalid cursor.")}) from None


def with_list_relations(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("warehouse", "courier", "landing_page", "assigned_agent").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
    )


def order_list(*, user, filters: OrderFilters, sort: str = "-created_at", cursor: str | None = None,
               limit: int = 50) -> tuple[list[Order], str | None]:
    """One page of orders and the cursor of the next page (keyset: cost does not grow
    with depth)."""
    if sort not in SORTS:
        raise ValidationFailed("invalid_input", _("Unknown sort."), fields={"sort": ", ".join(SORTS)})
    field = sort.lstrip("-")
    desc = sort.startswith("-")
    qs = filter_orders(order_queryset_for(user), filters)
    if cursor:
        value, pk = _decode_cursor(cursor, sort)
        if desc:
            qs = qs.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "id__lt": pk}))
        else:
            qs = qs.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "id__gt": pk}))
    page = list(with_list_relations(qs.order_by(*SORTS[sort]))[: limit + 1])
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        next_cursor = _encode_cursor([getattr(last, field), last.pk])
    return page, next_cursor


def tab_counts(*, user, filters: OrderFilters | None = None) -> dict[str, int]:
    """The count of every tab under the other filters, in one query."""
    filters = filters or OrderFilters()
    base = filter_orders(order_queryset_for(user), OrderFilters(**{**filters.__dict__, "tab": None}))
    now = timezone.now()
    return base.aggregate(**{tab: Count("pk", filter=tab_q(tab, now)) for tab in TABS})


def order_get(*, user, reference: str) -> Order | None:
    return with_list_relations(order_queryset_for(user)).filter(reference=reference).prefetch_related(
        "payments", "notes__author").select_related("customer").first()


def order_timeline(*, order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor").order_by("created_at", "id")
