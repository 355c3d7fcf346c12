"""The RTS fee and the RTS report (issue 15).

When an order reaches returned_to_sender, `record_rts_fee` (registered on that action in
PaymentsConfig.ready(), run inside the transition) records the courier's fee for bringing
the parcel back. Decision: it is first the order's shipping cost, an estimate (Indonesian
couriers charge the return leg at the outbound price, and no price list has a separate RTS
rate); when the courier's remittance report charges an RTS fee for the AWB, that amount
replaces the estimate (`apply_remittance_fees`, in the import's transaction), so the report
always shows the best number known and says where it came from. The parcel's restock is
the order machine's own (stock ledger kind "rts").

The report: per courier, per district and per customer, the COD orders of the last
WINDOW_DAYS days that ended (delivered, completed, or sent back) and how many came back."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from tokodesk.orders.models import Order
from tokodesk.payments.models import RemittanceLine, RtsFee

WINDOW_DAYS = 90
ENDED = ("delivered", "completed", "returning", "returned")
SENT_BACK = ("returning", "returned")
LIMIT = 50


def record_rts_fee(ctx) -> None:
    """The order came back to the seller: record its RTS fee (the remittance's when a report
    already charged it, else the shipping cost as an estimate) and say so on the timeline."""
    order = ctx.obj
    line = (
        RemittanceLine.objects.filter(order=order, rts_fee__gt=0)
        .order_by("-id")
        .only("id", "rts_fee")
    ).first()
    fee, _created = RtsFee.objects.update_or_create(
        order=order,
        defaults={
            "courier_id": order.courier_id,
            "currency": order.currency,
            "amount": line.rts_fee if line else order.shipping_cost,
            "source": RtsFee.Source.REMITTANCE if line else RtsFee.Source.ESTIMATE,
            "line": line,
        },
    )
    ctx.event_data.update(rts_fee=fee.amount, rts_fee_source=fee.source)


def apply_remittance_fees(lines: list[RemittanceLine]) -> int:
    """The RTS fees a remittance report charged (its lines, saved) replace the
    estimates of orders already back; a parcel still on its way back gets its row now.
    Returns how many rows were written; a constant number of queries per 900 orders."""
    charged = {line.order_id: line for line in lines if line.order_id and line.rts_fee > 0}
    if not charged:
        return 0
    remittance_id = next(iter(charged.values())).remittance_id
    # The lines were inserted without reading their pks back (services._insert_lines).
    line_ids = dict(
        RemittanceLine.objects.filter(remittance_id=remittance_id, rts_fee__gt=0)
        .exclude(order_id=None)
        .order_by("pk")
        .values_list("order_id", "pk")
    )
    order_ids = list(charged)
    existing = {}
    orders = {}
    for start in range(0, len(order_ids), 900):
        chunk = order_ids[start : start + 900]
        existing.update({f.order_id: f for f in RtsFee.objects.filter(order_id__in=chunk)})
        orders.update(
            Order.objects.filter(pk__in=chunk, status__in=SENT_BACK).values_list("pk", "courier_id")
        )
    now = timezone.now()
    update, create = [], []
    for order_id, line in charged.items():
        fee = existing.get(order_id)
        if fee is not None:
            fee.amount, fee.source, fee.line_id, fee.updated_at = (
                line.rts_fee,
                RtsFee.Source.REMITTANCE,
                line_ids.get(order_id),
                now,
            )
            update.append(fee)
        elif order_id in orders:
            create.append(
                RtsFee(
                    order_id=order_id,
                    courier_id=orders[order_id],
                    amount=line.rts_fee,
                    source=RtsFee.Source.REMITTANCE,
                    line_id=line_ids.get(order_id),
                )
            )
    RtsFee.objects.bulk_update(update, ["amount", "source", "line", "updated_at"], batch_size=500)
    RtsFee.objects.bulk_create(create, batch_size=500)
    return len(update) + len(create)


def _ended(since, courier: str | None):
    qs = Order.objects.filter(payment_method="cod", status__in=ENDED, created_at__gte=since)
    return qs.filter(courier__code=courier) if courier else qs


def _rated(rows: list[dict], fees: dict) -> list[dict]:
    for row in rows:
        row["rate"] = round(100 * row["sent_back"] / row["ended"], 1) if row["ended"] else 0
        row["rts_fees"] = fees.get(row["key"], 0)
    return rows


def _fee_rows(since, courier: str | None):
    qs = RtsFee.objects.filter(order__created_at__gte=since, order__payment_method="cod")
    return qs.filter(order__courier__code=courier) if courier else qs


def _fees(since, courier: str | None, key: str) -> dict:
    rows = _fee_rows(since, courier).values_list(f"order__{key}").annotate(total=Sum("amount"))
    return dict(rows.order_by())


def rts_report(*, courier: str | None = None, now=None, limit: int = LIMIT) -> dict:
    """The RTS rate per courier, per district (the worst first) and per customer (those with
    a parcel sent back, the most first), with the RTS fees; seven queries."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=WINDOW_DAYS)
    counts = {"ended": Count("id"), "sent_back": Count("id", filter=Q(status__in=SENT_BACK))}
    totals = _ended(since, courier).aggregate(**counts)
    fee_total = _fee_rows(since, courier).aggregate(total=Sum("amount"))["total"] or 0
    couriers = list(
        _ended(since, courier)
        .values(key=F("courier_id"), name=F("courier__name"))
        .annotate(**counts)
        .order_by("name")
    )
    districts = list(
        _ended(since, courier)
        .filter(destination_district__isnull=False)
        .values(
            key=F("destination_district_id"),
            name=F("destination_district__name"),
            city=F("destination_district__city__name"),
        )
        .annotate(**counts)
        .filter(sent_back__gt=0)
        .order_by("-sent_back", "-ended", "name")[:limit]
    )
    customers = list(
        _ended(since, courier)
        .values(key=F("customer_id"), name=F("customer__name"), phone=F("customer__phone"))
        .annotate(**counts)
        .filter(sent_back__gt=0)
        .order_by("-sent_back", "ended", "name")[:limit]
    )
    return {
        "since": since,
        "days": WINDOW_DAYS,
        "ended": totals["ended"],
        "sent_back": totals["sent_back"],
        "rate": round(100 * totals["sent_back"] / totals["ended"], 1) if totals["ended"] else 0,
        "rts_fees": fee_total,
        "couriers": _rated(couriers, _fees(since, courier, "courier_id")),
        "districts": _rated(districts, _fees(since, courier, "destination_district_id")),
        "customers": _rated(customers, _fees(since, courier, "customer_id")),
    }
