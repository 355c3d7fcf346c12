"""Stock operations a seller runs by hand: receive, adjust, transfer, stocktake. The API
and the pages call these with plain values (warehouse codes, SKUs); bad input is refused
with 422 naming the field, states that do not allow it with 409. Each writes its document
and its ledger movements (catalog/services/stock.py) in one transaction.

Decisions (issue 13 left them open):
- Transfers are immediate: the goods leave one warehouse and arrive in the other in the
  same transaction (transfer_out + transfer_in movements). A shop of this size moves goods
  between its own warehouses by its own hand; an in-transit state would hide stock from
  both warehouses for no gain.
- Stocktakes count on hand only. When a line's count is entered the system remembers the
  on hand at that moment (`expected`); posting applies counted − expected to on hand as it
  is at posting time. Orders keep flowing while counting: their reservations are never
  touched, and goods shipped or received between the count and the posting stay counted
  once. A count that would leave on hand below what orders have reserved is refused
  (409 below_reserved) — those orders have to be cancelled or moved first. Lines never
  counted are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import (
    AdjustmentReason,
    Stock,
    StockAdjustment,
    StockMovement,
    StockReceipt,
    StockReceiptLine,
    Stocktake,
    StocktakeLine,
    StockTransfer,
    StockTransferLine,
    Variant,
    Warehouse,
)
from tokodesk.catalog.services.stock import stock_change
from tokodesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

Kind = StockMovement.Kind
MAX_LINES = 5000
MAX_QTY = 1_000_000


STOCK_ROLES = {"owner", "admin", "warehouse"}


def can_work_stock(actor) -> bool:
    """Warehouse role and above (owner, admin, warehouse); agents and others read only.
    By role, not by a permission: the roles migration (accounts 0002) runs before the
    ledger's models exist, so their permissions cannot be given to the groups there."""
    from tokodesk.accounts.roles import role_of

    return actor is None or (
        getattr(actor, "is_authenticated", False) and role_of(actor) in STOCK_ROLES
    )


def require_stock_work(actor) -> None:
    if not can_work_stock(actor):
        raise PermissionDenied(
            "permission_denied", _("Only the warehouse, an admin or the owner can change stock.")
        )


def _warehouse(code, field: str) -> Warehouse:
    if not code or not isinstance(code, str):
        raise ValidationFailed(
            "invalid_input", _("Choose a warehouse."), fields={field: _("Required.")}
        )
    warehouse = Warehouse.objects.filter(code=code.strip(), active=True).first()
    if warehouse is None:
        raise ValidationFailed(
            "unknown_warehouse",
            _("Unknown warehouse “%(code)s”.") % {"code": code[:30]},
            fields={field: _("Unknown warehouse.")},
        )
    return warehouse


def _int(value, field: str, errors: dict, *, minimum: int | None = None, required=True):
    if value is None or value == "":
        if required:
            errors[field] = _("Required.")
        return None
    if isinstance(value, bool):
        errors[field] = _("Enter a whole number.")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = _("Enter a whole number.")
        return None
    if isinstance(value, float) and value != number:
        errors[field] = _("Enter a whole number.")
        return None
    if minimum is not None and number < minimum:
        errors[field] = _("Must be at least %(min)s.") % {"min": minimum}
        return None
    if abs(number) > MAX_QTY and field.endswith(("qty", "qty_change", "counted")):
        errors[field] = _("At most %(max)s.") % {"max": MAX_QTY}
        return None
    return number


@dataclass
class Line:
    variant: Variant
    qty: int
    unit_cost: int | None = None


def _lines(raw, *, field="lines", cost=False, qty_key="qty", minimum=1) -> list[Line]:
    """Read [{"sku", "qty"(, "unit_cost")}] into variants: every bad line named at once
    (lines.2.sku …), nothing done unless all are good."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed(
            "invalid_input", _("Add at least one line."), fields={field: _("Required.")}
        )
    if len(raw) > MAX_LINES:
        raise ValidationFailed(
            "invalid_input",
            _("At most %(max)s lines.") % {"max": MAX_LINES},
            fields={field: _("Too many lines.")},
        )
    errors: dict = {}
    skus = {
        str(item.get("sku") or "").strip()
        for item in raw
        if isinstance(item, dict) and item.get("sku")
    }
    variants = {v.sku: v for v in Variant.objects.filter(sku__in=skus).select_related("product")}
    out, unknown = [], []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[f"{field}.{i}"] = _("Invalid line.")
            continue
        sku = str(item.get("sku") or "").strip()
        variant = variants.get(sku)
        if not sku:
            errors[f"{field}.{i}.sku"] = _("Required.")
        elif variant is None:
            errors[f"{field}.{i}.sku"] = _("Unknown SKU “%(sku)s”.") % {"sku": sku[:64]}
            unknown.append(sku)
        qty = _int(item.get(qty_key), f"{field}.{i}.{qty_key}", errors, minimum=minimum)
        unit_cost = None
        if cost:
            unit_cost = _int(
                item.get("unit_cost"), f"{field}.{i}.unit_cost", errors, minimum=0, required=False
            )
        if variant is not None and qty is not None:
            out.append(Line(variant, qty, unit_cost))
    if errors:
        if unknown and len(unknown) == len(errors):
            raise ValidationFailed(
                "unknown_sku",
                _("Unknown SKU: %(skus)s.") % {"skus": ", ".join(s[:64] for s in unknown)},
                fields=errors,
            )
        raise ValidationFailed(
            "invalid_input", _("Some lines are not valid: see each line."), fields=errors
        )
    return out


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


# --- receipts ---------------------------------------------------------------------------


@transaction.atomic
def receive_stock(*, actor, warehouse, lines, supplier="", note="") -> StockReceipt:
    """Goods received into a warehouse: one receipt, one receipt movement per SKU."""
    require_stock_work(actor)
    wh = _warehouse(warehouse, "warehouse")
    items = _lines(lines, cost=True)
    receipt = StockReceipt.objects.create(
        warehouse=wh,
        supplier=_text(supplier, 200),
        note=_text(note, 2000),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    StockReceiptLine.objects.bulk_create(
        [
            StockReceiptLine(receipt=receipt, variant=i.variant, qty=i.qty, unit_cost=i.unit_cost)
            for i in items
        ]
    )
    changes: dict[int, int] = {}
    for i in items:
        changes[i.variant.pk] = changes.get(i.variant.pk, 0) + i.qty
    stock_change(
        warehouse_id=wh.pk,
        changes=changes,
        kind=Kind.RECEIPT,
        doc=receipt,
        actor=actor,
        reason=receipt.supplier,
        now=receipt.created_at,
    )
    return receipt


# --- adjustments ------------------------------------------------------------------------


def active_reasons():
    return AdjustmentReason.objects.filter(active=True)


@transaction.atomic
def adjust_stock(*, actor, warehouse, sku, qty_change, reason, note="") -> StockAdjustment:
    require_stock_work(actor)
    wh = _warehouse(warehouse, "warehouse")
    errors: dict = {}
    change = _int(qty_change, "qty_change", errors)
    if change == 0:
        errors["qty_change"] = _("Enter a change other than zero.")
    why = AdjustmentReason.objects.filter(code=str(reason or "").strip(), active=True).first()
    if why is None:
        errors["reason"] = _("Choose a reason from the list.") if reason else _("Required.")
    sku = str(sku or "").strip()
    variant = Variant.objects.filter(sku=sku).first() if sku else None
    if variant is None:
        errors["sku"] = _("Unknown SKU “%(sku)s”.") % {"sku": sku[:64]} if sku else _("Required.")
    if errors:
        code = "unknown_sku" if set(errors) == {"sku"} and sku else "invalid_input"
        raise ValidationFailed(code, _("The adjustment is not valid."), fields=errors)
    adjustment = StockAdjustment.objects.create(
        warehouse=wh,
        variant=variant,
        qty_change=change,
        reason=why,
        note=_text(note, 2000),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    text = why.name if not adjustment.note else f"{why.name}: {adjustment.note}"
    stock_change(
        warehouse_id=wh.pk,
        changes={variant.pk: change},
        kind=Kind.ADJUSTMENT,
        doc=adjustment,
        actor=actor,
        reason=text,
        now=adjustment.created_at,
    )
    return adjustment


# --- transfers --------------------------------------------------------------------------


@transaction.atomic
def transfer_stock(*, actor, from_warehouse, to_warehouse, lines, note="") -> StockTransfer:
    """Immediate: out of one warehouse and into the other in this transaction."""
    require_stock_work(actor)
    source = _warehouse(from_warehouse, "from")
    target = _warehouse(to_warehouse, "to")
    if source.pk == target.pk:
        raise ValidationFailed(
            "same_warehouse",
            _("Choose two different warehouses."),
            fields={"to": _("Same as the warehouse the goods leave.")},
        )
    items = _lines(lines)
    transfer = StockTransfer.objects.create(
        from_warehouse=source,
        to_warehouse=target,
        note=_text(note, 2000),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    StockTransferLine.objects.bulk_create(
        [StockTransferLine(transfer=transfer, variant=i.variant, qty=i.qty) for i in items]
    )
    changes: dict[int, int] = {}
    for i in items:
        changes[i.variant.pk] = changes.get(i.variant.pk, 0) + i.qty
    # Lock the two warehouses' rows in warehouse order (stock_change locks by variant
    # within one warehouse) so two opposite transfers never deadlock.
    steps = [
        (source, {vid: -qty for vid, qty in changes.items()}, Kind.TRANSFER_OUT),
        (target, changes, Kind.TRANSFER_IN),
    ]
    for wh, moves, kind in sorted(steps, key=lambda step: step[0].pk):
        stock_change(
            warehouse_id=wh.pk,
            changes=moves,
            kind=kind,
            doc=transfer,
            actor=actor,
            reason=f"{source.code} → {target.code}",
            now=transfer.created_at,
        )
    return transfer


# --- stocktakes -------------------------------------------------------------------------


@transaction.atomic
def stocktake_start(*, actor, warehouse, note="") -> Stocktake:
    """A count sheet for a warehouse: one line per active variant stocked there."""
    require_stock_work(actor)
    wh = _warehouse(warehouse, "warehouse")
    take = Stocktake.objects.create(
        warehouse=wh,
        note=_text(note, 2000),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    variant_ids = (
        Stock.objects.filter(warehouse=wh, variant__active=True)
        .order_by("variant__sku")
        .values_list("variant_id", flat=True)
    )
    StocktakeLine.objects.bulk_create(
        [StocktakeLine(stocktake=take, variant_id=vid) for vid in variant_ids]
    )
    return take


def _open(stocktake_id, *, lock=True) -> Stocktake:
    qs = Stocktake.objects.select_related("warehouse")
    if lock:
        qs = qs.select_for_update(of=("self",))
    take = qs.filter(pk=stocktake_id).first()
    if take is None:
        raise NotFound("not_found", _("No such stocktake."))
    if take.status != Stocktake.Status.OPEN:
        raise Conflict("stocktake_closed", _("This stocktake is already posted or cancelled."))
    return take


@transaction.atomic
def stocktake_count(*, actor, stocktake_id, lines) -> Stocktake:
    """Enter counts [{"sku", "counted"}]. A SKU not on the sheet is added. The on hand the
    system has right now is remembered as the line's expected quantity."""
    require_stock_work(actor)
    take = _open(stocktake_id)
    items = _lines(lines, qty_key="counted", minimum=0)
    on_hand = dict(
        Stock.objects.filter(
            warehouse_id=take.warehouse_id, variant_id__in=[i.variant.pk for i in items]
        ).values_list("variant_id", "on_hand")
    )
    existing = {
        line.variant_id: line
        for line in take.lines.filter(variant_id__in=[i.variant.pk for i in items])
    }
    now = timezone.now()
    actor_obj = actor if getattr(actor, "pk", None) else None
    for i in items:
        line = existing.get(i.variant.pk) or StocktakeLine(stocktake=take, variant=i.variant)
        line.counted = i.qty
        line.expected = on_hand.get(i.variant.pk, 0)
        line.counted_at = now
        line.counted_by = actor_obj
        line.save()
        existing[i.variant.pk] = line
    return take


@transaction.atomic
def stocktake_post(*, actor, stocktake_id) -> Stocktake:
    """Post the differences as one set of stocktake movements: counted − expected of each
    counted line, applied to on hand as it is now (see the module's note)."""
    require_stock_work(actor)
    take = _open(stocktake_id)
    lines = list(take.lines.filter(counted__isnull=False))
    changes = {line.variant_id: line.counted - line.expected for line in lines}
    now = timezone.now()
    stock_change(
        warehouse_id=take.warehouse_id,
        changes=changes,
        kind=Kind.STOCKTAKE,
        doc=take,
        actor=actor,
        reason=take.note[:200],
        now=now,
    )
    for line in lines:
        line.posted_change = changes[line.variant_id]
    StocktakeLine.objects.bulk_update(lines, ["posted_change"])
    take.status = Stocktake.Status.POSTED
    take.posted_at = now
    take.posted_by = actor if getattr(actor, "pk", None) else None
    take.save(update_fields=["status", "posted_at", "posted_by"])
    return take


@transaction.atomic
def stocktake_cancel(*, actor, stocktake_id) -> Stocktake:
    require_stock_work(actor)
    take = _open(stocktake_id)
    take.status = Stocktake.Status.CANCELLED
    take.save(update_fields=["status"])
    return take


# --- adjustment reasons (owner-managed) ----------------------------------------------------


def can_manage_reasons(actor) -> bool:
    from tokodesk.accounts.roles import role_of

    return actor is None or (
        getattr(actor, "is_authenticated", False) and role_of(actor) == "owner"
    )


@transaction.atomic
def reason_save(*, actor, code, name, active=True) -> AdjustmentReason:
    """Add a reason or rename / (de)activate one, by its code. Reasons are never deleted:
    past adjustments point at them."""
    if not can_manage_reasons(actor):
        raise PermissionDenied("permission_denied", _("Only the owner can change the reasons."))
    from django.utils.text import slugify

    errors = {}
    code = slugify(str(code or ""))[:30]
    name = str(name or "").strip()[:100]
    if not code:
        errors["code"] = _("Required.")
    if not name:
        errors["name"] = _("Required.")
    if errors:
        raise ValidationFailed("invalid_input", _("The reason is not valid."), fields=errors)
    reason, created = AdjustmentReason.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "active": bool(active),
            "position": AdjustmentReason.objects.count(),
        },
    )
    if not created:
        reason.name, reason.active = name, bool(active)
        reason.save(update_fields=["name", "active"])
    return reason
