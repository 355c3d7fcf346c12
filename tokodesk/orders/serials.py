"""The serial numbers shipped on an order (issue 17, InvenTree's serial-tracked stock): the
warehouse enters or scans each unit's serial at ship time, for every line of a
serial-tracked variant. What a return of the order may name (returns.checks).

Recorded while the order is packed or on its way (ready to ship … in transit); one serial
per unit at most, never twice on the order, and a serial sent on another order of the same
variant is refused (the unit cannot be in two parcels). One `edited` row on the order's
timeline names what changed."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core.documents import require
from tokodesk.core.errors import Conflict, ValidationFailed
from tokodesk.orders.models import OrderEvent, OrderLine
from tokodesk.orders.states import ORDER_TIMELINE, Status

# From packing to the courier's hands: the warehouse scans as it ships.
SERIAL_STATUSES = (Status.READY_TO_SHIP, Status.AWAITING_PICKUP, Status.IN_TRANSIT)
MAX_SERIAL = 100


def _clean(values) -> list[str]:
    return [str(v).strip() for v in (values or []) if str(v).strip()]


@transaction.atomic
def order_record_serials(*, reference: str, actor, lines: list[dict], expected_version: int | None = None,
                         source: str = "api"):
    """`lines`: [{"line": order line id, "serial_numbers": [...]}] (or "sku" for the line);
    lines not listed keep theirs. Answers the order."""
    from tokodesk.orders.services import _locked

    require(actor, "orders.ship_order")
    order = _locked(reference, actor, expected_version)
    if order.status not in SERIAL_STATUSES:
        raise Conflict("not_allowed_in_status", _("Serial numbers are recorded when the order ships (ready to "
                                                  "ship, awaiting pickup or in transit)."))
    order_lines = list(OrderLine.objects.filter(order=order).select_related("variant").order_by("id"))
    errors, plan, seen = {}, {}, set()
    for i, item in enumerate(lines):
        ref_line, sku = item.get("line"), item.get("sku")
        found = [ol for ol in order_lines if (ol.pk == ref_line if ref_line else ol.sku == sku)]
        key = f"lines.{i}.{'line' if ref_line else 'sku'}"
        if len(found) != 1:
            errors[key] = _("Not a line of this order.") if not found else _("Give the line id.")
            continue
        line = found[0]
        serials = _clean(item.get("serial_numbers"))
        field = f"lines.{i}.serial_numbers"
        if not line.variant.serial_tracked:
            errors[field] = _("%(sku)s is not serial-tracked (see the product).") % {"sku": line.sku}
        elif len(serials) > line.qty:
            errors[field] = _("%(n)s serial numbers for %(qty)s items.") % {"n": len(serials), "qty": line.qty}
        elif any(len(s) > MAX_SERIAL for s in serials):
            errors[field] = _("A serial number has at most 100 characters.")
        elif len(set(serials)) != len(serials) or seen & set(serials):
            errors[field] = _("A serial number is listed twice.")
        else:
            seen |= set(serials)
            plan[line.pk] = (i, line, serials)
    if errors:
        raise ValidationFailed("invalid_input", _("Some serial numbers are not valid."), fields=errors)
    # A unit cannot be in two parcels: the same variant's serial on another order is refused.
    for i, line, serials in plan.values():
        taken = [s for ol in OrderLine.objects.filter(variant_id=line.variant_id).exclude(order=order)
                 .only("serial_numbers") for s in ol.serial_numbers if s in serials]
        if taken:
            raise ValidationFailed("invalid_input", _("Already shipped on another order: %(serials)s.") % {
                "serials": ", ".join(sorted(set(taken))[:10])},
                fields={f"lines.{i}.serial_numbers": _("Already shipped on another order.")})
    changes = {}
    for _i, line, serials in plan.values():
        if serials != line.serial_numbers:
            changes[line.sku] = [line.serial_numbers, serials]
            line.serial_numbers = serials
            line.save(update_fields=["serial_numbers"])
    if changes:
        order.version += 1
        order.save(update_fields=["version", "updated_at"])
        ORDER_TIMELINE.record(order, OrderEvent.Kind.EDITED, actor, source=source,
                              data={"changes": {"serial_numbers": changes}})
    return order
