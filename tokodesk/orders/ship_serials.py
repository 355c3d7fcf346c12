"""The ship action's serial numbers (issue 17): its input, its check and its effect, beside
the transition table (states.py) which imports them; the rules live in orders.serials.

Shipping many orders at once (the order list's bulk ship, the AWB table, the AWB import,
courier booking) gives no serials: an order whose serial-tracked lines have none recorded
is refused by design, and the refusal says where to record them (`serials_refusal`: the
order's Serial numbers page, its link for the pages that list refusals)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from pydantic import Field

from tokodesk.core.inputs import StrictInput


class ShipSerialsIn(StrictInput):
    line: int | None = Field(None, ge=1, description="The order line's id (or `sku`).")
    sku: str | None = Field(None, max_length=64)
    serial_numbers: list[str] = Field(default_factory=list, max_length=1000)


def serials_complete(order, inputs):
    """every serial-tracked line ships with one serial number per unit"""
    from tokodesk.orders.serials import serials_at_ship

    serials_at_ship(order, [item.model_dump() for item in inputs.serials])


def record_shipped_serials(ctx) -> None:
    """Store the serials given with the ship action; the ship row of the history names them."""
    if not ctx.inputs.serials:
        return
    from tokodesk.orders.serials import apply_serials, serials_at_ship

    changes = apply_serials(serials_at_ship(ctx.obj, [item.model_dump() for item in ctx.inputs.serials]))
    if changes:
        ctx.event_data["serial_numbers"] = {sku: after for sku, (_before, after) in changes.items()}


def serials_missing(exc) -> bool:
    """Whether a refusal of `ship` is the serials check's (fields `serials`, `serials.…`)."""
    return any(key == "serials" or key.startswith("serials.") for key in (getattr(exc, "fields", None) or {}))


@dataclass(frozen=True)
class SerialsRefusal:
    hint: str  # said after the refusal: where to record the serials
    url: str  # the order's Serial numbers page


def serials_refusal(reference: str, exc=None) -> SerialsRefusal | None:
    """For a ship refused because serials are missing (`exc`; None: known missing), the hint
    and the page to record them on; None for any other refusal."""
    if exc is not None and not serials_missing(exc):
        return None
    return SerialsRefusal(
        hint=_("Record its serial numbers first, on the order's “Serial numbers” page."),
        url=reverse("orders:serials", args=[reference]),
    )


def orders_missing_serials(order_ids) -> set[int]:
    """The orders among `order_ids` with a serial-tracked line whose serials are not all
    recorded (one query): the ones a ship without serials would refuse."""
    from tokodesk.orders.models import OrderLine

    rows = OrderLine.objects.filter(order_id__in=list(order_ids), variant__serial_tracked=True).values_list(
        "order_id", "qty", "serial_numbers")
    return {order_id for order_id, qty, serials in rows if len(serials or []) != qty}
