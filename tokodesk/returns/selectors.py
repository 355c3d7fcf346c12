"""Reads of returns: the scoped querysets, the filtered list with keyset pagination, the
detail, what an order can still return, the statuses for API clients and the customer's
store-credit ledger. Query counts do not grow with the page size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core.cursors import decode_cursor, encode_cursor
from tokodesk.core.errors import ValidationFailed
from tokodesk.customers.phones import phone_search_key
from tokodesk.orders.models import Order, OrderLine
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import (
    CustomState,
    Refund,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnReason,
)
from tokodesk.returns.states import INVENTREE_STATUS, NOT_COUNTED, OPEN, Resolution, Status


def return_orders_for(user) -> QuerySet[Order]:
    """Orders this user may make (and see) returns of. `return_order` permissions work on
    their own: `view_all_returns` reaches every order, without any order permission."""
    if user is None or user.has_perm("returns.view_all_returns"):
        return Order.objects.all()
    if user.has_perm("returns.view_return"):
        return order_queryset_for(user)
    return Order.objects.none()


def return_queryset_for(user) -> QuerySet[Return]:
    """Returns this user may see: all, or (agents) those of the orders assigned to them.
    `None` is the system (worker, the customer's order link)."""
    qs = Return.objects.all()
    if user is None or user.has_perm("returns.view_all_returns"):
        return qs
    if user.has_perm("returns.view_return"):
        return qs.filter(order__in=order_queryset_for(user))
    return qs.none()


@dataclass
class ReturnFilters:
    status: list[str] | None = None
    custom_state: str | None = None  # id or label
    resolution: str | None = None
    responsible: str | None = None  # "user:NAME", "group:NAME", a user or group name, or "none"
    date_from: dt.date | None = None  # request date
    date_to: dt.date | None = None
    target_from: dt.date | None = None
    target_to: dt.date | None = None
    order: str | None = None  # order reference
    q: str | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_returns(qs: QuerySet[Return], f: ReturnFilters) -> QuerySet[Return]:
    if f.status:
        unknown = [s for s in f.status if s not in Status.values]
        if unknown:
            raise ValidationFailed("invalid_input", _("Unknown status."), fields={"status": ", ".join(unknown)[:100]})
        qs = qs.filter(status__in=f.status)
    if f.custom_state:
        value = f.custom_state.strip()
        qs = qs.filter(custom_state_id=int(value)) if value.isdigit() else qs.filter(custom_state__label=value)
    if f.resolution:
        if f.resolution not in Resolution.values:
            raise ValidationFailed("invalid_input", _("Unknown resolution."), fields={"resolution": _("Unknown.")})
        qs = qs.filter(resolution=f.resolution)
    if f.responsible:
        qs = qs.filter(_responsible_q(f.responsible.strip()))
    if f.date_from and f.date_from > dt.date.min:
        qs = qs.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to and f.date_to < dt.date.max - dt.timedelta(days=1):
        qs = qs.filter(created_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.target_from:
        qs = qs.filter(target_date__gte=f.target_from)
    if f.target_to:
        qs = qs.filter(target_date__lte=f.target_to)
    if f.order:
        qs = qs.filter(order__reference=f.order.strip().upper())
    if f.q and f.q.strip():
        qs = qs.filter(search_q(f.q.strip()))
    return qs


def _responsible_q(value: str) -> Q:
    if value == "none":
        return Q(responsible_user__isnull=True, responsible_group__isnull=True)
    kind, _sep, name = value.partition(":")
    if kind == "user" and name:
        return Q(responsible_user__username=name)
    if kind == "group" and name:
        return Q(responsible_group__name=name)
    return Q(responsible_user__username=value) | Q(responsible_group__name=value)


def search_q(term: str) -> Q:
    """Return or order reference and invoice number exactly, a phone in any form, a
    customer name by fragment."""
    term = term[:100]
    q = (Q(reference=term.upper()) | Q(order__reference=term.upper()) | Q(order__invoice_number=term)
         | Q(customer__name__icontains=term))
    phone = phone_search_key(term)
    if phone:
        q |= Q(customer__phone=phone) | Q(order__recipient_phone=phone)
    return q


SORTS = {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")}


def _encode_cursor(values) -> str:
    return encode_cursor(values)


def _decode_cursor(cursor: str):
    return decode_cursor(cursor, "datetime")


def with_list_relations(qs: QuerySet[Return]) -> QuerySet[Return]:
    return qs.select_related(
        "order", "customer", "reason", "custom_state", "responsible_user", "responsible_group", "replacement_order",
    ).prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.order_by("id")))


def return_list(*, user, filters: ReturnFilters, sort: str = "-created_at", cursor: str | None = None,
                limit: int = 50) -> tuple[list[Return], str | None]:
    """One page of returns and the cursor of the next page (keyset pagination)."""
    if sort not in SORTS:
        raise ValidationFailed("invalid_input", _("Unknown sort."), fields={"sort": ", ".join(SORTS)})
    qs = filter_returns(return_queryset_for(user), filters)
    if cursor:
        value, pk = _decode_cursor(cursor)
        if sort.startswith("-"):
            qs = qs.filter(Q(created_at__lt=value) | Q(created_at=value, id__lt=pk))
        else:
            qs = qs.filter(Q(created_at__gt=value) | Q(created_at=value, id__gt=pk))
    page = list(with_list_relations(qs.order_by(*SORTS[sort]))[: limit + 1])
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        next_cursor = _encode_cursor([page[-1].created_at.isoformat(), page[-1].pk])
    return page, next_cursor


def status_counts(*, user, filters: ReturnFilters | None = None) -> dict[str, int]:
    """How many returns in each status (for the list's tabs), under the other filters."""
    from django.db.models import Count

    filters = filters or ReturnFilters()
    base = filter_returns(return_queryset_for(user), ReturnFilters(**{**filters.__dict__, "status": None}))
    counts = base.aggregate(all=Count("pk"), **{s: Count("pk", filter=Q(status=s)) for s in Status.values})
    return counts


def return_get(*, user, reference: str) -> Return | None:
    """One return with everything its detail shows."""
    return with_list_relations(return_queryset_for(user)).filter(reference=reference).prefetch_related(
        "extra_lines", "photos", "messages__author",
        Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "id")),
    ).select_related("order__assigned_agent", "restock_warehouse", "recreated_from").first()


def return_timeline(*, ret: Return) -> QuerySet[ReturnEvent]:
    return ret.events.select_related("actor").order_by("created_at", "id")


def returned_qty_by_line(order_id: int, *, exclude_return_id: int | None = None) -> dict[int, int]:
    """Per order line, the quantity in returns that count (not cancelled or rejected)."""
    qs = ReturnLine.objects.filter(order_line__order_id=order_id).exclude(return_order__status__in=NOT_COUNTED)
    if exclude_return_id:
        qs = qs.exclude(return_order_id=exclude_return_id)
    return dict(qs.values("order_line_id").annotate(total=Sum("qty")).values_list("order_line_id", "total"))


def returnable_lines(order: Order) -> list[tuple[OrderLine, int]]:
    """Each line of the order with the quantity that can still be returned (the create
    page offers only these)."""
    taken = returned_qty_by_line(order.pk)
    return [(line, max(line.qty - taken.get(line.pk, 0), 0)) for line in order.lines.order_by("id")]


def return_reasons(*, include_inactive: bool = False) -> QuerySet[ReturnReason]:
    qs = ReturnReason.objects.all()
    return qs if include_inactive else qs.filter(active=True)


def custom_states() -> QuerySet[CustomState]:
    return CustomState.objects.all()


def statuses() -> list[dict]:
    """The return statuses with their InvenTree code and the custom states offered on each
    (active ones)."""
    customs: dict[str, list] = {}
    for cs in CustomState.objects.filter(active=True):
        customs.setdefault(cs.status, []).append({"id": cs.id, "label": cs.display_label, "color": cs.color})
    return [
        {"code": code, "label": str(label), "inventree": inventree(code), "custom_states": customs.get(code, [])}
        for code, label in Status.choices
    ]


def inventree(status: str) -> dict:
    code, name, label = INVENTREE_STATUS[status]
    return {"code": code, "name": name, "label": label}


def store_credit_balance(customer_id: int) -> int:
    """The customer's store-credit balance (minor units)."""
    return StoreCreditEntry.objects.balance_of(customer_id)


def store_credit_ledger(customer_id: int) -> list[StoreCreditEntry]:
    """The ledger, oldest first, each entry with `running_balance` after it."""
    return list(StoreCreditEntry.objects.filter(customer_id=customer_id).with_running_balance()
                .select_related("return_order", "order", "created_by"))


# --- the calendar (the returns calendar page and the ICS feed of notifications) -----------


def calendar_returns(user, *, include_completed: bool = False, start: dt.date | None = None,
                     end: dt.date | None = None) -> QuerySet[Return]:
    """Returns this user may see that have a target date: open ones, plus completed ones
    with `include_completed`; within [start, end] when given."""
    statuses = list(OPEN) + ([Status.COMPLETED] if include_completed else [])
    qs = return_queryset_for(user).filter(target_date__isnull=False, status__in=statuses)
    if start:
        qs = qs.filter(target_date__gte=start)
    if end:
        qs = qs.filter(target_date__lte=end)
    return (qs.select_related("order", "customer", "reason", "custom_state")
            .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.order_by("id")))
            .order_by("target_date", "id"))


def status_label(ret: Return) -> str:
    return ret.custom_state.display_label if ret.custom_state_id else str(Status(ret.status).label)
