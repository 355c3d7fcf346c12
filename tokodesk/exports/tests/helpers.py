"""Many orders fast, for export tests: rows written with bulk_create (explicit ids far
above the sequence, so orders made later by the services never collide). The data is
the point here, not how orders come to be."""

from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model

from tokodesk.catalog.models import Variant, Warehouse
from tokodesk.customers.models import Customer
from tokodesk.orders.models import Order, OrderLine, Tag
from tokodesk.shipping.models import Courier

ID_BASE = 50_000_000
STATUSES = ["new", "confirmed", "paid", "ready_to_ship", "in_transit", "completed", "cancelled"]


def bulk_orders(n: int, *, start: int = 0, batch: int = 5000, currency: str = "IDR", agents=("agent", "agent2", None),
                recipient: str | None = None) -> list[int]:
    """n orders (ids ID_BASE+start …) with 1-3 lines, tags on every other one, spread
    over statuses, payment methods, couriers and the given agents; their ids."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[a for a in agents if a])}
    jkt = Warehouse.objects.get(code="jkt")
    couriers = list(Courier.objects.order_by("code"))
    variants = list(Variant.objects.filter(sku__in=["KAOS-M", "KAOS-L", "MADU-500"]).select_related("product")
                    .order_by("sku"))
    vip, _ = Tag.objects.get_or_create(name="vip")
    customer, _ = Customer.objects.get_or_create(phone="+6281299990000",
                                                 defaults={"name": "Pembeli Grosir", "address": "Jl. Pasar 1"})
    Through = Order.tags.through
    ids = []
    for offset in range(start, start + n, batch):
        size = min(batch, start + n - offset)
        orders, lines, tags = [], [], []
        for i in range(offset, offset + size):
            pk = ID_BASE + i
            method = "cod" if i % 2 else "bank_transfer"
            n_lines = 1 + i % 3
            subtotal = 0
            for j in range(n_lines):
                v = variants[(i + j) % len(variants)]
                qty = 1 + (i + j) % 2
                subtotal += qty * v.price
                lines.append(OrderLine(order_id=pk, variant_id=v.pk, sku=v.sku, name=v.display_name, qty=qty,
                                       unit_price=v.price, weight_grams=v.weight_grams))
            status = STATUSES[i % len(STATUSES)]
            orders.append(Order(
                id=pk, reference=f"ORD-X{i:07d}", channel="api", customer=customer,
                recipient_name=recipient or f"Pembeli {i}", recipient_phone=f"+62812{i:08d}",
                destination_address=f"Jl. Mawar No. {i}, Bandung", destination_city="Bandung", warehouse=jkt,
                courier=couriers[i % len(couriers)], courier_service="REG",
                awb=f"AWB{i:09d}" if status in ("in_transit", "completed") else "",
                payment_method=method, currency=currency, subtotal=subtotal, shipping_cost=18000,
                total=subtotal + 18000, paid_total=subtotal + 18000 if status in ("paid", "completed") else 0,
                status=status, assigned_agent=users.get(agents[i % len(agents)] or "")))
            if i % 2:
                tags.append(Through(order_id=pk, tag_id=vip.pk))
            ids.append(pk)
        Order.objects.bulk_create(orders)
        OrderLine.objects.bulk_create(lines)
        Through.objects.bulk_create(tags)
    return ids


def read_csv(data: bytes, delimiter: str = ",") -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
