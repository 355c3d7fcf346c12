"""The serial numbers shipped on an order (issue 17, InvenTree's serial-tracked stock): the
warehouse enters or scans each unit's serial at ship time, for every line of a
serial-tracked variant. What a return of the order may name (returns.checks).

Given with the ship action (its `serials` input, checked by `serials_at_ship`: a serial-
tracked line does not leave without one serial per unit) or recorded on the serials page
while the order is packed or on its way (ready to ship … in transit); one serial
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


def plan_serials(order, order_lines: list[OrderLine], lines: list[dict], *, field: str = "lines") -> dict:
    """{line id: (index in `lines`, line, serials)} for `lines` ([{"line": id | "sku": …,
    "serial_numbers": [...]}]); 422 naming `<field>.<i>.…` for a line not on the order, one
    not serial-tracked, too many serials, one listed twice or sent on another order."""
    errors, plan, seen = {}, {}, set()
    for i, item in enumerate(lines):
        ref_line, sku = item.get("line"), item.get("sku")
        found = [ol for ol in order_lines if (ol.pk == ref_line if ref_line else ol.sku == sku)]
        key = f"{field}.{i}.{'line' if ref_line else 'sku'}"
        if len(found) != 1:
            errors[key] = _("Not a line of this order.") if not found else _("Give the line id.")
            continue
        line = found[0]
        serials = _clean(item.get("serial_numbers"))
        name = f"{field}.{i}.serial_numbers"
        if not line.variant.serial_tracked:
            errors[name] = _("%(sku)s is not serial-tracked (see the product).") % {"sku": line.sku}
        elif len(serials) > line.qty:
            errors[name] = _("%(n)s serial numbers for %(qty)s items.") % {"n": len(serials), "qty": line.qty}
        elif any(len(s) > MAX_SERIAL for s in serials):
            errors[name] = _("A serial number has at most 100 characters.")
        elif len(set(serials)) != len(serials) or seen & set(serials):
            errors[name] = _("A serial number is listed twice.")
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
                fields={f"{field}.{i}.serial_numbers": _("Already shipped on another order.")})
    return plan


def apply_serials(plan: dict) -> dict:
    """Store the planned serials; {sku: [before, after]} of the lines that changed."""
    changes = {}
    for _i, line, serials in plan.values():
        if serials != line.serial_numbers:
            changes[line.sku] = [line.serial_numbers, serials]
            line.serial_numbers = serials
            line.save(update_fields=["serial_numbers"])
    return changes


def serials_at_ship(order, given: list[dict]) -> dict:
    """The ship action's serials (issue 17): every serial-tracked line leaves with one serial
    per unit — recorded before on the serials page, or given now (`given`, the ship input
    `serials`). Answers the plan (apply_serials stores it); 422 on `serials…` otherwise."""
    order_lines = list(OrderLine.objects.filter(order=order).select_related("variant").order_by("id"))
    plan = plan_serials(order, order_lines, given, field="serials")
    errors = {}
    for line in order_lines:
        if not line.variant.serial_tracked:
            continue
        i, _line, serials = plan.get(line.pk, (None, line, line.serial_numbers))
        if len(serials) != line.qty:
            key = f"serials.{i}.serial_numbers" if i is not None else "serials"
            errors[key] = _("%(sku)s ships with %(qty)s serial numbers (%(n)s given).") % {
                "sku": line.sku, "qty": line.qty, "n": len(serials)}
    if errors:
        raise ValidationFailed("invalid_input", _("Give the serial number of every unit shipped."), fields=errors)
    return plan


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
    changes = apply_serials(plan_serials(order, order_lines, lines))
    if changes:
        order.version += 1
        order.save(update_fields=["version", "updated_at"])
        ORDER_TIMELINE.record(order, OrderEvent.Kind.EDITED, actor, source=source,
                              data={"changes": {"serial_numbers": changes}})
    return order
