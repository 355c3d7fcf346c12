"""The order lists read their rows as plain values (no Order, line or tag instances):
the output must stay byte for byte what the model-instance implementation gave.

The implementation that built the lists from model instances (`order_out` over a
queryset with prefetched lines and tags, `display_context` over Order objects) is kept
below as the reference; each test renders a page of every tab through the real URL twice,
once with the reference patched in, once with the code as it is, and compares the bytes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from tokodesk.catalog.models import Variant, Warehouse
from tokodesk.core import l10n
from tokodesk.customers.models import Customer
from tokodesk.orders import api as orders_api
from tokodesk.orders import selectors
from tokodesk.orders.models import Order, OrderLine, Tag
from tokodesk.orders.schemas import OrderPageOut
from tokodesk.orders.states import ORDER_TRANSITIONS, Channel, PaymentMethod, Status
from tokodesk.orders.tabs import TABS
from tokodesk.orders.templatetags.order_tags import status_badge
from tokodesk.orders.views import list as list_views
from tokodesk.shipping.models import Courier

User = get_user_model()
URL = "/api/v1/orders"
NOW = dt.datetime(2026, 11, 20, 5, 30, 15, 123456, tzinfo=dt.UTC)
STATUSES = list(Status.values)


# --- the reference: the lists as they were built from model instances ------------------


def _related(order, annotated, relation, field):
    if hasattr(order, annotated):
        return getattr(order, annotated)
    if getattr(order, f"{relation}_id") is None:
        return None
    return getattr(getattr(order, relation), field)


def reference_order_out(order, user):
    lines = order.lines.all()
    tags = order.tags.all()
    return {
        "reference": order.reference,
        "status": order.status,
        "status_label": str(Status(order.status).label),
        "version": order.version,
        "channel": order.channel,
        "landing_page": _related(order, "api_landing_page", "landing_page", "slug"),
        "customer": order.customer_id,
        "customer_id": order.customer_id,
        "recipient": {
            "name": order.recipient_name,
            "phone": order.recipient_phone,
            "email": order.recipient_email,
            "address": order.destination_address,
            "city": order.destination_city,
            "postcode": order.destination_postcode,
        },
        "warehouse": _related(order, "api_warehouse", "warehouse", "code"),
        "courier": _related(order, "api_courier", "courier", "code"),
        "courier_service": order.courier_service,
        "destination": order.destination_district_id,
        "awb": order.awb,
        "payment_method": order.payment_method,
        # The shop's payment method (issue 17), read through the order's own relation.
        "payment_method_code": order.payment_option.code if order.payment_option_id else None,
        "payment_method_label": order.payment_method_label,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "shipping_cost": order.shipping_cost,
        "insurance_cost": order.insurance_cost,
        "discount": order.discount,
        "transfer_code": order.transfer_code,
        "total": order.total,
        "paid_total": order.paid_total,
        "outstanding": order.outstanding,
        "assigned_agent": _related(order, "api_agent", "assigned_agent", "username"),
        "tags": [t.name for t in tags],
        "lines": [
            {
                "sku": li.sku,
                "name": li.name,
                "qty": li.qty,
                "unit_price": li.unit_price,
                "line_total": li.line_total,
                # The list gave [] here (the schema's default) until session 16: a client
                # reading the list saw no serials where the detail had them.
                "serial_numbers": li.serial_numbers,
            }
            for li in lines
        ],
        "customer_note": order.customer_note,
        "language": order.language or None,
        "cancellation_reason": order.cancellation_reason,
        "cancellation_deadline": order.cancellation_deadline,
        "ship_by": order.ship_by,
        "deadline": order.deadline,
        "invoice_number": order.invoice_number,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "actions": [t.action for t in ORDER_TRANSITIONS.available(order, user)],
    }


def reference_api_relations(qs):
    return qs.annotate(
        api_warehouse=F("warehouse__code"),
        api_courier=F("courier__code"),
        api_landing_page=F("landing_page__slug"),
        api_agent=F("assigned_agent__username"),
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
    )


def reference_list_relations(qs):
    return qs.select_related(
        "warehouse", "courier", "landing_page", "assigned_agent"
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
    )


def reference_order_page(user, query):
    orders, next_cursor = selectors.order_list(
        user=user,
        filters=query.filters(),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        relations=reference_api_relations,
    )
    page = {"items": [reference_order_out(o, user) for o in orders], "next_cursor": next_cursor}
    # As ninja's response validation gave it (the view now renders its plain data as is).
    return OrderPageOut.model_validate(page).model_dump()


def reference_web_rows(*, user, filters, sort, cursor=None, limit=50):
    return selectors.order_list(
        user=user,
        filters=filters,
        sort=sort,
        cursor=cursor,
        limit=limit,
        relations=reference_list_relations,
    )


def reference_display_context(request, orders, *, view_mode="list"):
    """views/list.display_context as it was over Order objects."""
    lv = list_views
    user = request.user
    hidden = set(lv.hidden_columns(request))
    columns = [(k, label) for k, label in lv.COLUMNS if k not in hidden]
    shown = {k for k, _label in columns}
    actions = lv._Actions(user)
    can_act = (
        bool(actions.permitted)
        or lv.can_chat(user)
        or any(user.has_perm(p) for p in lv.MENU_PERMISSIONS)
    )
    detail_url = lv._UrlPattern("orders:detail")
    menu_url = lv._UrlPattern("orders:menu")
    channels = {value: str(label) for value, label in Channel.choices}
    methods = {value: str(label) for value, label in PaymentMethod.choices}
    now = timezone.now()
    cards = view_mode == "card"
    rows = []
    for o in orders:
        ref = o.reference
        agent = o.assigned_agent
        agent_name = "—" if agent is None else (agent.get_full_name() or agent.username or "—")
        courier = o.courier
        row = {
            "order": o,
            "ref": ref,
            "status": o.status,
            "url": detail_url(ref),
            "menu_url": menu_url(ref) if can_act else "",
            "badge": status_badge(o),
            "deadline": lv._deadline(o, now),
            "lines": [lv._line(line) for line in o.lines.all()],
            "tags": [t.name for t in o.tags.all()],
            "recipient": o.recipient_name,
            "phone": lv.phone_display(o.recipient_phone),
            "destination": o.destination_city
            or Truncator(o.destination_address).chars(70 if cards else 60),
            "agent": agent_name,
            "courier": (courier.name if courier else "") or "—",
            "awb": o.awb,
            "total": lv._money(o.total, o.currency),
            "payment_method": methods.get(o.payment_method, o.payment_method),
        }
        if cards:
            row["version"] = o.version
            row["primary"] = actions.primary(o)
        else:
            row["channel"] = channels.get(o.channel, o.channel)
            created = timezone.localtime(o.created_at)
            row["date"] = l10n.format_date(created)  # the templates' local_date (core.l10n)
            row["time"] = f"{created.hour:02d}:{created.minute:02d}"
            if "shipping_cost" in shown:
                row["shipping_cost"] = lv._money(o.shipping_cost, o.currency)
            if "origin" in shown or "warehouse" in shown:
                warehouse = o.warehouse
                row["warehouse"] = warehouse.name if warehouse else "—"
                row["origin"] = (warehouse.city or warehouse.name or "—") if warehouse else "—"
            if "landing_page" in shown:
                row["landing_page"] = (o.landing_page.name if o.landing_page else "") or "—"
        rows.append(row)
    return {
        "rows": rows,
        "columns": columns,
        "col": {k: k in shown for k in lv.COLUMN_KEYS},
        "can_bulk": lv.can_bulk(user),
        "can_act": can_act,
        "view_mode": view_mode,
        "labels": {
            "select": gettext("Select"),
            "actions": gettext("Actions"),
            "view": gettext("View order"),
            "loading": gettext("Loading…"),
            "agent": gettext("Agent"),
            "awb": gettext("AWB"),
        },
    }


# --- a shop whose orders use every field the lists show ------------------------------


def _make_orders(n, owner):
    """n orders over every status and payment method, with and without agent, warehouse,
    courier, tags and lines; created_at values repeat (ties for the keyset)."""
    agents = [User.objects.get(username="agent"), User.objects.get(username="agent2"), None]
    agents[0].first_name, agents[0].last_name = "Ayu", "Lestari"
    agents[0].save()
    warehouses = [*Warehouse.objects.order_by("code"), None]
    couriers = [*Courier.objects.order_by("code"), None]
    variants = list(Variant.objects.order_by("sku"))
    tags = [
        Tag.objects.get_or_create(name=name)[0]
        for name in ["vip", "reseller", "batch-a", "zz-last"]
    ]
    methods = list(PaymentMethod.values)
    customers = Customer.objects.bulk_create(
        [
            Customer(
                name=f"Pembeli {i}", phone=f"+62812{1000000 + i:07d}", address=f"Jl. Nomor {i}"
            )
            for i in range(n)
        ]
    )
    orders = Order.objects.bulk_create(
        [
            Order(
                reference=f"ORD-E{i:04d}",
                channel=list(Channel.values)[i % len(Channel.values)],
                customer=c,
                recipient_name=f"Pembeli “{i}” & <b>{i}</b>",
                recipient_phone=c.phone,
                recipient_email=f"p{i}@x.id" if i % 4 else "",
                destination_address=f"Jl. Panjang sekali nomor {i} " + "blok " * (i % 20),
                destination_city="" if i % 3 == 0 else "Bandung",
                warehouse=warehouses[i % len(warehouses)],
                courier=couriers[i % len(couriers)],
                courier_service="REG" if i % 2 else "",
                awb=f"AWB{i:06d}" if i % 3 else "",
                payment_method=methods[i % len(methods)],
                status=STATUSES[i % len(STATUSES)],
                shipping_cost=10000 + i,
                insurance_cost=i % 3 * 500,
                discount=i % 4 * 1000,
                subtotal=300000,
                total=310000 + i * 37 % 5000,
                paid_total=(i % 5) * 100000,
                transfer_code=i % 7,
                currency="IDR",
                customer_note="bungkus rapi" if i % 6 == 0 else "",
                language=["", "id", "en"][i % 3],
                cancellation_reason="berubah pikiran" if i % 9 == 0 else "",
                status_before_cancellation="confirmed" if i % 2 else "",
                cancellation_deadline=NOW + dt.timedelta(hours=i % 50 - 25) if i % 2 else None,
                ship_by=NOW + dt.timedelta(hours=i % 40 - 20, minutes=i) if i % 3 else None,
                invoice_number=f"INV-{i}" if i % 5 == 0 else "",
                version=1 + i % 4,
                assigned_agent=agents[i % 3],
                created_by=owner,
            )
            for i, c in enumerate(customers)
        ]
    )
    for i, o in enumerate(orders):
        Order.objects.filter(pk=o.pk).update(
            created_at=NOW - dt.timedelta(hours=(i // 2) * 7, microseconds=i % 3 * 1000),
            updated_at=NOW - dt.timedelta(minutes=i),
            deadline_sort=o.deadline or dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
        )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                variant=v,
                sku=v.sku,
                name=f"Produk {v.sku} – {v.name}" if j % 2 else v.sku,
                qty=1 + (i + j) % 3,
                unit_price=v.price,
                # Serials recorded on some lines: the list shows them as the detail does.
                serial_numbers=[f"SN-{i}-{j}-{k}" for k in range(1 + (i + j) % 3)]
                if (i + j) % 5 == 0
                else [],
            )
            for i, o in enumerate(orders)
            for j, v in enumerate(variants[: i % 4])
        ]
    )
    Through = Order.tags.through
    Through.objects.bulk_create(
        [
            Through(order_id=o.pk, tag_id=t.pk)
            for i, o in enumerate(orders)
            for t in tags[: (i * 3) % 5]
        ]
    )
    return orders


@pytest.fixture
def orders(shop, users):
    return _make_orders(90, users["owner"])


def _pages(client, path, params, monkeypatch, patches, headers=None):
    """The same request twice: with the reference patched in, then with the code as is."""
    headers = headers or {}
    with monkeypatch.context() as m:
        for target, name, value in patches:
            m.setattr(target, name, value)
        old = client.get(path, params, headers=headers)
    new = client.get(path, params, headers=headers)
    assert old.status_code == new.status_code == 200, (params, old.content[:300], new.content[:300])
    return old.content, new.content


def _cases(sorts=True):
    cases = [{"tab": tab} for tab in TABS]
    if sorts:
        cases += [
            {"tab": tab, "sort": sort}
            for tab in ("all", "to_ship", "action_needed")
            for sort in ("created_at", "-total", "deadline")
        ]
    cases += [{"tag": "vip"}, {"q": "Pembeli"}, {"status": ["new", "paid"]}, {"agent": "none"}]
    return cases


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.mark.parametrize("role", ["owner", "agent"])
def test_api_list_is_byte_for_byte_the_reference(orders, api_as, monkeypatch, frozen_now, role):
    client = api_as(role)
    patches = [(orders_api, "order_page", reference_order_page)]
    compared = 0
    for params in _cases():
        cursor = None
        for _page in range(2):  # the first page and the next: the cursors must match too
            query = {**params, "limit": 9, **({"cursor": cursor} if cursor else {})}
            old, new = _pages(client, URL, query, monkeypatch, patches)
            assert new == old, query
            compared += 1
            cursor = client.get(URL, query).json()["next_cursor"]
            if not cursor:
                break
    assert compared > len(TABS)


@pytest.mark.parametrize("role", ["owner", "agent"])
@pytest.mark.parametrize("view_mode", ["list", "card"])
def test_web_rows_are_byte_for_byte_the_reference(
    orders, users, client, monkeypatch, frozen_now, role, view_mode
):
    client.force_login(users[role])
    client.cookies["django_language"] = "en"
    session = client.session
    session["orders_view"] = view_mode
    session.save()
    patches = [
        (list_views, "page_rows", reference_web_rows),
        (list_views, "display_context", reference_display_context),
    ]
    for params in _cases(sorts=view_mode == "list"):
        old, new = _pages(
            client, "/orders/", params, monkeypatch, patches, headers={"HX-Target": "results"}
        )
        assert b"ORD-E" in new or b"ORD-E" not in old
        assert new == old, params
