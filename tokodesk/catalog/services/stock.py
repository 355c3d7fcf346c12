"""Stock movements. Every change of Stock.on_hand / Stock.reserved goes through here and
writes its StockMovement rows (the ledger) in the same transaction: on hand and reserved
of a stock row always equal the sums of its movements (`tokodesk check_stock`).

Each function takes (variant_id, qty) pairs for one warehouse and locks the stock rows in
a stable order so two orders never deadlock each other. `doc` is what the movement
belongs to (an Order, a Return, a StockReceipt … or a (type, id, ref) triple) and `actor`
the user who caused it (None for the system or a customer)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connections, router
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Stock, StockMovement, Variant
from tokodesk.core.errors import Conflict

Lines = Iterable[tuple[int, int]]  # (variant_id, qty)
Kind = StockMovement.Kind

_DOC_TYPES = {
    "orders.order": StockMovement.Doc.ORDER,
    "returns.return": StockMovement.Doc.RETURN,
    "catalog.stockreceipt": StockMovement.Doc.RECEIPT,
    "catalog.stocktransfer": StockMovement.Doc.TRANSFER,
    "catalog.stocktake": StockMovement.Doc.STOCKTAKE,
    "catalog.stockadjustment": StockMovement.Doc.ADJUSTMENT,
}


def doc_of(doc) -> tuple[str, int | None, str]:
    """(doc_type, doc_id, doc_ref) of a document: a model instance, a triple, or None."""
    if doc is None:
        return ("", None, "")
    if isinstance(doc, tuple):
        return doc
    doc_type = _DOC_TYPES[doc._meta.label_lower]
    ref = getattr(doc, "reference", "") or str(doc)
    return (doc_type, doc.pk, ref[:40])


def _actor_id(actor) -> int | None:
    return getattr(actor, "pk", None) or None


_MOVE_FIELDS = [f for f in StockMovement._meta.concrete_fields if not f.primary_key]


def _write(moves: list[StockMovement]) -> None:
    """Insert the movements with one executemany: one statement however many there are
    (bulk_create splits by SQLite's parameter limit, and the bulk form's query count must
    not grow with the orders)."""
    if not moves:
        return
    connection = connections[router.db_for_write(StockMovement)]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _MOVE_FIELDS)
    marks = ", ".join(["%s"] * len(_MOVE_FIELDS))
    sql = f"INSERT INTO {qn(StockMovement._meta.db_table)} ({columns}) VALUES ({marks})"
    rows = [
        [f.get_db_prep_save(getattr(m, f.attname), connection) for f in _MOVE_FIELDS] for m in moves
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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


def _locked_or_created(warehouse_id: int, variant_ids) -> dict[int, Stock]:
    """Like _locked, creating the missing rows first (empty; a concurrent creator wins
    the unique constraint and we wait on its row lock)."""
    variant_ids = sorted(set(variant_ids))
    stock = _locked(warehouse_id, variant_ids)
    missing = [vid for vid in variant_ids if vid not in stock]
    if missing:
        Stock.objects.bulk_create(
            [Stock(warehouse_id=warehouse_id, variant_id=vid) for vid in missing],
            ignore_conflicts=True,
        )
        stock = _locked(warehouse_id, variant_ids)
    return stock


def _case(values: dict[int, int]):
    if len(set(values.values())) == 1:
        return Value(next(iter(values.values())))
    return Case(
        *[When(variant_id=vid, then=Value(v)) for vid, v in values.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def _post(
    warehouse_id: int,
    stock: dict[int, Stock],
    changes: dict[int, tuple[int, int]],
    *,
    kind: str,
    doc=None,
    actor=None,
    reason: str = "",
    now=None,
) -> list[StockMovement]:
    """Move each locked row by (on hand change, reserved change): one UPDATE, and one
    movement per variant with the balances after it. Variants without a stock row are
    skipped (there is nothing to move)."""
    changes = {
        vid: (dh, dr) for vid, (dh, dr) in sorted(changes.items()) if vid in stock and (dh or dr)
    }
    if not changes:
        return []
    update = {}
    if any(dh for dh, _dr in changes.values()):
        update["on_hand"] = F("on_hand") + _case({vid: dh for vid, (dh, _dr) in changes.items()})
    if any(dr for _dh, dr in changes.values()):
        update["reserved"] = F("reserved") + _case({vid: dr for vid, (_dh, dr) in changes.items()})
    Stock.objects.filter(warehouse_id=warehouse_id, variant_id__in=list(changes)).update(**update)
    doc_type, doc_id, doc_ref = doc_of(doc)
    now = now or timezone.now()
    actor_id = _actor_id(actor)
    moves = []
    for vid, (dh, dr) in changes.items():
        row = stock[vid]
        row.on_hand += dh
        row.reserved += dr
        moves.append(
            StockMovement(
                variant_id=vid,
                warehouse_id=warehouse_id,
                kind=kind,
                on_hand_change=dh,
                reserved_change=dr,
                on_hand_after=row.on_hand,
                reserved_after=row.reserved,
                actor_id=actor_id,
                created_at=now,
                reason=str(reason)[:200],
                doc_type=doc_type,
                doc_id=doc_id,
                doc_ref=doc_ref,
            )
        )
    _write(moves)
    return moves


def _skus(variant_ids) -> dict[int, str]:
    return dict(Variant.objects.filter(pk__in=list(variant_ids)).values_list("pk", "sku"))


def _sku_list(variant_ids) -> str:
    skus = _skus(variant_ids)
    return ", ".join(skus.get(vid, str(vid)) for vid in variant_ids)


def shortages(
    warehouse_id: int | None, lines: Lines, *, reserved_by_self: bool = False
) -> list[str]:
    """SKUs that the warehouse cannot supply. With reserved_by_self the order's own
    reservation counts as available (it is checking stock it already holds)."""
    totals = _merged(lines)
    if warehouse_id is None:
        return ["—"]
    stock = {
        s.variant_id: s
        for s in Stock.objects.filter(warehouse_id=warehouse_id, variant_id__in=totals)
    }
    short = []
    for variant_id, qty in totals.items():
        s = stock.get(variant_id)
        have = 0 if s is None else (s.on_hand if reserved_by_self else s.available)
        if have < qty:
            short.append(variant_id)
    skus = _skus(short) if short else {}
    return [skus.get(vid, str(vid)) for vid in short]


def stock_reserve(*, warehouse_id: int, lines: Lines, doc=None, actor=None) -> None:
    totals = _merged(lines)
    stock = _locked(warehouse_id, totals)
    short = [vid for vid, qty in totals.items() if vid not in stock or stock[vid].available < qty]
    if short:
        raise Conflict(
            "insufficient_stock",
            _("Not enough stock in the warehouse for: %(skus)s.") % {"skus": _sku_list(short)},
        )
    _post(
        warehouse_id,
        stock,
        {vid: (0, qty) for vid, qty in totals.items()},
        kind=Kind.RESERVATION,
        doc=doc,
        actor=actor,
    )


def stock_reserve_many(
    items: list[tuple[int, int, Lines]], *, docs: dict | None = None, actor=None
) -> dict[int, Conflict]:
    """Reserve stock for many orders at once: items are (order key, warehouse id, lines),
    served in the given order as one stock_reserve per order would serve them (an order
    that does not find enough of everything reserves nothing). All the stock rows are
    locked first, in (warehouse, variant) order; one UPDATE per warehouse and one
    reservation movement per order and variant (docs maps the order key to its order).
    Returns the refusals by order key, with stock_reserve's message."""
    docs = docs or {}
    wanted: dict[int, set] = defaultdict(set)
    merged = []
    for key, warehouse_id, lines in items:
        totals = _merged(lines)
        merged.append((key, warehouse_id, totals))
        wanted[warehouse_id] |= set(totals)
    stock = {wid: _locked(wid, sorted(vids)) for wid, vids in sorted(wanted.items())}
    taken: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    granted: list[tuple[int, int, dict[int, int]]] = []
    refused: dict[int, list[int]] = {}
    for key, warehouse_id, totals in merged:
        rows, used = stock[warehouse_id], taken[warehouse_id]
        short = [
            vid
            for vid, qty in totals.items()
            if vid not in rows or rows[vid].available - used[vid] < qty
        ]
        if short:
            refused[key] = short
            continue
        for vid, qty in totals.items():
            used[vid] += qty
        granted.append((key, warehouse_id, totals))
    doc_type, doc_id, doc_ref = "", None, ""
    now, actor_id = timezone.now(), _actor_id(actor)
    moves = []
    for key, warehouse_id, totals in granted:
        doc_type, doc_id, doc_ref = doc_of(docs.get(key))
        rows = stock[warehouse_id]
        for vid, qty in totals.items():
            if not qty:
                continue
            rows[vid].reserved += qty
            moves.append(
                StockMovement(
                    variant_id=vid,
                    warehouse_id=warehouse_id,
                    kind=Kind.RESERVATION,
                    on_hand_change=0,
                    reserved_change=qty,
                    on_hand_after=rows[vid].on_hand,
                    reserved_after=rows[vid].reserved,
                    actor_id=actor_id,
                    created_at=now,
                    doc_type=doc_type,
                    doc_id=doc_id,
                    doc_ref=doc_ref,
                )
            )
    for warehouse_id, used in taken.items():
        used = {vid: qty for vid, qty in used.items() if qty}
        if used:
            Stock.objects.filter(warehouse_id=warehouse_id, variant_id__in=list(used)).update(
                reserved=F("reserved") + _case(used)
            )
    _write(moves)
    skus = _skus({vid for short in refused.values() for vid in short}) if refused else {}
    return {
        key: Conflict(
            "insufficient_stock",
            _("Not enough stock in the warehouse for: %(skus)s.")
            % {"skus": ", ".join(skus.get(vid, str(vid)) for vid in short)},
        )
        for key, short in refused.items()
    }


def stock_release(
    *, warehouse_id: int, lines: Lines, doc=None, actor=None, reason: str = ""
) -> None:
    totals = _merged(lines)
    stock = _locked(warehouse_id, totals)
    _post(
        warehouse_id,
        stock,
        {vid: (0, -qty) for vid, qty in totals.items()},
        kind=Kind.RELEASE,
        doc=doc,
        actor=actor,
        reason=reason,
    )


def stock_deduct(
    *,
    warehouse_id: int,
    lines: Lines,
    reserved: bool = True,
    doc=None,
    actor=None,
    kind: str = Kind.SHIPMENT,
    reason: str = "",
) -> None:
    """The parcel left the warehouse: the reservation (if any) becomes a deduction."""
    totals = _merged(lines)
    stock = _locked(warehouse_id, totals)
    _post(
        warehouse_id,
        stock,
        {vid: (-qty, -qty if reserved else 0) for vid, qty in totals.items()},
        kind=kind,
        doc=doc,
        actor=actor,
        reason=reason,
    )


def stock_undeduct(*, warehouse_id: int, lines: Lines, doc=None, actor=None) -> None:
    """A shipment was cancelled before pickup: the goods are back on the shelf, reserved."""
    totals = _merged(lines)
    stock = _locked(warehouse_id, totals)
    _post(
        warehouse_id,
        stock,
        {vid: (qty, qty) for vid, qty in totals.items()},
        kind=Kind.UNSHIPMENT,
        doc=doc,
        actor=actor,
    )


def stock_restock(
    *,
    warehouse_id: int,
    lines: Lines,
    doc=None,
    actor=None,
    kind: str = Kind.RTS,
    reason: str = "",
) -> None:
    """Goods back on the shelf: a parcel returned to sender (kind rts) or a customer's
    return (kind return_restock). Creates the stock row if the warehouse had none."""
    totals = _merged(lines)
    stock = _locked_or_created(warehouse_id, totals)
    _post(
        warehouse_id,
        stock,
        {vid: (qty, 0) for vid, qty in totals.items()},
        kind=kind,
        doc=doc,
        actor=actor,
        reason=reason,
    )


def stock_change(
    *,
    warehouse_id: int,
    changes: dict[int, int],
    kind: str,
    doc=None,
    actor=None,
    reason: str = "",
    now=None,
) -> list[StockMovement]:
    """Move on hand by a signed quantity per variant (receipts, adjustments, transfers,
    stocktakes). Refused as a whole (409) if any row would go below zero or below what is
    reserved on it: reservations made by orders are never taken away by a count."""
    changes = {vid: qty for vid, qty in sorted(changes.items()) if qty}
    if not changes:
        return []
    # Missing rows are created empty (callers run in a transaction: a refusal rolls them back).
    stock = _locked_or_created(warehouse_id, changes)
    negative = [vid for vid, qty in changes.items() if stock[vid].on_hand + qty < 0]
    if negative:
        raise Conflict(
            "negative_stock",
            _("Not enough on hand for: %(skus)s.") % {"skus": _sku_list(negative)},
        )
    below = [vid for vid, qty in changes.items() if stock[vid].on_hand + qty < stock[vid].reserved]
    if below:
        raise Conflict(
            "below_reserved",
            _(
                "On hand would drop below what orders have reserved for: %(skus)s. "
                "Cancel or move those orders first."
            )
            % {"skus": _sku_list(below)},
        )
    return _post(
        warehouse_id,
        stock,
        {vid: (qty, 0) for vid, qty in changes.items()},
        kind=kind,
        doc=doc,
        actor=actor,
        reason=reason,
        now=now,
    )
