"""The orders page: tabs with counts, list or card view, filters, search, keyset pages.

The page answers with the list only; the rest loads on demand so that its server time
does not grow with the shop (SPEC 2.3, bench finding 5):

- the tab counts come from `order_tabs_view` (`hx-trigger="load"` on the tab strip, and
  again on `ordersChanged`), the strip is drawn at once with empty counts;
- a row's action menu comes from `order_menu_view` when it is opened (the table only
  carries the "Actions" button and a link to the order);
- what a row shows is prepared once per page in Python (`display_context`): labels,
  URLs, formatted amounts and phones, the countdown; the templates only print it.

Where the time of a 50-row page goes (SQLite, 1k and 20k orders alike, CPU of one
request through the test Client, 2026-11-23): ~30 ms in all, of which templates ~12
(the table ~8.5, i.e. ~170 µs a row), `selectors.order_list` ~8 (mostly building the
Order, line and related objects), middleware/session/permissions ~4, `display_context`
~2, the filter form ~1.5. Keep per-row work out of the templates: no `{% url %}`,
`{% translate %}`, model attribute chains or filters per row.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from tokodesk.core import l10n
from tokodesk.core.chips import filter_chips
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.l10n import colon
from tokodesk.core.models import ShopSettings
from tokodesk.core.money import format_money
from tokodesk.core.redirects import safe_next
from tokodesk.core.sections import sections as page_sections
from tokodesk.core.templatetags.tokodesk import phone_local
from tokodesk.orders import selectors
from tokodesk.orders.deadlines import deadline_for
from tokodesk.orders.forms import OrderFilterForm
from tokodesk.orders.help import ASK_FIRST
from tokodesk.orders.payment_options import label_of
from tokodesk.orders.states import ORDER_TRANSITIONS, Channel, PaymentMethod
from tokodesk.orders.tabs import TABS
from tokodesk.orders.templatetags.order_tags import status_badge
from tokodesk.orders.views.bulk import bulk_operations
from tokodesk.orders.views.common import (
    BULK_LIMIT,
    COLUMN_KEYS,
    COLUMNS,
    DEFAULT_HIDDEN,
    SECONDARY,
    _needs_input,
    menu_for,
)
from tokodesk.orders.whatsapp import can_chat

PAGE_SIZES = (25, 50, 100)
MENU_DISPLAYS = ("row", "card")
# Permissions that let a user do something from a row's menu besides opening the order.
MENU_PERMISSIONS = ("orders.change_order", "orders.assign_order")

# The national format of a phone number: phonenumbers parses it in ~20 µs, the same
# numbers come back page after page.
phone_display = functools.lru_cache(maxsize=8192)(phone_local)


def _view_mode(request) -> str:
    mode = request.GET.get("view")
    if mode in ("list", "card") and request.session.get("orders_view") != mode:
        request.session["orders_view"] = mode
    return request.session.get("orders_view", "list")


def hidden_columns(request) -> list[str]:
    return request.session.get("orders_hidden_columns", DEFAULT_HIDDEN)


def _money(amount, currency) -> str:
    """The `money` filter of the templates."""
    return "" if amount is None or amount == "" else format_money(int(amount), currency or "IDR")


class _UrlPattern:
    """`reverse()` once per page with a placeholder, then one string join per order (the
    same quoting as `reverse`)."""

    MARK = "__reference__"

    def __init__(self, name, *args):
        self.prefix, _mark, self.suffix = reverse(name, args=[self.MARK, *args]).partition(
            self.MARK
        )

    def __call__(self, reference: str) -> str:
        return f"{self.prefix}{quote(reference, safe=RFC3986_SUBDELIMS + '/~:@')}{self.suffix}"


class _Actions:
    """What the card's primary button needs: the user's permitted transitions are
    filtered once per page, then per order only status and guards are checked (the same
    rule as `ORDER_TRANSITIONS.available`)."""

    def __init__(self, user):
        self.permitted = [t for t in ORDER_TRANSITIONS if user.has_perm(t.permission)]
        self.urls = {}

    def primary(self, order):
        for t in self.permitted:
            if (
                t.action not in SECONDARY
                and order.status in t.sources
                and not any(guard(order, None) for guard in t.guards)
            ):
                url = self.urls.get(t.action)
                if url is None:
                    url = self.urls[t.action] = _UrlPattern("orders:action", t.action)
                return {
                    "transition": t,
                    "needs_input": _needs_input(t),
                    "ask": _needs_input(t) or t.action in ASK_FIRST,
                    "url": url(order.reference),
                }
        return None


def _line(line) -> dict:
    """An order line for the table: the product, and apart from it the variant, which the
    table never cuts off (the warehouse picks by it). The line keeps the name it was
    ordered under, "Product – Variant" (catalog Variant.display_name)."""
    return _line_values(line.name, line.qty)


def _line_values(name, qty) -> dict:
    product, dash, variant = name.rpartition(" – ")
    if not dash:
        product, variant = name, ""
    return {"qty": qty, "name": name, "product": product, "variant": variant}


def _local(value) -> str:
    """The `local_datetime` filter of the templates (core.l10n, in the current time zone)."""
    return l10n.format_datetime(value) if value else ""


def _deadline(order, now) -> dict | None:
    dl = deadline_for(order, now)
    if dl is None:
        return None
    if dl.kind == "auto_approve":
        title = _local(order.cancellation_deadline)
    elif dl.seconds_left is not None:
        title = _local(order.ship_by)
    else:
        title = None
    return {
        "kind": dl.kind,
        "text": dl.text,
        "seconds_left": dl.seconds_left,
        "title": title,
    }


def can_bulk(user) -> bool:
    """Whether the page shows the bulk bar (row checkboxes, "all under this filter")."""
    return bool(
        user.has_perm("orders.process_order")
        or user.has_perm("orders.ship_order")
        or user.has_perm("orders.manage_payments")
    )


def display_context(request, orders, *, view_mode: str = "list") -> dict:
    """What `_results.html`, `_row.html` and `_card.html` need: page-wide flags and one
    plain dict per order with every value already formatted (a template reads a dict key
    several times faster than a model attribute). Also used to re-draw one row or card
    after an action."""
    user = request.user
    hidden = set(hidden_columns(request))
    columns = [(k, label) for k, label in COLUMNS if k not in hidden]
    shown = {k for k, _label in columns}
    actions = _Actions(user)
    # Whether the menu can hold more than "View order": then it loads when opened.
    can_act = (
        bool(actions.permitted) or can_chat(user) or any(user.has_perm(p) for p in MENU_PERMISSIONS)
    )
    detail_url = _UrlPattern("orders:detail")
    menu_url = _UrlPattern("orders:menu")
    channels = {value: str(label) for value, label in Channel.choices}
    # Labels by flow, and by the shop's method once read (label_of may look the shop's language up).
    methods = {value: str(label) for value, label in PaymentMethod.choices}
    badges, agents, days = {}, {}, {}
    now = timezone.now()
    cards = view_mode == "card"
    rows = []
    for o in orders:
        if not isinstance(o, selectors.OrderRow):
            o = _row_from_order(o)
        ref = o.reference
        agent_id = o.assigned_agent_id
        if agent_id is None:
            agent_name = "—"
        else:
            agent_name = agents.get(agent_id)
            if agent_name is None:  # User.get_full_name(), else the username
                full_name = f"{o.agent_first_name} {o.agent_last_name}".strip()
                agent_name = agents[agent_id] = full_name or o.agent_username or "—"
        badge = badges.get(o.status)
        if badge is None:
            badge = badges[o.status] = status_badge(o)
        row = {
            "order": o,
            "ref": ref,
            "status": o.status,
            "url": detail_url(ref),
            "menu_url": menu_url(ref) if can_act else "",
            "badge": badge,
            "deadline": _deadline(o, now),
            "lines": o.lines,
            "tags": o.tags,
            "recipient": o.recipient_name,
            "phone": phone_display(o.recipient_phone),
            "destination": o.destination_city
            or Truncator(o.destination_address).chars(70 if cards else 60),
            "agent": agent_name,
            "courier": o.courier_name or "—",
            "awb": o.awb,
            "total": _money(o.total, o.currency),
            "payment_method": _method_label(o, methods),
        }
        if cards:
            row["version"] = o.version
            row["primary"] = actions.primary(o)
        else:
            row["channel"] = channels.get(o.channel, o.channel)
            created = timezone.localtime(o.created_at)
            day = created.date()
            date = days.get(day)
            if date is None:  # the month in words, translated: once per day shown
                date = days[day] = l10n.format_date(created)
            row["date"] = date
            row["time"] = f"{created.hour:02d}:{created.minute:02d}"  # "H:i"
            if "shipping_cost" in shown:
                row["shipping_cost"] = _money(o.shipping_cost, o.currency)
            if "origin" in shown or "warehouse" in shown:
                has_warehouse = o.warehouse_id is not None
                row["warehouse"] = o.warehouse_name if has_warehouse else "—"
                row["origin"] = (o.warehouse_city or o.warehouse_name or "—") if has_warehouse else "—"
            if "landing_page" in shown:
                row["landing_page"] = o.landing_page_name or "—"
        rows.append(row)
    return {
        "rows": rows,
        "columns": columns,
        # Every column, shown or not: a key missing from a dict costs the template a dir().
        "col": {k: k in shown for k in COLUMN_KEYS},
        "can_bulk": can_bulk(user),
        "can_act": can_act,
        "view_mode": view_mode,
        # Words every row repeats, translated once per page.
        "labels": {
            "select": gettext("Select"),
            "actions": gettext("Actions"),
            "view": gettext("View order"),
            "loading": gettext("Loading…"),
            "agent": gettext("Agent"),
            "awb": gettext("AWB"),
        },
    }


def _options(bf) -> list[tuple[str, object, bool]]:
    """(value, label, selected) of a select, as Django's ChoiceWidget marks them."""
    widget = bf.field.widget
    multiple = widget.allow_multiple_selected
    value = bf.value()
    if value is None:
        value = [] if multiple else [""]  # Select.format_value
    elif not isinstance(value, (list, tuple)):
        value = [value]
    chosen = {"" if v is None else str(v) for v in value}
    options = []
    for option_value, label in bf.field.choices:
        option_value = "" if option_value is None else str(option_value)
        selected = option_value in chosen
        if selected and not multiple:
            chosen = set()  # a single select marks its first match only
        options.append((option_value, label, selected))
    return options


def filter_fields(form) -> list[dict]:
    """The filter panel's fields, drawn by list.html itself: the form renderer draws each
    widget, and each option of a select, with its own template (~4 ms for the panel's
    ~60 options and 5 inputs). The markup is the widgets' (type, name, value, the
    widget's attributes, id), with the error's id for aria-describedby."""
    fields = []
    for bf in form:
        if bf.name in ("tab", "q", "sort"):
            continue
        widget = bf.field.widget
        item = {"name": bf.html_name, "id": bf.auto_id, "label": bf.label, "errors": bf.errors}
        if isinstance(widget, forms.CheckboxSelectMultiple):  # boxes to tap, not Ctrl-click
            item.update(options=_options(bf), multiple=True, checkboxes=True)
        elif isinstance(widget, forms.Select):  # and SelectMultiple
            item.update(options=_options(bf), multiple=widget.allow_multiple_selected)
        else:
            attrs = [
                (k, None if v is True else v)
                for k, v in widget.attrs.items()
                if v is not False and k != "id"
            ]
            item.update(
                options=None,
                type=widget.input_type,
                value=widget.format_value(bf.value()),
                attrs=attrs,
            )
        fields.append(item)
    return fields


def filter_error_texts(form) -> list[str]:
    """Each error of the filter form as "Label: message" (the page's banner, the bulk
    refusal); the page also puts each one next to its field."""
    texts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            texts.append(f"{field.label}{colon()} {error}" if field is not None and field.label else str(error))
    return texts


class _PageState:
    """The filters, sort and tab of a request to the orders page (its URL)."""

    def __init__(self, request):
        self.form = form = OrderFilterForm(request.GET or None, user=request.user)
        self.filters = selectors.OrderFilters()
        self.sort = None
        self.valid = form.is_bound and form.is_valid()
        # A filter value that is not valid (an unknown agent or warehouse, a bad date…)
        # selects nothing: the page says so next to the filter rather than dropping the
        # value, which would widen the list (and a bulk "select all" under it).
        self.invalid = form.is_bound and not self.valid
        if self.valid:
            self.filters = selectors.OrderFilters(**form.filter_values())
            self.sort = form.cleaned_data.get("sort") or self.sort
        elif self.invalid and form.data.get("tab") in TABS:
            self.filters.tab = form.data.get("tab")
        self.tab = self.filters.tab or "all"
        self.filters.tab = self.tab
        self.sort = self.sort or selectors.default_sort(self.tab)  # Action needed: by deadline
        params = request.GET.copy()
        for key in ("cursor", "view"):
            params.pop(key, None)
        self.base_query = params.urlencode()
        params.pop("tab", None)
        self.tab_query = params.urlencode()

    def tabs(self, counts=None) -> list[dict]:
        return [
            {
                "key": t,
                "label": tab.label,
                "count": counts[t] if counts else None,
                "active": t == self.tab,
                "attention": tab.attention,
            }
            for t, tab in TABS.items()
        ]


def _chips(form) -> list[tuple[str, str]]:
    """The chips of the filters in use, in the user's words (agent's name, status labels,
    amounts in the shop's currency, dates in the user's language)."""
    values = {k: v for k, v in form.filter_values().items() if k != "tab"}
    money = ("min_total", "max_total")
    currency = ShopSettings.get().currency if any(k in values for k in money) else "IDR"
    return filter_chips(form, values, money=money, currency=currency)


# What a row shows of an order's related rows, read as columns of the orders query (the
# order's own columns: selectors.order_columns(), the transition guards may read any).
_ROW_RELATED = {
    "agent_first_name": F("assigned_agent__first_name"),
    "agent_last_name": F("assigned_agent__last_name"),
    "agent_username": F("assigned_agent__username"),
    "courier_name": F("courier__name"),
    # The shop's payment method's label (issue 17): its columns, no object.
    "payment_label": F("payment_option__label"),
    "payment_labels": F("payment_option__labels"),
    "warehouse_name": F("warehouse__name"),
    "warehouse_city": F("warehouse__city"),
    "landing_page_name": F("landing_page__name"),
}


def page_rows(*, user, filters, sort, cursor=None, limit=50):
    """One page of the list's rows (selectors.OrderRow, with their `lines` and `tags`) and
    the next cursor: the orders in one query, the page's lines and tags in one each."""
    rows, next_cursor = selectors.order_list(
        user=user, filters=filters, sort=sort, cursor=cursor, limit=limit,
        values=selectors.order_columns(), values_expressions=_ROW_RELATED,
    )
    lines, tags = selectors.lines_and_tags([r["id"] for r in rows])
    for r in rows:
        r["lines"] = [_line_values(name, qty) for _sku, name, qty, _price, _serials in lines[r["id"]]]
        r["tags"] = tags[r["id"]]
    return rows, next_cursor


def _method_label(o, labels: dict) -> str:
    """The order's payment method as the reader reads it: the shop's method's label (once per
    method a page), else its flow's."""
    if not o.payment_label:
        return labels.get(o.payment_method, o.payment_method)
    key = ("method", o.payment_label)
    if key not in labels:
        labels[key] = label_of(o.payment_method, o.payment_label, o.payment_labels)
    return labels[key]


def _row_from_order(o) -> selectors.OrderRow:
    """An Order (one row drawn again after an action) as page_rows reads it."""
    row = selectors.OrderRow({f: getattr(o, f) for f in selectors.order_columns()})
    agent, courier, warehouse, page = o.assigned_agent, o.courier, o.warehouse, o.landing_page
    row.update(
        agent_first_name=agent.first_name if agent else None,
        agent_last_name=agent.last_name if agent else None,
        agent_username=agent.username if agent else None,
        courier_name=courier.name if courier else None,
        payment_label=o.payment_option.label if o.payment_option_id else None,
        payment_labels=o.payment_option.labels if o.payment_option_id else None,
        warehouse_name=warehouse.name if warehouse else None,
        warehouse_city=warehouse.city if warehouse else None,
        landing_page_name=page.name if page else None,
        lines=[_line(line) for line in o.lines.all()],
        tags=[t.name for t in o.tags.all()],
    )
    return row


@login_required
@permission_required("orders.view_order", raise_exception=True)
def order_list_view(request):
    state = _PageState(request)
    form = state.form
    try:
        limit = int(request.GET.get("limit", 50))
    except ValueError:
        limit = 50
    limit = limit if limit in PAGE_SIZES else 50
    cursor = request.GET.get("cursor") or None
    if state.invalid:
        orders, next_cursor = [], None
    else:
        try:
            orders, next_cursor = page_rows(
                user=request.user, filters=state.filters, sort=state.sort, cursor=cursor, limit=limit
            )
        except ValidationFailed:
            orders, next_cursor = page_rows(
                user=request.user, filters=state.filters, sort=state.sort, limit=limit
            )
    view_mode = _view_mode(request)
    context = display_context(request, orders, view_mode=view_mode)
    context.update(
        {
            "next_cursor": next_cursor,
            "is_first_page": not cursor,
            "base_query": state.base_query,
            "limit": limit,
            "filter_invalid": state.invalid,
            "filter_errors": filter_error_texts(form) if state.invalid else [],
        }
    )
    if request.headers.get("HX-Target") == "results":
        return render(request, "orders/_results.html", context)

    user = request.user
    hidden = set(hidden_columns(request))
    context.update(
        {
            "nav": "orders",
            # Until the user picks list or cards, a phone opens the cards (orders/list.js).
            "view_chosen": "orders_view" in request.session,
            "form": form,
            "filter_fields": filter_fields(form),
            "sort_options": [(v, label, v == state.sort) for v, label in form.fields["sort"].choices],
            "tabs": state.tabs(),
            "tab": state.tab,
            "tab_query": state.tab_query,
            "all_columns": [(k, label, k not in hidden) for k, label in COLUMNS],
            "active_filters": _chips(form) if state.valid else [],
            "can_create": user.has_perm("orders.add_order"),
            "bulk_actions": bulk_operations(user),
            # Notices other apps add over a tab (courier events not applied, on Action needed).
            "sections": page_sections("orders.list", tab=state.tab, user=user),
        }
    )
    return render(request, "orders/list.html", context)


@login_required
@permission_required("orders.view_order", raise_exception=True)
@require_GET
def order_tabs_view(request):
    """The tab strip with each tab's count under the page's other filters (loaded by the
    page after its first paint, and again when orders change)."""
    state = _PageState(request)
    if state.invalid:
        counts = dict.fromkeys(TABS, 0)  # a filter that is not valid selects nothing
    else:
        counts = selectors.tab_counts(user=request.user, filters=state.filters)
    return render(
        request,
        "orders/_tabs.html",
        {
            "tabs": state.tabs(counts),
            "tab_query": state.tab_query,
            "base_query": state.base_query,
            "loaded": True,
            # "All N orders under this filter" in the bulk bar, with N as a hidden input
            # the bulk form sends back: the server refuses when the filter now selects a
            # different number (orders:bulk). Out of band, into the bar's #bulk-all.
            "bulk_total": None if state.invalid or not can_bulk(request.user) else counts[state.tab],
            "bulk_limit": BULK_LIMIT,
        },
    )


@login_required
@require_GET
def order_menu_view(request, reference):
    """A row's (or card's) action menu, when it is opened: the actions of the transition
    table this user may run on this order now. 404 for an order the user cannot see."""
    order = selectors.order_queryset_for(request.user).filter(reference=reference).first()
    if order is None:
        raise Http404
    display = request.GET.get("display")
    return render(
        request,
        "orders/_menu_items.html",
        {
            "o": order,
            "menu": menu_for(order, request.user),
            "display": display if display in MENU_DISPLAYS else "row",
        },
    )


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
    return redirect(safe_next(request, request.POST.get("next"), "orders:list"))
