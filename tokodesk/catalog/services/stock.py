"""Stock movements for orders. Each takes (variant_id, qty) pairs for one warehouse and
locks the stock rows in a stable order so two orders never deadlock each other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Stock, Variant
from tokodesk.core.errors import Conflict

Lines = Iterable[tuple[int, int]]  # (variant_id, qty)


def _merged(lines: Lines) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for variant_id, qty in lines:
        totals[variant_id] += qty
    return dict(sorted(totals.items()))


def _locked(warehouse_id: int, variant_ids) -> dict[int, Stock]:
    """The stock rows, locked in variant order (only the stock rows: a FOR UPDATE over a
    join would also lock the variants, which order lines' foreign keys hold KEY SHARE on
    in PostgreSQL, and two orders could deadlock on them)."""
    rows = (
        Stock.objects.select_for_update(of=("self",))
        .filter(warehouse_id=warehouse_id, variant_id__in=list(variant_ids))
        .order_by("variant_id")
        .only("id", "variant_id", "on_hand", "reserved")
    )
    return {s.variant_id: s for s in rows}


def _apply(warehouse_id: int, totals: dict[int, int], *, on_hand: int = 0, reserved: int = 0) -> None:
    """One UPDATE for all the variants: each column moves by sign × the variant's quantity."""
    if not totals:
        return

    def delta(sign: int):
        if len(totals) == 1:
            return Value(sign * next(iter(totals.values())))
        return Case(
            *[When(variant_id=vid, then=Value(sign * qty)) for vid, qty in totals.items()],
            default=Value(0),
            output_field=IntegerField(),
        )

    changes = {}
    if on_hand:
        changes["on_hand"] = F("on_hand") + delta(on_hand)
    if reserved:
        changes["reserved"] = F("reserved") + delta(reserved)
    Stock.objects.filter(warehouse_id=warehouse_id, variant_id__in=list(totals)).update(**changes)


def _skus(variant_ids) -> dict[int, str]:
    return dict(Variant.objects.filter(pk__in=list(variant_ids)).values_list("pk", "sku"))


def shortages(warehouse_id: int | None, lines: Lines, *, reserved_by_self: bool = False) -> list[str]:
    """SKUs that the warehouse cannot supply. With reserved_by_self the order's own
    reservation counts as available (it is checking stock it already holds)."""
    totals = _merged(lines)
    if warehouse_id is None:
        return ["—"]
    stock = {s.variant_id: s for s in Stock.objects.filter(warehouse_id=warehouse_id, variant_id__in=totals)}
    short = []
    for variant_id, qty in totals.items():
        s = stock.get(variant_id)
        have = 0 if s is None else (s.on_hand if reserved_by_self else s.available)
        if have < qty:
            short.append(variant_id)
    skus = _skus(short) if short else {}
    return [skus.get(vid, str(vid)) for vid in short]


def stock_reserve(*, warehouse_id: int, lines: Lines) -> None:
    totals = _merged(lines)
    stock = _locked(warehouse_id, totals)
    short = [vid for vid, qty in totals.items() if vid not in stock or stock[vid].available < qty]
    if short:
        skus = _skus(short)
        raise Conflict(
            "insufficient_stock",
            _("Not enough stock in the warehouse for: %(skus)s.")
            % {"skus": ", ".join(skus.get(vid, str(vid)) for vid in short)},
        )
    _apply(warehouse_id, totals, reserved=+1)


def stock_reserve_many(items: list[tuple[int, int, Lines]]) -> dict[int, Conflict]:
    """Reserve stock for many orders at once: items are (order key, warehouse id, lines),
    served in the given order as one stock_reserve per order would serve them (an order
    that does not find enough of everything reserves nothing). All the stock rows are
    locked first, in (warehouse, variant) order; one UPDATE per warehouse. Returns the
    refusals by order key, with stock_reserve's message."""
    wanted: dict[int, set] = defaultdict(set)
    merged = []
    for key, warehouse_id, lines in items:
        totals = _merged(lines)
        merged.append((key, warehouse_id, totals))
        wanted[warehouse_id] |= set(totals)
    stock = {wid: _locked(wid, sorted(vids)) for wid, vids in sorted(wanted.items())}
    taken: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    refused: dict[int, list[int]] = {}
    for key, warehouse_id, totals in merged:
        rows, used = stock[warehouse_id], taken[warehouse_id]
        short = [vid for vid, qty in totals.items()
                 if vid not in rows or rows[vid].available - used[vid] < qty]
        if short:
            refused[key] = short
            continue
        for vid, qty in totals.items():
            used[vid] += qty
    for warehouse_id, used in taken.items():
        _apply(warehouse_id, {vid: qty for vid, qty in used.items() if qty}, reserved=+1)
    skus = _skus({vid for short in refused.values() for vid in short}) if refused else {}
    return {
        key: Conflict(
            "insufficient_stock",
            _("Not enough stock in the warehouse for: %(skus)s.")
            % {"skus": ", ".join(skus.get(vid, str(vid)) for vid in short)},
        )
        for key, short in refused.items()
    }


def stock_release(*, warehouse_id: int, lines: Lines) -> None:
    totals = _merged(lines)
    _locked(warehouse_id, totals)
    _apply(warehouse_id, totals, reserved=-1)


def stock_deduct(*, warehouse_id: int, lines: Lines, reserved: bool = True) -> None:
    """The parcel left the warehouse: the reservation (if any) becomes a deduction."""
    totals = _merged(lines)
    _locked(warehouse_id, totals)
    _apply(warehouse_id, totals, on_hand=-1, reserved=-1 if reserved else 0)


def stock_undeduct(*, warehouse_id: int, lines: Lines) -> None:
    """A shipment was cancelled before pickup: the goods are back on the shelf, reserved."""
    totals = _merged(lines)
    _locked(warehouse_id, totals)
    _apply(warehouse_id, totals, on_hand=+1, reserved=+1)


def stock_restock(*, warehouse_id: int, lines: Lines) -> None:
    totals = _merged(lines)
    stock = _locked(warehouse_id, totals)
    for vid, qty in totals.items():
        if vid in stock:
            Stock.objects.filter(pk=stock[vid].pk).update(on_hand=F("on_hand") + qty)
        else:
            Stock.objects.create(warehouse_id=warehouse_id, variant_id=vid, on_hand=qty)
