"""The ship action's serial numbers (issue 17): its input, its check and its effect, beside
the transition table (states.py) which imports them; the rules live in orders.serials."""

from __future__ import annotations

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
