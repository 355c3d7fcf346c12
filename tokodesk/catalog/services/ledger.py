"""Reading the stock ledger: the invariant (on hand and reserved of every stock row equal
the sums of its movements) and the opening balances for stock that predates the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from tokodesk.catalog.models import Stock, StockMovement


@dataclass(frozen=True)
class Difference:
    variant_id: int
    warehouse_id: int
    sku: str
    warehouse: str
    on_hand: int
    reserved: int
    ledger_on_hand: int
    ledger_reserved: int


def stock_differences(*, warehouse_id: int | None = None, variant_ids=None) -> list[Difference]:
    """Every stock row whose on hand or reserved is not the sum of its movements, and
    every (variant, warehouse) that has movements but no stock row. Two aggregate
    queries, streamed: fine on a large ledger."""
    moves = StockMovement.objects.all()
    stock = Stock.objects.all()
    if warehouse_id is not None:
        moves, stock = (
            moves.filter(warehouse_id=warehouse_id),
            stock.filter(warehouse_id=warehouse_id),
        )
    if variant_ids is not None:
        moves, stock = (
            moves.filter(variant_id__in=variant_ids),
            stock.filter(variant_id__in=variant_ids),
        )
    sums = {
        (v, w): (h or 0, r or 0)
        for v, w, h, r in moves.order_by()
        .values("variant_id", "warehouse_id")
        .annotate(h=Sum("on_hand_change"), r=Sum("reserved_change"))
        .values_list("variant_id", "warehouse_id", "h", "r")
        .iterator()
    }
    out = []
    rows = stock.values_list(
        "variant_id", "warehouse_id", "variant__sku", "warehouse__code", "on_hand", "reserved"
    ).order_by("warehouse__code", "variant__sku")
    for v, w, sku, code, on_hand, reserved in rows.iterator():
        h, r = sums.pop((v, w), (0, 0))
        if (h, r) != (on_hand, reserved):
            out.append(Difference(v, w, sku, code, on_hand, reserved, h, r))
    for (v, w), (h, r) in sums.items():
        if h or r:
            out.append(Difference(v, w, str(v), str(w), 0, 0, h, r))
    return out


def open_ledger() -> int:
    """One opening movement for each stock row whose movements do not add up to it yet
    (stock written before the ledger existed, e.g. by a test fixture). Returns how many."""
    moves = []
    for d in stock_differences():
        moves.append(
            StockMovement(
                variant_id=d.variant_id,
                warehouse_id=d.warehouse_id,
                kind=StockMovement.Kind.OPENING,
                on_hand_change=d.on_hand - d.ledger_on_hand,
                reserved_change=d.reserved - d.ledger_reserved,
                on_hand_after=d.on_hand,
                reserved_after=d.reserved,
            )
        )
    StockMovement.objects.bulk_create(moves)
    return len(moves)
