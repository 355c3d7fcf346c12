"""Booking couriers for orders (issue 14, bulk ship): the selected orders are booked through
a courier adapter (shipping/couriers/) one by one, each order's AWB filled and the `ship`
transition applied, with a result per order like the bulk confirm's.

Nothing is half-written: each order is booked inside its own transaction holding the order's
row lock (a second click books nothing twice: it waits, then finds the order shipped), and a
booking the order then refuses (the AWB already on another order, stock gone meanwhile) is
cancelled with the provider before the refusal is reported. Orders the `ship` transition
does not allow now, or whose serial-tracked lines have no serials recorded, are refused
before the provider is called; a refusal for missing serials names the order's Serial
numbers page (orders.ship_serials.serials_refusal), and the result carries its link.

The typed AWBs of the bulk table and the CSV import go through `orders_ship_typed`: the same
`ship` transition, one order per transaction, the refusals in the seller's language."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from tokodesk.core import shop_profile
from tokodesk.core.csv_rows import csv_rows
from tokodesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from tokodesk.orders.models import Order
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.orders.services import order_apply_action
from tokodesk.orders.ship_serials import orders_missing_serials, serials_refusal
from tokodesk.orders.states import ORDER_TRANSITIONS, PaymentMethod
from tokodesk.shipping.couriers import ADAPTERS, Adapter, AdapterError, Booking, Parcel, get_adapter

logger = logging.getLogger("tokodesk.shipping")

BOOK_LIMIT = 500


@dataclass(frozen=True)
class ShipResult:
    """One order's answer: shipped with `awb`, or refused with `code` and `message`."""

    reference: str
    ok: bool
    awb: str = ""
    courier: str = ""
    code: str = ""
    message: str = ""
    serials_url: str = ""  # a refusal for missing serials: the page to record them on

    @classmethod
    def refused(cls, reference: str, exc: DomainError) -> ShipResult:
        details = [str(text) for text in exc.fields.values()]
        message = " ".join([str(exc.message), *details]) if details else str(exc.message)
        fix = serials_refusal(reference, exc)
        if fix is not None:
            message = f"{message} {fix.hint}"
        return cls(reference=reference, ok=False, code=exc.code, message=message,
                   serials_url=fix.url if fix else "")


def adapter_credentials(code: str) -> dict:
    """The shop's credentials for adapter `code` (the owner's courier settings page)."""
    from tokodesk.shipping.models import CourierAccount

    row = CourierAccount.objects.filter(adapter=code).first()
    return dict(row.credentials) if row is not None else {}


def order_weight_grams(order: Order, lines=None) -> int:
    lines = lines if lines is not None else order.lines.all()
    return sum(line.weight_grams * line.qty for line in lines)


def cod_amount(order: Order) -> int:
    """What the courier collects from the buyer: what is still due on a COD order, else 0."""
    return order.outstanding if order.payment_method == PaymentMethod.COD else 0


def parcel_for(order: Order, *, sender: dict | None = None, awb: str = "") -> Parcel:
    sender = sender if sender is not None else shop_profile.profile()
    lines = list(order.lines.all())
    return Parcel(
        reference=order.reference,
        courier=order.courier.code if order.courier_id else "",
        service=order.courier_service,
        weight_grams=order_weight_grams(order, lines),
        cod_amount=cod_amount(order),
        currency=order.currency,
        sender_name=sender.get("name", ""),
        sender_phone=sender.get("phone") or sender.get("whatsapp") or "",
        sender_address=", ".join(sender.get("address_lines") or ()),
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        recipient_address=order.destination_address,
        recipient_city=order.destination_city,
        items=tuple((line.sku, line.qty) for line in lines),
        awb=awb,
    )


def _ship_refusal(order: Order, actor) -> DomainError | None:
    """Why `ship` cannot run on `order` now (status, permission, courier), before booking."""
    transition = ORDER_TRANSITIONS.get("ship")
    if actor is not None and not actor.has_perm(transition.permission):
        return PermissionDenied(
            "permission_denied",
            _("You are not allowed to do “%(action)s”.") % {"action": transition.label},
        )
    if order.status not in transition.sources:
        return Conflict(
            "not_allowed_in_status",
            _("“%(action)s” is not possible while the status is “%(status)s”.")
            % {"action": transition.label, "status": ORDER_TRANSITIONS.statuses[order.status]},
        )
    if order.courier_id is None:
        return Conflict("courier_required", _("Choose a courier."))
    from tokodesk.orders.serials import serials_at_ship

    try:  # the ship's own refusal for serials not recorded, before a pickup is booked
        serials_at_ship(order, [])
    except ValidationFailed as exc:
        return exc
    return None


def awb_in_use(awb: str, *, exclude_pk=None) -> bool:
    qs = Order.objects.filter(awb=awb)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _book_one(adapter: Adapter, reference: str, actor, *, sender: dict, source: str) -> ShipResult:
    with transaction.atomic():
        order = (
            order_queryset_for(actor)
            .select_for_update(of=("self",))
            .select_related("courier")
            .filter(reference=reference)
            .first()
        )
        if order is None:
            return ShipResult.refused(
                reference,
                NotFound(
                    "not_found", _("Order %(reference)s not found.") % {"reference": reference[:60]}
                ),
            )
        refusal = _ship_refusal(order, actor)
        if refusal is not None:
            return ShipResult.refused(reference, refusal)
        parcel = parcel_for(order, sender=sender)
        try:
            booking = adapter.book(parcel)
        except AdapterError as exc:
            logger.info("booking refused by %s for %s: %s", adapter.code, reference, exc.code)
            return ShipResult.refused(reference, exc)
        try:
            if awb_in_use(booking.awb, exclude_pk=order.pk):
                raise Conflict(
                    "awb_in_use",
                    _("The AWB %(awb)s is already on another order.") % {"awb": booking.awb},
                )
            with transaction.atomic():
                order = order_apply_action(
                    reference=reference,
                    action="ship",
                    actor=actor,
                    source=source,
                    inputs={
                        "awb": booking.awb,
                        "courier": booking.courier or parcel.courier,
                        "service": (booking.service or parcel.service)[:50],
                    },
                )
        except DomainError as exc:
            _cancel_quietly(adapter, booking, reference)
            return ShipResult.refused(reference, exc)
        return ShipResult(reference=reference, ok=True, awb=order.awb, courier=order.courier.code)


def _cancel_quietly(adapter: Adapter, booking: Booking, reference: str) -> None:
    try:
        adapter.cancel(booking)
    except Exception:  # the refusal is what the seller must see; the provider's cancel is logged
        logger.exception("could not cancel the %s booking of %s", adapter.code, reference)


def orders_book(
    *, adapter: str, references: list[str], actor, source: str = "api"
) -> list[ShipResult]:
    """Book a pickup for each order with the courier adapter `adapter` (sandbox, or a real
    provider's): the seller sees, per order, the AWB it got (the order now awaiting pickup)
    or why it was refused (not ready to ship, no courier, the courier refused …)."""
    if adapter not in ADAPTERS or not ADAPTERS[adapter].books:
        raise ValidationFailed(
            "invalid_input",
            _("Choose a courier service that books pickups."),
            fields={"adapter": _("Unknown adapter.")},
        )
    instance = get_adapter(adapter, credentials=adapter_credentials(adapter))
    sender = shop_profile.profile()
    references = list(dict.fromkeys(references))[:BOOK_LIMIT]
    return [
        _book_one(instance, reference, actor, sender=sender, source=source)
        for reference in references
    ]


def orders_ship_typed(
    *, rows: list[tuple[str, str, str]], actor, source: str = "web"
) -> list[ShipResult]:
    """Ship each order with the AWB a person typed or imported: rows of (reference, AWB,
    courier code or "" for the order's). Each order is shipped on its own (the `ship`
    transition, its own transaction) and refused with the reason otherwise."""
    results = []
    for reference, awb, courier in rows:
        awb = awb.strip()
        if not awb:
            results.append(
                ShipResult.refused(
                    reference, Conflict("awb_required", _("Type the AWB / tracking number."))
                )
            )
            continue
        try:
            with transaction.atomic():
                order = order_queryset_for(actor).filter(reference=reference).only("pk").first()
                if order is not None and awb_in_use(awb, exclude_pk=order.pk):
                    raise Conflict(
                        "awb_in_use",
                        _("The AWB %(awb)s is already on another order.") % {"awb": awb},
                    )
                inputs = {"awb": awb}
                if courier:
                    inputs["courier"] = courier
                order = order_apply_action(
                    reference=reference, action="ship", actor=actor, inputs=inputs, source=source
                )
        except DomainError as exc:
            results.append(ShipResult.refused(reference, exc))
            continue
        results.append(
            ShipResult(reference=reference, ok=True, awb=order.awb, courier=order.courier.code)
        )
    return results


# --- AWBs from a CSV file (reference, courier, AWB): preview, then all or nothing ----------------

CSV_MAX_BYTES = 1024 * 1024
CSV_HEADERS = {"reference", "courier", "awb"}


@dataclass
class CsvRow:
    line: int
    reference: str
    courier: str
    awb: str
    error: str = ""
    serials_url: str = ""


def awb_csv_rows(text: str) -> list[CsvRow]:
    """The file's rows: columns reference, courier, AWB (core.csv_rows: a first line naming
    them is skipped; comma or semicolon separated)."""
    return [
        CsvRow(
            line=number, reference=cells[0][:40], courier=cells[1][:30].lower(), awb=cells[2][:64]
        )
        for number, cells in csv_rows(
            text,
            width=3,
            headers=CSV_HEADERS,
            max_bytes=CSV_MAX_BYTES,
            too_large=_("The file is too large (at most 1 MB)."),
            max_rows=BOOK_LIMIT,
            too_many=_("At most %(n)s rows at once.") % {"n": BOOK_LIMIT},
        )
    ]


def awb_csv_preview(*, text: str, actor) -> list[CsvRow]:
    """Each row of the file with why it cannot ship (`error`, in the seller's language), or
    none: unknown order, not ready to ship, unknown courier, an AWB twice in the file or
    already on an order, an order twice in the file, serials not recorded (`serials_url`:
    where to record them). Reads only (four queries)."""
    from tokodesk.shipping.models import Courier

    rows = awb_csv_rows(text)
    transition = ORDER_TRANSITIONS.get("ship")
    orders = {
        o.reference: o
        for o in order_queryset_for(actor)
        .filter(reference__in={r.reference for r in rows})
        .only("pk", "reference", "status", "courier_id")
    }
    used = dict(
        Order.objects.filter(awb__in={r.awb for r in rows if r.awb}).values_list("awb", "reference")
    )
    couriers = set(Courier.objects.filter(active=True).values_list("code", flat=True))
    seen_awb: dict[str, int] = {}
    seen_ref: dict[str, int] = {}
    may_ship = actor is None or actor.has_perm(transition.permission)
    no_serials = orders_missing_serials(o.pk for o in orders.values())
    for row in rows:
        order = orders.get(row.reference)
        if not row.reference or not row.awb:
            row.error = _("The reference and the AWB are required.")
        elif order is None:
            row.error = _("Unknown order %(reference)s.") % {"reference": row.reference}
        elif row.reference in seen_ref:
            row.error = _("This order is also on line %(line)s.") % {
                "line": seen_ref[row.reference]
            }
        elif row.awb in seen_awb:
            row.error = _("The AWB %(awb)s is also on line %(line)s.") % {
                "awb": row.awb,
                "line": seen_awb[row.awb],
            }
        elif row.awb in used and used[row.awb] != row.reference:
            row.error = _("The AWB %(awb)s is already on order %(reference)s.") % {
                "awb": row.awb,
                "reference": used[row.awb],
            }
        elif not may_ship:
            row.error = _("You are not allowed to do “%(action)s”.") % {"action": transition.label}
        elif order.status not in transition.sources:
            row.error = _("“%(action)s” is not possible while the status is “%(status)s”.") % {
                "action": transition.label,
                "status": ORDER_TRANSITIONS.statuses[order.status],
            }
        elif row.courier and row.courier not in couriers:
            row.error = _("Unknown courier “%(code)s”.") % {"code": row.courier}
        elif not row.courier and order.courier_id is None:
            row.error = _("Choose a courier.")
        elif order.pk in no_serials:
            fix = serials_refusal(row.reference)
            row.error = _("Serial-tracked items without their serial numbers.") + " " + fix.hint
            row.serials_url = fix.url
        seen_ref.setdefault(row.reference, row.line)
        if row.awb:
            seen_awb.setdefault(row.awb, row.line)
    return rows


def awb_csv_apply(
    *, text: str, actor, source: str = "web"
) -> tuple[list[CsvRow], list[ShipResult]]:
    """Ship every row of the file, or none: the preview again, and when a row is refused
    (then, or by the `ship` transition itself) nothing is written."""
    rows = awb_csv_preview(text=text, actor=actor)
    if any(row.error for row in rows):
        return rows, []
    with transaction.atomic():
        results = orders_ship_typed(
            rows=[(r.reference, r.awb, r.courier) for r in rows], actor=actor, source=source
        )
        if not all(result.ok for result in results):
            transaction.set_rollback(True)
            errors = {result.reference: result for result in results if not result.ok}
            for row in rows:
                refused = errors.get(row.reference)
                row.error = refused.message if refused else ""
                row.serials_url = refused.serials_url if refused else ""
            return rows, []
    return rows, results
