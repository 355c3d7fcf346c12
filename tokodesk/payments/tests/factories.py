"""Delivered COD orders in bulk, as the `delivered` action leaves them (orders.cod: status
delivered, the courier's cash recorded as a COD payment, remittance pending), for reports
of thousands of rows; and report files."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from tokodesk.catalog.models import Warehouse
from tokodesk.customers.models import Customer
from tokodesk.orders.models import Order, Payment
from tokodesk.shipping.models import Courier

TOTAL = 168000


def cod_orders(
    n: int,
    *,
    prefix: str,
    status: str = "delivered",
    courier: str = "jne",
    total: int = TOTAL,
    delivered_days_ago: int = 0,
) -> list[Order]:
    """n COD orders with AWBs f"{prefix}{i:06d}"; delivered ones carry their pending COD payment."""
    customer, _ = Customer.objects.get_or_create(
        phone="+6281299990001", defaults={"name": "Pembeli COD", "address": "Jl. Kenanga 1"}
    )
    warehouse = Warehouse.objects.get(code="jkt")
    courier_row = Courier.objects.get(code=courier)
    now = timezone.now()
    delivered = status == "delivered"
    orders = [
        Order(
            reference=f"ORD-{prefix}{i:06d}",
            customer=customer,
            recipient_name=f"Pembeli {i}",
            recipient_phone="+6281299990001",
            destination_address="Jl. Kenanga 1, Bandung",
            warehouse=warehouse,
            courier=courier_row,
            awb=f"{prefix}{i:06d}",
            payment_method="cod",
            subtotal=total - 18000,
            shipping_cost=18000,
            total=total,
            paid_total=total if delivered else 0,
            status=status,
            stock_state="deducted",
            shipped_at=now,
            delivered_at=now - dt.timedelta(days=delivered_days_ago) if delivered else None,
        )
        for i in range(n)
    ]
    Order.objects.bulk_create(orders, batch_size=500)
    orders = list(Order.objects.filter(awb__startswith=prefix).order_by("awb"))
    if delivered:
        Payment.objects.bulk_create(
            [
                Payment(order=o, kind="cod", amount=total, paid_on=now.date(), reference=o.awb)
                for o in orders
            ],
            batch_size=500,
        )
    return orders


HEADER = ["No Resi", "Nilai COD", "Ongkir", "Biaya COD", "Biaya Retur", "Tanggal Bayar"]


def report_csv(rows: list[tuple], *, header=HEADER, delimiter: str = ";") -> bytes:
    """A courier's report: rows of (awb, cod, courier fee, cod fee, rts fee, paid date)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for awb, cod, fee, cod_fee, rts_fee, day in rows:
        writer.writerow([awb, f"Rp {cod:,}".replace(",", "."), fee, cod_fee, rts_fee, day])
    return out.getvalue().encode("utf-8-sig")
