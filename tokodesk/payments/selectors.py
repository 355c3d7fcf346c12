"""Reads of the payments app: remittances, and the COD reconciliation (expected vs received
per courier and period, outstanding COD not yet remitted with its age, mismatches)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from tokodesk.orders.models import Order, Payment
from tokodesk.payments.models import Remittance, RemittanceLine, RtsFee

LIMIT = 200


def remittance_list(*, courier: str | None = None, limit: int = 50, offset: int = 0):
    qs = Remittance.objects.select_related("courier", "imported_by").order_by("-imported_at", "-id")
    if courier:
        qs = qs.filter(courier__code=courier)
    return list(qs[offset : offset + limit])


def remittance_get(pk: int) -> Remittance | None:
    return Remittance.objects.select_related("courier", "imported_by").filter(pk=pk).first()


def remittance_lines(remittance: Remittance, *, flag: str | None = None):
    qs = remittance.lines.select_related("order").order_by("row_number")
    if flag == "mismatched":
        qs = qs.exclude(flag=RemittanceLine.Flag.MATCHED)
    elif flag:
        qs = qs.filter(flag=flag)
    return qs


def pending_cod():
    """COD payments collected by the courier and not remitted yet."""
    return Payment.objects.filter(kind="cod", voided_at__isnull=True, remitted_at__isnull=True)


def outstanding_by_courier() -> list[dict]:
    """Per courier: how many COD payments wait for remittance, their sum, the oldest."""
    return list(
        pending_cod()
        .values(courier_name=F("order__courier__name"))
        .annotate(count=Count("id"), amount=Sum("amount"), oldest=Min("recorded_at"))
        .order_by("courier_name")
    )


def outstanding_totals() -> dict:
    row = pending_cod().aggregate(
        count=Count("id"), amount=Coalesce(Sum("amount"), 0), oldest=Min("recorded_at")
    )
    return row


def outstanding_list(limit: int = LIMIT):
    """The oldest first, with the order (reference, courier, AWB)."""
    return list(
        pending_cod()
        .select_related("order", "order__courier")
        .order_by("recorded_at", "id")[:limit]
    )


def reconciliation_by_period(courier: str | None = None) -> list[dict]:
    """Expected vs received per courier and month of the lines' paid date (None: undated)."""
    qs = RemittanceLine.objects.all()
    if courier:
        qs = qs.filter(remittance__courier__code=courier)
    return list(
        qs.annotate(period=TruncMonth("paid_date"))
        .values("period", courier_name=F("remittance__courier__name"))
        .annotate(
            lines=Count("id"),
            expected=Sum("expected"),
            received=Sum("cod_amount"),
            fees=Sum(F("courier_fee") + F("cod_fee") + F("rts_fee")),
            mismatched=Count("id", filter=~Q(flag=RemittanceLine.Flag.MATCHED)),
            last_paid=Max("paid_date"),
        )
        .order_by("-period", "courier_name")
    )


def mismatches(limit: int = LIMIT, courier: str | None = None):
    qs = RemittanceLine.objects.exclude(flag=RemittanceLine.Flag.MATCHED)
    if courier:
        qs = qs.filter(remittance__courier__code=courier)
    return list(
        qs.select_related("order", "remittance", "remittance__courier").order_by("-id")[:limit]
    )


def age_days(since, now=None) -> int:
    now = now or timezone.now()
    return max((now - since).days, 0)


RTS_WINDOW_DAYS = 90
SHIPPED_END = ("delivered", "completed", "returning", "returned")
SENT_BACK = ("returning", "returned")


def rts_rates(now=None) -> list[dict]:
    """Per courier, the COD orders of the last RTS_WINDOW_DAYS days that reached the buyer
    or came back, how many came back (RTS) and the rate, with their RTS fees (payments.rts):
    the number COD sellers watch most."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=RTS_WINDOW_DAYS)
    rows = list(
        Order.objects.filter(payment_method="cod", status__in=SHIPPED_END, created_at__gte=since)
        .values(courier_name=F("courier__name"))
        .annotate(ended=Count("id"), sent_back=Count("id", filter=Q(status__in=SENT_BACK)))
        .order_by("courier_name")
    )
    # The RTS fee of each parcel back (payments.rts): the remittance's, else the estimate.
    fees = dict(
        RtsFee.objects.filter(order__payment_method="cod", order__created_at__gte=since)
        .values_list("order__courier__name")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        row["rate"] = round(100 * row["sent_back"] / row["ended"], 1) if row["ended"] else 0
        row["rts_fees"] = fees.get(row["courier_name"], 0)
    return rows
