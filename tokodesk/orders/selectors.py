"""Reads of orders: the scoped queryset, the filtered list with keyset pagination, tab
counts and the detail. Query counts do not grow with the page size."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BigIntegerField, Count, F, Func, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core import pg_prepare
from tokodesk.core.cursors import decode_cursor, encode_cursor
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.value_rows import ValueRow
from tokodesk.customers.phones import phone_search_key
from tokodesk.orders import list_by_status
from tokodesk.orders.models import Order, OrderCount, OrderEvent, OrderLine, Tag
from tokodesk.orders.states import PaymentMethod, Status
from tokodesk.orders.tabs import TABS, Tab


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


def get_tab(tab: str) -> Tab:
    if tab not in TABS:
        raise ValidationFailed(
            "invalid_input", _("Unknown tab."), fields={"tab": _("Unknown tab.")}
        )
    return TABS[tab]


def tab_q(tab: str, now=None) -> Q:
    """The condition of one tab (orders.tabs)."""
    return get_tab(tab).q(now or timezone.now())


def _local_day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_orders(qs: QuerySet[Order], f: OrderFilters, *, with_tab: bool = True) -> QuerySet[Order]:
    """`with_tab` False: the tab is checked but left to the caller (order_list's merge by
    status, whose per-status conditions say what the tab says, with their own time)."""
    if f.tab:
        tab = get_tab(f.tab)
        if with_tab:
            qs = qs.filter(tab.q(timezone.now()))
    if f.status:
        unknown = [s for s in f.status if s not in Status.values]
        if unknown:
            raise ValidationFailed(
                "invalid_input", _("Unknown status."), fields={"status": ", ".join(unknown)[:100]}
            )
        qs = qs.filter(status__in=f.status)
    if f.date_from and f.date_from > dt.date.min:
        qs = qs.filter(created_at__gte=_local_day_start(f.date_from))
    if f.date_to and f.date_to < dt.date.max - dt.timedelta(days=1):
        qs = qs.filter(created_at__lt=_local_day_start(f.date_to + dt.timedelta(days=1)))
    if f.agent:
        qs = (
            qs.filter(assigned_agent__isnull=True)
            if f.agent == "none"
            else qs.filter(assigned_agent__username=f.agent)
        )
    if f.landing_page:
        qs = qs.filter(landing_page__slug=f.landing_page)
    if f.warehouse:
        qs = qs.filter(warehouse__code=f.warehouse)
    if f.courier:
        qs = qs.filter(courier__code=f.courier)
    if f.payment_method in PaymentMethod.values:
        qs = qs.filter(payment_method=f.payment_method)  # a flow (its starting method's code too)
    elif f.payment_method:
        qs = qs.filter(payment_option__code=f.payment_method)  # another of the shop's methods ("paypal")
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
    """What the search box matches, chosen so that every search is served by an index.

    A term that contains a digit is a reference, an AWB or a phone number: it is matched
    exactly against the reference (any case), the AWB and the phone (in any form, compared
    as its E.164). A term without a digit is a fragment of the recipient's name, any case.

    The trade-off: a name is no longer found by a fragment that contains a digit ("Toko 2"),
    and a reference or AWB is no longer found by a part of it; in exchange the OR of the
    three exact matches uses their three indexes (a few rows read instead of every order,
    for the list and again for the tab counts). A name fragment still reads the orders
    newest first on SQLite; on PostgreSQL a trigram index on UPPER(recipient_name) serves it
    (migration 0003).

    Words with a digit ("Toko 2", "Blok C3 Rina"): a reference, AWB or phone never holds a
    letter next to a space, so such a term is also looked for in the name."""
    term = term[:100]
    if not any(ch.isdigit() for ch in term):
        return Q(recipient_name__icontains=term)
    q = Q(reference=term.upper()) | Q(awb=term)
    phone = phone_search_key(term)
    if phone:
        q |= Q(recipient_phone=phone)
    if " " in term and any(ch.isalpha() for ch in term):
        q |= Q(recipient_name__icontains=term)
    return q


# sort -> the ORDER BY, a column then the id. "deadline": the most urgent first (the next
# deadline, Order.deadline_sort, soonest first), then the orders without one, newest first.
SORTS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-total": ("-total", "-id"),
    "total": ("total", "id"),
    "deadline": ("deadline_sort", "-id"),
}


def _encode_cursor(values) -> str:
    return encode_cursor(values)


def _decode_cursor(cursor: str, sort: str):
    return decode_cursor(cursor, "int" if SORTS[sort][0].lstrip("-") == "total" else "datetime")


def default_sort(tab: str | None) -> str:
    """The sort of a list that asks for none: the tab's (Action needed: by deadline)."""
    return TABS[tab].default_sort if tab in TABS else "-created_at"


def with_api_relations(qs: QuerySet[Order]) -> QuerySet[Order]:
    """What the API's order list shows of the related rows is a code or a name: read as
    columns of the orders query (api_warehouse …) instead of one model object per related
    row and order (select_related built ~250 objects per page of 50)."""
    return qs.annotate(
        api_warehouse=F("warehouse__code"),
        api_courier=F("courier__code"),
        api_landing_page=F("landing_page__slug"),
        api_agent=F("assigned_agent__username"),
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
    )


def with_list_relations(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related(
        "warehouse", "courier", "landing_page", "assigned_agent"
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
    )


def _status_candidates(f: OrderFilters) -> set[str] | None:
    """The statuses an order must be in to pass the tab and status filters (a superset:
    a tab may add a condition on the payment method or the deadline); None: any."""
    candidates = TABS[f.tab].statuses if f.tab else None
    if f.status:
        candidates = set(f.status) if candidates is None else candidates & set(f.status)
    return candidates


def _merge_by_status(
    qs: QuerySet[Order], after_for, cursor, tab: str | None, statuses: set[str], order_by, n: int,
    key=None,
) -> QuerySet[Order]:
    """The same rows as `qs` (then filtered by the cursor's condition, `after_for(*cursor)`,
    which the caller applies) for the first n of `order_by` (created_at, id), found through
    one status at a time: the first n of each status (an index range of order_status_created
    or order_agent_status, newest first, stopping after n) merged. A tab of several
    statuses otherwise makes both databases either sort every order of those statuses or
    walk the newest orders until enough of them match, and at a million orders the
    Cancelled tab (13 % of the orders, most of them old) costs 200 ms either way. The
    union's SQL is compiled once per `key` (list_by_status: only the time and the cursor
    change)."""
    if not statuses:
        return qs.none()
    now = timezone.now()

    def build(cursor, now):
        return list_by_status.part_sqls(qs, after_for, cursor, tab, statuses, order_by, n, now)

    merged = list_by_status.merged_sql(key, build, cursor, now)
    if merged is None:
        return qs.none()
    return Order.objects.filter(id__in=RawSQL(*merged))


def order_list(
    *,
    user,
    filters: OrderFilters,
    sort: str = "-created_at",
    cursor: str | None = None,
    limit: int = 50,
    relations=None,
    values=None,
    values_expressions=None,
) -> tuple[list[Order], str | None]:
    """One page of orders and the cursor of the next page (keyset: cost does not grow
    with depth). `relations` loads what the page shows (default: with_list_relations);
    with `values` (field names, and `values_expressions`, name → expression), the page is
    OrderRow dicts read by `.values()` instead (no instances; lines_and_tags for the rest)."""
    sort = sort or default_sort(filters.tab)
    if sort not in SORTS:
        raise ValidationFailed(
            "invalid_input", _("Unknown sort."), fields={"sort": ", ".join(SORTS)}
        )
    order_by = SORTS[sort]
    field = order_by[0].lstrip("-")
    desc = order_by[0].startswith("-")
    id_op = "id__lt" if order_by[1].startswith("-") else "id__gt"
    statuses = _status_candidates(filters) if not filters.tab or filters.tab in TABS else None
    if field == "deadline_sort" and statuses is None:
        # By deadline, every list goes one status at a time (order_status_deadline has the
        # status first): 21 short index ranges instead of a sort of every order.
        statuses = set(Status.values)
    merge = statuses is not None and len(statuses) > 1 and field in ("created_at", "deadline_sort")
    # The SQL of a merged list, and of a page read as values by created_at, is compiled once
    # (list_by_status) with the time put in at each request: the tab's condition is then
    # built with that time (merged: the per-status parts say what the tab says, Tab.implied),
    # never in the scope queryset, where filter_orders' time would stay in the cached SQL.
    key = None
    if merge or (field == "created_at" and values is not None):
        key = list_by_status.cache_key(user, filters, sort, limit + 1, bool(cursor))
    page_cached = key is not None and values is not None
    qs = filter_orders(order_queryset_for(user), filters, with_tab=not (merge or page_cached))

    def after_for(value, pk) -> Q:
        # The first bound is implied by the OR; it is there for the planner, which can start
        # the index range at the cursor with it (without it both databases walk the index
        # from the first row and discard every row before the cursor).
        if desc:
            return Q(**{f"{field}__lte": value}) & (
                Q(**{f"{field}__lt": value}) | Q(**{field: value, id_op: pk})
            )
        return Q(**{f"{field}__gte": value}) & (
            Q(**{f"{field}__gt": value}) | Q(**{field: value, id_op: pk})
        )

    decoded = _decode_cursor(cursor, sort) if cursor else None
    after = after_for(*decoded) if decoded else Q()
    if values is not None:
        values = (*values, *(f for f in ("id", field) if f not in values))
        values_expressions = values_expressions or {}
    if page_cached:
        # The whole page query compiled once (list_by_status.page_rows).
        def page_query(cursor, now):
            if merge:
                parts = list_by_status.part_sqls(qs, after_for, cursor, filters.tab, statuses, order_by,
                                                 limit + 1, now)
                union = list_by_status.union_sql(parts)
                found = Order.objects.filter(id__in=RawSQL(*union)) if union else Order.objects.none()
            else:
                found = qs.filter(TABS[filters.tab].q(now)) if filters.tab else qs
            found = found.filter(after_for(*cursor) if cursor else Q()).order_by(*order_by)
            return found.values(*values, **values_expressions)[: limit + 1]

        page_key = (key, values, tuple((k, repr(v)) for k, v in values_expressions.items()))
        page = [OrderRow(row) for row in list_by_status.page_rows(page_key, page_query, decoded, timezone.now())]
    elif values is not None:
        if merge:
            qs = _merge_by_status(qs, after_for, decoded, filters.tab, statuses, order_by, limit + 1, key)
        qs = qs.filter(after).order_by(*order_by)
        page = [OrderRow(row) for row in qs.values(*values, **values_expressions)[: limit + 1]]
    else:
        if merge:
            qs = _merge_by_status(qs, after_for, decoded, filters.tab, statuses, order_by, limit + 1, key)
        qs = qs.filter(after).order_by(*order_by)
        page = list((relations or with_list_relations)(qs)[: limit + 1])
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        next_cursor = _encode_cursor([getattr(last, field), last.pk])
    return page, next_cursor


def order_columns() -> tuple[str, ...]:
    """Every column of an order (attnames): what an OrderRow reads, so that a transition
    guard, which may read any of them, sees what it would see on an Order."""
    return tuple(f.attname for f in Order._meta.concrete_fields)


class OrderRow(ValueRow):
    """An order read as values (`order_list(values=…)`): a dict whose keys also read as
    attributes, with Order's computed properties, so that the transition guards, the
    deadlines and the badges take it as they take an Order. No model instance is built."""

    __slots__ = ()

    outstanding = Order.outstanding
    deadline = Order.deadline
    etag = Order.etag


def lines_and_tags(ids) -> tuple[dict[int, list[tuple]], dict[int, list[str]]]:
    """The lines (sku, name, qty, unit_price, serial_numbers, in id order) and the tag names
    (by name) of these orders: one query each, as tuples. Plain SQL: building the two
    querysets cost about as much as running them (issue 16); the columns are text and
    integers, which need no conversion, but for the serials (JSON: text on SQLite, a list
    from PostgreSQL's jsonb)."""
    lines: dict[int, list[tuple]] = {i: [] for i in ids}
    tags: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        sql_lines, sql_tags = _lines_and_tags_sql(len(ids))
        with connection.cursor() as cursor:
            cursor.execute(sql_lines, list(ids))
            for order_id, sku, name, qty, price, serials in cursor.fetchall():
                if serials == "[]":  # most lines: what json.loads gives, a new empty list
                    serials = []
                elif isinstance(serials, str):
                    serials = json.loads(serials)
                lines[order_id].append((sku, name, qty, price, serials or []))
            cursor.execute(sql_tags, list(ids))
            for order_id, name in cursor.fetchall():
                tags[order_id].append(name)
    return lines, tags


def _lines_and_tags_sql(n: int) -> tuple[str, str]:
    """What OrderLine.objects.filter(order_id__in=ids).order_by("id").values_list("order_id",
    "sku", "name", "qty", "unit_price", "serial_numbers") and the tags' through table ordered
    by tag__name run."""
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * n)

    def col(model, field):
        return q(model._meta.get_field(field).column)

    line, through = OrderLine, Order.tags.through
    lines = (f"SELECT {', '.join(col(line, f) for f in ('order', 'sku', 'name', 'qty', 'unit_price', 'serial_numbers'))} "
             f"FROM {q(line._meta.db_table)} WHERE {col(line, 'order')} IN ({marks}) ORDER BY {col(line, 'id')} ASC")
    tags = (f"SELECT t0.{col(through, 'order')}, t1.{col(Tag, 'name')} FROM {q(through._meta.db_table)} t0 "
            f"INNER JOIN {q(Tag._meta.db_table)} t1 ON t0.{col(through, 'tag')} = t1.{col(Tag, 'id')} "
            f"WHERE t0.{col(through, 'order')} IN ({marks}) ORDER BY t1.{col(Tag, 'name')} ASC")
    return lines, tags


# The filters the counters can answer (OrderCount has agent, status and payment method);
# the tab is not a filter of the counts.
_COUNTER_FILTERS = {"tab", "status", "agent", "payment_method"}


def _only_counter_filters(f: OrderFilters) -> bool:
    """True when every filter other than tab, status, agent and payment method is unset
    (in the sense of filter_orders: an unbounded date, a blank search)."""
    if f.payment_method and f.payment_method not in PaymentMethod.values:
        return False  # a method that is not a flow: the counters know flows only
    for field in dataclasses.fields(OrderFilters):
        value = getattr(f, field.name)
        if field.name in _COUNTER_FILTERS or value is None or value == "" or value == []:
            continue
        if field.name == "date_from" and value <= dt.date.min:
            continue
        if field.name == "date_to" and value >= dt.date.max - dt.timedelta(days=1):
            continue
        if field.name == "q" and not value.strip():
            continue
        return False
    return True


def tab_counts(*, user, filters: OrderFilters | None = None) -> dict[str, int]:
    """The count of every tab under the other filters, in one query.

    Without filters other than status, agent and payment method, from the counters
    (`OrderCount`, a few hundred rows kept by triggers, so the cost does not grow with the
    orders): each tab's parts on status and payment method (orders.tabs); its late parts
    (past the shipping deadline, which depends on the time) by an indexed count in the same
    query. Otherwise one aggregate over the filtered orders."""
    filters = OrderFilters(**{**(filters or OrderFilters()).__dict__, "tab": None})
    now = timezone.now()
    if not _only_counter_filters(filters):
        base = filter_orders(order_queryset_for(user), filters)  # validates the filters, too
        return base.aggregate(**{tab: Count("pk", filter=tab_q(tab, now)) for tab in TABS})

    scope = "all"
    if user is not None and not user.has_perm("orders.view_all_orders"):
        scope = user.pk if user.has_perm("orders.view_order") else None
    # The tabs' declaration is part of the key: a tab declared anew (orders.tabs) is compiled anew.
    key = (connection.alias, scope, tuple(filters.status or ()), filters.agent or "",
           filters.payment_method or "", tuple(map(id, TABS.values())))
    compiled = _COUNTS_SQL.get(key)  # only filters that passed filter_orders' checks are kept
    if compiled is None:
        base = filter_orders(order_queryset_for(user), filters)  # validates the filters, too
        if scope is None:
            return dict.fromkeys(TABS, 0)
        compiled, counts = _compile_counts(user, filters, base, now)
        if len(_COUNTS_SQL) >= 512:
            _COUNTS_SQL.clear()
        _COUNTS_SQL[key] = compiled
        return counts  # the compiling run was the query itself, with the real time
    sql, params, now_at, keys = compiled
    params = list(params)
    at_now = connection.ops.adapt_datetimefield_value(now)
    for i in now_at:
        params[i] = at_now
    with pg_prepare.cursor() as cursor:  # prepared once per connection on PostgreSQL
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {tab: int(n) for tab, n in zip(keys, row, strict=True)}


# The counters' SQL per (database, scope, filters), compiled once per process: building and
# compiling the aggregate of every tab cost ~85 % of the request's CPU (issue 16), the query
# itself well under a millisecond. Its only value that changes is the time (the late parts'
# ship_by < now), compiled with _COMPILE_NOW and put in place at every run.
_COUNTS_SQL: dict[tuple, tuple[str, tuple, list[int], list[str]]] = {}
_COMPILE_NOW = dt.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)


def _compile_counts(user, filters: OrderFilters, base: QuerySet[Order], now):
    """((sql, params, the positions of the time among the params, the tabs in column order),
    the counts): the counters' aggregate built with _COMPILE_NOW, captured as it runs, and run
    once with `now` put in its place (one query, as every later call)."""
    captured = []
    marker = connection.ops.adapt_datetimefield_value(_COMPILE_NOW)
    at_now = connection.ops.adapt_datetimefield_value(now)

    def capture(execute, sql, params, many, context):
        captured.append((sql, tuple(params)))
        params = [at_now if p == marker or p == _COMPILE_NOW else p for p in params]
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        result = _counter_aggregate(user, filters, base, _COMPILE_NOW)
    assert len(captured) == 1, captured
    sql, params = captured[0]
    now_at = [i for i, p in enumerate(params) if p == marker or p == _COMPILE_NOW]
    live = sum(len(tab.live_parts) for tab in TABS.values())
    assert len(now_at) == live, (now_at, live)
    return (sql, params, now_at, list(result)), {tab: int(n) for tab, n in result.items()}


def _counter_aggregate(user, filters: OrderFilters, base: QuerySet[Order], now) -> dict:
    counters = OrderCount.objects.all()
    if user is not None and not user.has_perm("orders.view_all_orders"):
        counters = counters.filter(agent_id=user.pk)
    if filters.status:
        counters = counters.filter(status__in=filters.status)
    if filters.payment_method:
        counters = counters.filter(payment_method=filters.payment_method)
    if filters.agent == "none":
        counters = counters.filter(agent_id=0)
    elif filters.agent:
        agent = get_user_model().objects.filter(username=filters.agent).values("pk")
        counters = counters.filter(agent_id__in=Subquery(agent))
    sums = {}
    for key, tab in TABS.items():
        if tab.parts is None:
            q = None
        else:
            q = Q(pk__in=[]) if not tab.counted_parts else Q()
            for part in tab.counted_parts:
                q |= part.counter_q()  # status and payment_method: the counters have both
        sums[key] = Coalesce(Sum("n", filter=q), 0)
        for part in tab.live_parts:
            live = (
                base.filter(part.q(now))
                .order_by()
                .annotate(late=Func(F("pk"), function="COUNT"))
                .values("late")
            )
            sums[key] += Subquery(live, output_field=BigIntegerField())
    return counters.aggregate(**sums)


def order_get(*, user, reference: str) -> Order | None:
    return (
        with_list_relations(order_queryset_for(user))
        .filter(reference=reference)
        .prefetch_related("payments", "notes__author")
        .select_related("customer", "payment_option")
        .first()
    )


@dataclass
class OrderDetailValues:
    """One order as values (no model instance): the row (an OrderRow, with the caller's
    related columns), its lines (dicts, in id order), tag names (by name), payments and notes (dicts,
    in their models' order; a note's author as `author_name`, a username or None)."""

    row: OrderRow
    lines: list[dict]
    tags: list[str]
    payments: list[dict]
    notes: list[dict]


def order_detail_values(*, user, reference: str, related: dict) -> OrderDetailValues | None:
    """What GET /orders/{reference} shows, in five queries (the order with `related`, name →
    expression, e.g. the codes of its warehouse and courier; its lines; tags; payments;
    notes with their author's name), as values: what order_get's objects give, without
    building them. Their SQL is compiled once per process and scope (orders.detail_sql)."""
    from tokodesk.orders import detail_sql
    from tokodesk.orders.models import OrderNote, Payment

    scope = "all"
    if user is not None and not user.has_perm("orders.view_all_orders"):
        if not user.has_perm("orders.view_order"):
            return None  # order_queryset_for: none
        scope = user.pk
    shown = tuple((name, repr(expression)) for name, expression in related.items())
    found = detail_sql.rows(
        ("order", scope, shown),
        lambda ref: order_queryset_for(user).filter(reference=ref).values(*order_columns(), **related)[:1],
        reference,
    )
    if not found:
        return None
    row = OrderRow(found[0])
    pk = row["id"]
    lines = detail_sql.rows(("lines",), lambda pk: OrderLine.objects.filter(order_id=pk).order_by("id").values(
        "sku", "name", "qty", "unit_price", "serial_numbers"), pk)
    tags = detail_sql.rows(("tags",), lambda pk: Order.tags.through.objects.filter(order_id=pk).order_by(
        "tag__name").values("tag__name"), pk)
    payments = detail_sql.rows(("payments",), lambda pk: Payment.objects.filter(order_id=pk).values(
        "id", "kind", "amount", "paid_on", "account", "reference", "recorded_at", "voided_at",
        "remitted_at"), pk)
    notes = detail_sql.rows(("notes",), lambda pk: OrderNote.objects.filter(order_id=pk).values(
        "id", "body", "created_at", author_name=F("author__username")), pk)
    return OrderDetailValues(row, lines, [t["tag__name"] for t in tags], payments, notes)


def order_timeline(*, order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor").order_by("created_at", "id")
