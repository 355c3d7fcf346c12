"""Stock movements for orders. Each takes (variant_id, qty) pairs for one warehouse and
locks the stock rows in a stable order so two orders never deadlock each other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Stock
from tokodesk.core.errors import Conflict

Lines = Iterable[tuple[int, int]]  # (variant_id, qty)


def _merged(lines: Lines) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for variant_id, qty in lines:
        totals[variant_id] += qty
    return dict(sorted(totals.items()))


def _locked(warehouse_id: int, variant_ids) -> dict[int, Stock]:
    rows = (
        # of=self: on PostgreSQL a plain FOR UPDATE would also lock the joined variant rows,
        # which an order line being written holds a KEY SHARE on (its foreign key), and
        # two orders could then deadlock on the variants.
        Stock.objects.select_for_update(of=("self",))
        .filter(warehouse_id=warehouse_id, variant_id__in=list(variant_ids))
        .order_by("variant_id")
        .select_related("variant")
    )
    return {s.variant_id: s for s in rows}


def shortages(warehouse_id: int | None, lines: Lines, *, reserved_by_self: bool = False) -> list[str]:
    """SKUs that the warehouse cannot supply. With reserved_by_self the order's own
    reservation counts as available (it is checking stock it already holds)."""
    totals = _merged(lines)
    if warehouse_id is None:
        return ["—"]
    stock = {s.variant_id: s for s in Stock.objects.filter(warehouse_id=warehouse_id, variant_id__in=totals).select_related("variant")}
    short = []
    for variant_id, qty in totals.items():
        s = stock.get(variant_id)
        have = 0 if s is None else (s.on_hand if reserved_by_self else s.available)
        if have < qty:
            short.append(s.variant.sku if s else str(variant_id))
    return short


def stock_reserve(*, warehouse_id: int, lines: Lines) -> None:
    totals = _merged(lines)
    stock = _locked(warehouse_id, totals)
    short = [
        str(vid) if vid not in stock else stock[vid].variant.sku
        for vid, qty in totals.items()
        if vid not in stock or stock[vid].available < qty
    ]
    if short:
        raise Conflict(
            "insufficient_stock",
            _("Not enough stock in the warehouse for: %(skus)s.") % {"skus": ", ".join(short)},
        )
    for vid, qty in totals.items():
        Stock.objects.filter(pk=stock[vid].pk).update(reserved=F("reserved") + qty)


def stock_release(*, warehouse_id: int, lines: Lines) -> None:
    totals = _merged(lines)
    _locked(warehouse_id, totals)
    for vid, qty in totals.items():
        Stock.objects.filter(warehouse_id=warehouse_id, variant_id=vid).update(reserved=F("reserved") - qty)


def stock_deduct(*, warehouse_id: int, lines: Lines, reserved: bool = True) -> None:
    """The parcel left the warehouse: the reservation (if any) becomes a deduction."""
    totals = _merged(lines)
    _locked(warehouse_id, totals)
    for vid, qty in totals.items():
        changes = {"on_hand": F("on_hand") - qty}
        if reserved:
            changes["reserved"] = F("reserved") - qty
        Stock.objects.filter(warehouse_id=warehouse_id, variant_id=vid).update(**changes)


def stock_undeduct(*, warehouse_id: int, lines: Lines) -> None:
    """A shipment was cancelled before pickup: the goods are back on the shelf, reserved."""
    totals = _merged(lines)
    _locked(warehouse_id, totals)
    for vid, qty in totals.items():
        Stock.objects.filter(warehouse_id=warehouse_id, variant_id=vid).update(
            reserved=F("reserved") + qty, on_hand=F("on_hand") + qty
        )


def stock_restock(*, warehouse_id: int, lines: Lines) -> None:
    totals = _merged(lines)
    stock = _locked(warehouse_id, totals)
    for vid, qty in totals.items():
        if vid in stock:
            Stock.objects.filter(pk=stock[vid].pk).update(on_hand=F("on_hand") + qty)
        else:
            Stock.objects.create(warehouse_id=warehouse_id, variant_id=vid, on_hand=qty)
