"""Writes of the payments app: importing a courier's COD remittance report.

`remittance_preview` and `remittance_import` match the report the same way (`match_report`):
the preview shows what the import would do, the import does it. Re-importing a file (same
courier, same bytes) finds the first import and changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core import outbox
from tokodesk.core.documents import actor_or_none, require
from tokodesk.core.errors import DomainError, ValidationFailed
from tokodesk.orders.models import Order, Payment
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.states import PaymentMethod, Status
from tokodesk.payments import rts
from tokodesk.payments.models import Remittance, RemittanceLine, RemittanceMapping
from tokodesk.payments.reports import Report, parse_report
from tokodesk.shipping.models import Courier

logger = logging.getLogger(__name__)

PERMISSION = "orders.manage_payments"
CHUNK = 900  # values per IN (…): below SQLite's oldest limit of 999 variables
Flag = RemittanceLine.Flag
DELIVERED = (Status.DELIVERED, Status.COMPLETED)
SENT_BACK = (Status.RETURNING, Status.RETURNED)


@dataclass
class Matched:
    """A report matched to our orders: the lines as they would be written, and totals."""

    report: Report
    lines: list[RemittanceLine] = field(default_factory=list)
    total_expected: int = 0
    total_received: int = 0
    total_fees: int = 0

    @property
    def matched(self) -> list[RemittanceLine]:
        return [line for line in self.lines if line.flag == Flag.MATCHED]

    @property
    def mismatched(self) -> list[RemittanceLine]:
        return [line for line in self.lines if line.flag != Flag.MATCHED]


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _courier(code: str) -> Courier:
    courier = Courier.objects.filter(code=(code or "").strip()).first()
    if courier is None:
        raise ValidationFailed(
            "invalid_input",
            _("Unknown courier “%(code)s”.") % {"code": (code or "")[:30]},
            fields={"courier": _("Unknown courier.")},
        )
    return courier


def saved_mapping(courier: Courier) -> dict[str, str] | None:
    row = RemittanceMapping.objects.filter(courier=courier).first()
    return dict(row.columns) if row else None


def match_report(report: Report, courier: Courier, *, lock: bool = False) -> Matched:
    """Each row against the COD order with its AWB (of this courier), flagged:
    matched (the cash collected at delivery, to the rupiah), amount_short / amount_over,
    not_delivered (the order has no cash collected: not delivered, or sent back with COD
    on the line), already_remitted (by an earlier report, or an earlier row of this one),
    unknown_awb (no COD order of this courier has it). A row of a parcel sent back with no
    COD on it is the RTS fee: matched, nothing expected. `lock` locks the pending payments
    (the import)."""
    result = Matched(report=report)
    awbs = {row.awb for row in report.rows}
    orders: dict[str, Order] = {}
    for chunk in _chunks(awbs):
        for order in (
            Order.objects.filter(awb__in=chunk, payment_method=PaymentMethod.COD)
            .filter(Q(courier=courier) | Q(courier__isnull=True))
            .only("pk", "reference", "awb", "status", "total", "currency", "delivered_at")
        ):
            orders.setdefault(order.awb, order)
    pending: dict[int, list[Payment]] = {}
    remitted: set[int] = set()
    order_ids = [o.pk for o in orders.values()]
    for chunk in _chunks(order_ids):
        payments = Payment.objects.filter(
            order_id__in=chunk, kind="cod", voided_at__isnull=True
        ).order_by("pk")
        if lock:
            payments = payments.select_for_update()
        for payment in payments:
            if payment.remitted_at is None:
                pending.setdefault(payment.order_id, []).append(payment)
            else:
                remitted.add(payment.order_id)
    seen: set[int] = set()
    for row in report.rows:
        order = orders.get(row.awb)
        line = RemittanceLine(
            row_number=row.row_number,
            awb=row.awb,
            order=order,
            cod_amount=row.cod_amount,
            courier_fee=row.courier_fee,
            cod_fee=row.cod_fee,
            rts_fee=row.rts_fee,
            paid_date=row.paid_date,
        )
        if order is None:
            line.flag = Flag.UNKNOWN_AWB
        elif order.pk in seen or (order.pk in remitted and order.pk not in pending):
            line.flag = Flag.ALREADY_REMITTED
        elif order.pk in pending:
            payments = pending[order.pk]
            line.expected = sum(p.amount for p in payments)
            line.payment = payments[0]
            if row.cod_amount == line.expected:
                line.flag = Flag.MATCHED
            else:
                line.flag = (
                    Flag.AMOUNT_SHORT if row.cod_amount < line.expected else Flag.AMOUNT_OVER
                )
        elif order.status in SENT_BACK and row.cod_amount == 0:
            line.flag = Flag.MATCHED  # the RTS fee of a parcel sent back: no cash expected
        else:
            line.flag = Flag.NOT_DELIVERED
        if order is not None:
            seen.add(order.pk)
        result.lines.append(line)
        result.total_expected += line.expected
        result.total_received += row.cod_amount
        result.total_fees += line.fees
    return result


def remittance_preview(
    *, courier: str, content: bytes, actor, mapping: dict | None = None
) -> Matched:
    """What importing the report would do, nothing written."""
    require(actor, PERMISSION)
    courier_row = _courier(courier)
    report = parse_report(content, mapping if mapping is not None else saved_mapping(courier_row))
    return match_report(report, courier_row)


def find_duplicate(courier: Courier, content: bytes) -> Remittance | None:
    return Remittance.objects.filter(
        courier=courier, content_hash=hashlib.sha256(content).hexdigest()
    ).first()


def remittance_import(
    *, courier: str, file_name: str, content: bytes, actor, mapping: dict | None = None
) -> tuple[Remittance, bool]:
    """Import a courier's remittance report: a Remittance with one line per row, each
    matched and flagged; every matched line marks its order's COD payment remitted; the
    fees stay on the lines. The mapping used is saved for the courier. The same file
    imported again returns the first import and changes nothing: (remittance, created).
    Matched orders that the existing rule would complete (delivered `auto_complete_days`
    ago) are completed after the import."""
    require(actor, PERMISSION)
    courier_row = _courier(courier)
    if not content:
        raise ValidationFailed(
            "invalid_input", _("The file is empty."), fields={"file": _("Empty file.")}
        )
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        existing = (
            Remittance.objects.select_for_update()
            .filter(courier=courier_row, content_hash=digest)
            .first()
        )
        if existing is not None:
            return existing, False
        report = parse_report(
            content, mapping if mapping is not None else saved_mapping(courier_row)
        )
        if not report.rows:
            raise ValidationFailed(
                "invalid_input", _("The file has no row to import."), fields={"file": _("No rows.")}
            )
        matched = match_report(report, courier_row, lock=True)
        now = timezone.now()
        dates = [line.paid_date for line in matched.lines if line.paid_date]
        remittance = Remittance.objects.create(
            courier=courier_row,
            file_name=((file_name or "").replace("\x00", "") or "remittance.csv")[:255],
            content_hash=digest,
            currency=next((line.order.currency for line in matched.lines if line.order), "IDR"),
            period_start=min(dates) if dates else None,
            period_end=max(dates) if dates else None,
            line_count=len(matched.lines),
            matched_count=len(matched.matched),
            mismatched_count=len(matched.mismatched),
            total_expected=matched.total_expected,
            total_received=matched.total_received,
            total_fees=matched.total_fees,
            net_paid=matched.total_received - matched.total_fees,
            imported_by=actor_or_none(actor),
        )
        _insert_lines(remittance, matched.lines)
        # The RTS fees it charged replace the estimates recorded when the parcels came back.
        rts.apply_remittance_fees(matched.lines)
        paid = [line.order_id for line in matched.matched if line.payment_id]
        for chunk in _chunks(paid):
            Payment.objects.filter(
                order_id__in=chunk, kind="cod", voided_at__isnull=True, remitted_at__isnull=True
            ).update(remitted_at=now)
        RemittanceMapping.objects.update_or_create(
            courier=courier_row,
            defaults={"columns": report.mapping, "updated_by": actor_or_none(actor)},
        )
        outbox.emit(
            "cod_remittance.imported",
            kind="remittance",
            id=remittance.pk,
            reference=remittance.file_name,
            data={
                "object": "cod_remittance",
                "id": remittance.pk,
                "courier": courier_row.code,
                "matched": remittance.matched_count,
                "mismatched": remittance.mismatched_count,
                "total_expected": remittance.total_expected,
                "total_received": remittance.total_received,
                "total_fees": remittance.total_fees,
                "currency": remittance.currency,
            },
        )
    _complete_due(paid)
    return remittance, True


LINE_COLUMNS = (
    "remittance_id", "row_number", "awb", "order_id", "payment_id", "expected", "cod_amount",
    "courier_fee", "cod_fee", "rts_fee", "paid_date", "flag",
)  # fmt: skip


def _insert_lines(remittance: Remittance, lines: list[RemittanceLine]) -> None:
    """The report's lines in one executemany per 5,000: bulk_create spent most of a
    50,000-row import's CPU compiling its SQL value by value (bench/measure_remittance.py).
    The lines keep no pk (the caller reads what it needs back)."""
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(RemittanceLine._meta.db_table),
        ", ".join(quote(c) for c in LINE_COLUMNS),
        ", ".join(["%s"] * len(LINE_COLUMNS)),
    )
    adapt = connection.ops.adapt_datefield_value
    for line in lines:
        line.remittance = remittance
    with connection.cursor() as cursor:
        for start in range(0, len(lines), 5000):
            cursor.executemany(
                sql,
                [
                    (remittance.pk, x.row_number, x.awb, x.order_id, x.payment_id, x.expected,
                     x.cod_amount, x.courier_fee, x.cod_fee, x.rts_fee, adapt(x.paid_date), x.flag)
                    for x in lines[start : start + 5000]
                ],
            )  # fmt: skip


def _complete_due(order_ids: list[int]) -> None:
    """Complete the matched orders the existing rule says are due: delivered at least
    `auto_complete_days` ago (what the worker would do on its next pass), as the system."""
    from tokodesk.orders.services import order_apply_action

    cutoff = timezone.now() - dt.timedelta(days=OrderSettings.get().auto_complete_days)
    for chunk in _chunks(order_ids):
        due = Order.objects.filter(pk__in=chunk, status=Status.DELIVERED, delivered_at__lte=cutoff)
        for reference in due.values_list("reference", flat=True):
            try:
                order_apply_action(
                    reference=reference,
                    action="complete",
                    actor=None,
                    inputs={},
                    source="remittance",
                )
            except DomainError as exc:  # moved meanwhile: the worker's rule still applies later
                logger.info("order %s not completed after remittance: %s", reference, exc)
