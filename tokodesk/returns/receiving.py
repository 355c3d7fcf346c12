"""`receive` (Item Retur Diterima / Produits reçus): quantity and condition per line, and
resellable goods back on the shelf of the chosen warehouse."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Warehouse
from tokodesk.core.errors import ValidationFailed
from tokodesk.returns.states import Condition


def match_lines(ret, items, field: str = "lines") -> list[tuple]:
    """Pair each input item (with `sku` or `line`) with a line of the return; 422 naming
    the item when it matches none, several, or a line already given."""
    lines = list(ret.lines.all())
    errors, pairs, seen = {}, [], set()
    for i, item in enumerate(items):
        if item.line is not None:
            found = [line for line in lines if line.pk == item.line]
            key = f"{field}.{i}.line"
        else:
            found = [line for line in lines if line.sku == item.sku]
            key = f"{field}.{i}.sku"
        if not found:
            errors[key] = _("Not a line of this return.")
        elif len(found) > 1:
            errors[key] = _("This SKU is on several lines: give the line id.")
        elif found[0].pk in seen:
            errors[key] = _("This line is listed twice.")
        else:
            seen.add(found[0].pk)
            pairs.append((found[0], item, i))
    if errors:
        raise ValidationFailed("invalid_input", _("Some lines are not valid."), fields=errors)
    return pairs


@dataclass
class Receipt:
    pairs: list
    warehouse: Warehouse | None
    restock: list[tuple]  # (line, qty)


def plan_receipt(ret, inputs) -> Receipt:
    pairs = match_lines(ret, inputs.lines)
    errors = {}
    for line, item, i in pairs:
        if item.qty > line.qty:
            errors[f"lines.{i}.qty"] = _("At most %(qty)s were returned.") % {"qty": line.qty}
        if item.serial_numbers is not None and len(item.serial_numbers) > item.qty:
            errors[f"lines.{i}.serial_numbers"] = _("More serial numbers than items.")
        elif item.serial_numbers:
            # Receiving checks the serials (issue 17): those the return named, else those sold.
            expected = line.serial_numbers or line.order_line.serial_numbers
            unknown = [s for s in item.serial_numbers if expected and s.strip() not in expected]
            if unknown:
                errors[f"lines.{i}.serial_numbers"] = _("Not a serial of this return: %(serials)s.") % {
                    "serials": ", ".join(unknown[:10])}
    if errors:
        raise ValidationFailed("invalid_input", _("Some lines are not valid."), fields=errors)
    restock = [(line, item.qty) for line, item, _i in pairs if item.condition == Condition.RESELLABLE and item.qty]
    warehouse = None
    if inputs.warehouse:
        warehouse = Warehouse.objects.filter(code=inputs.warehouse, active=True).first()
        if warehouse is None:
            raise ValidationFailed("invalid_input", _("Unknown warehouse “%(code)s”.") % {"code": inputs.warehouse},
                                   fields={"warehouse": _("Unknown warehouse.")})
    elif restock:
        warehouse = ret.order.warehouse
        if warehouse is None:
            raise ValidationFailed("invalid_input", _("Choose the warehouse the goods go back to."),
                                   fields={"warehouse": _("Required.")})
    return Receipt(pairs=pairs, warehouse=warehouse, restock=restock)


def apply_receipt(ctx) -> None:
    from tokodesk.catalog.services.stock import stock_restock

    ret = ctx.obj
    receipt = plan_receipt(ret, ctx.inputs)
    given = {line.pk: item for line, item, _i in receipt.pairs}
    restocked = {line.pk: qty for line, qty in receipt.restock}
    lines = list(ret.lines.all())
    for line in lines:
        item = given.get(line.pk)
        line.qty_received = item.qty if item else 0
        line.condition = item.condition if item and item.qty else ""
        if item and item.serial_numbers is not None:
            line.serial_numbers = item.serial_numbers
        line.qty_restocked = restocked.get(line.pk, 0)
        line.save(update_fields=["qty_received", "condition", "serial_numbers", "qty_restocked"])
    if receipt.restock:
        stock_restock(warehouse_id=receipt.warehouse.pk,
                      lines=[(line.variant_id, qty) for line, qty in receipt.restock],
                      doc=ret, actor=ctx.actor, kind="return_restock")
        ret.restock_warehouse = receipt.warehouse
    ret.received_at = timezone.now()
    ctx.event_data.update(
        warehouse=receipt.warehouse.code if receipt.restock else None,
        lines=[{"sku": line.sku, "qty": line.qty_received, "condition": line.condition} for line in lines],
        restocked=[{"sku": line.sku, "qty": qty} for line, qty in receipt.restock],
    )
