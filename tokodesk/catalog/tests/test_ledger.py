"""The stock ledger: every operation writes its movements with the balances after them,
refusals change nothing, and `check_stock` finds any row that does not add up."""

import pytest
from django.core.management import call_command

from tokodesk.catalog.models import Stock, StockMovement, Stocktake
from tokodesk.catalog.services import stock_ops
from tokodesk.catalog.services.ledger import open_ledger, stock_differences
from tokodesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from tokodesk.orders.tests.factories import make_order, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(shop):
    open_ledger()  # the fixture's stock predates the ledger
    assert not stock_differences()
    return shop


def stock(sku, wh="jkt"):
    return Stock.objects.get(variant__sku=sku, warehouse__code=wh)


def moves(**filters):
    return list(StockMovement.objects.filter(**filters).order_by("id"))


def test_receipt_writes_one_movement_per_sku_with_balance_after(ledger, users):
    receipt = stock_ops.receive_stock(
        actor=users["warehouse"],
        warehouse="jkt",
        supplier="CV Madu Jaya",
        lines=[
            {"sku": "MADU-500", "qty": 40, "unit_cost": 90000},
            {"sku": "KAOS-M", "qty": 5},
            {"sku": "MADU-500", "qty": 2},
        ],
    )
    assert stock("MADU-500").on_hand == 142 and stock("KAOS-M").on_hand == 105
    got = moves(kind="receipt")
    assert [(m.variant.sku, m.on_hand_change, m.on_hand_after) for m in got] == [
        ("KAOS-M", 5, 105),
        ("MADU-500", 42, 142),
    ] or [(m.variant.sku, m.on_hand_change, m.on_hand_after) for m in got] == [
        ("MADU-500", 42, 142),
        ("KAOS-M", 5, 105),
    ]
    assert {(m.doc_type, m.doc_id, m.actor_id, m.reason) for m in got} == {
        ("receipt", receipt.pk, users["warehouse"].pk, "CV Madu Jaya")
    }
    assert receipt.lines.count() == 3
    assert not stock_differences()


def test_receipt_into_a_warehouse_without_the_sku_creates_the_row(ledger, owner):
    stock_ops.receive_stock(actor=owner, warehouse="sby", lines=[{"sku": "KAOS-L", "qty": 7}])
    assert stock("KAOS-L", "sby").on_hand == 7
    assert not stock_differences()


def test_adjustment_needs_a_reason_and_cannot_go_negative(ledger, owner):
    with pytest.raises(ValidationFailed) as exc:
        stock_ops.adjust_stock(
            actor=owner, warehouse="jkt", sku="KAOS-M", qty_change=-2, reason="nope"
        )
    assert "reason" in exc.value.fields
    with pytest.raises(Conflict) as exc:
        stock_ops.adjust_stock(
            actor=owner, warehouse="jkt", sku="KAOS-M", qty_change=-101, reason="lost"
        )
    assert exc.value.code == "negative_stock"
    adj = stock_ops.adjust_stock(
        actor=owner, warehouse="jkt", sku="KAOS-M", qty_change=-2, reason="damaged", note="sobek"
    )
    m = moves(kind="adjustment")[0]
    assert (m.on_hand_change, m.on_hand_after, m.doc_type, m.doc_id) == (
        -2,
        98,
        "adjustment",
        adj.pk,
    )
    assert "sobek" in m.reason and m.reason.startswith(adj.reason.name)
    assert not stock_differences()


def test_adjustment_cannot_take_reserved_goods(ledger, owner):
    order = make_order(owner, lines=(("SEPATU-42", 4),), warehouse="sby")
    run(order, "confirm", owner)
    with pytest.raises(Conflict) as exc:
        stock_ops.adjust_stock(
            actor=owner, warehouse="sby", sku="SEPATU-42", qty_change=-2, reason="lost"
        )
    assert exc.value.code == "below_reserved"
    assert stock("SEPATU-42", "sby").on_hand == 5
    assert not stock_differences()


def test_unknown_sku_and_same_warehouse_are_refused_with_codes(ledger, owner):
    with pytest.raises(ValidationFailed) as exc:
        stock_ops.receive_stock(actor=owner, warehouse="jkt", lines=[{"sku": "NOPE", "qty": 1}])
    assert exc.value.code == "unknown_sku" and "lines.0.sku" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        stock_ops.transfer_stock(
            actor=owner,
            from_warehouse="jkt",
            to_warehouse="jkt",
            lines=[{"sku": "KAOS-M", "qty": 1}],
        )
    assert exc.value.code == "same_warehouse"
    with pytest.raises(ValidationFailed) as exc:
        stock_ops.receive_stock(actor=owner, warehouse="xxx", lines=[{"sku": "KAOS-M", "qty": 1}])
    assert exc.value.code == "unknown_warehouse"
    assert not moves(kind__in=["receipt", "transfer_out"])


def test_transfer_is_immediate_and_balanced(ledger, users):
    t = stock_ops.transfer_stock(
        actor=users["admin"],
        from_warehouse="jkt",
        to_warehouse="sby",
        lines=[{"sku": "KAOS-M", "qty": 30}],
    )
    assert stock("KAOS-M").on_hand == 70 and stock("KAOS-M", "sby").on_hand == 30
    out, into = moves(kind="transfer_out")[0], moves(kind="transfer_in")[0]
    assert (out.on_hand_change, into.on_hand_change) == (-30, 30)
    assert out.doc_id == into.doc_id == t.pk and out.doc_type == "transfer"
    with pytest.raises(Conflict):
        stock_ops.transfer_stock(
            actor=users["admin"],
            from_warehouse="jkt",
            to_warehouse="sby",
            lines=[{"sku": "KAOS-M", "qty": 71}],
        )
    assert stock("KAOS-M").on_hand == 70
    assert not stock_differences()


def test_stocktake_posts_the_difference_and_keeps_reservations_made_meanwhile(ledger, owner):
    take = stock_ops.stocktake_start(actor=owner, warehouse="jkt")
    assert take.lines.count() == 3
    stock_ops.stocktake_count(
        actor=owner,
        stocktake_id=take.pk,
        lines=[{"sku": "KAOS-M", "counted": 97}, {"sku": "MADU-500", "counted": 100}],
    )
    # While the sheet is open an order reserves and another ships.
    reserved = run(make_order(owner, lines=(("KAOS-M", 3),)), "confirm", owner)
    shipped = make_order(owner, method="cod", lines=(("KAOS-M", 2),))
    for action in ["confirm", "mark_ready", "ship"]:
        shipped = run(shipped, action, owner)
    assert stock("KAOS-M").on_hand == 98 and stock("KAOS-M").reserved == 3
    stock_ops.stocktake_post(actor=owner, stocktake_id=take.pk)
    s = stock("KAOS-M")
    assert (s.on_hand, s.reserved) == (95, 3)  # 3 missing at the count, the shipment kept
    st = moves(kind="stocktake")
    assert [(m.variant.sku, m.on_hand_change) for m in st] == [("KAOS-M", -3)]
    assert st[0].doc_type == "stocktake" and st[0].doc_id == take.pk
    take.refresh_from_db()
    assert take.status == Stocktake.Status.POSTED
    assert reserved.reference and not stock_differences()
    with pytest.raises(Conflict) as exc:
        stock_ops.stocktake_post(actor=owner, stocktake_id=take.pk)
    assert exc.value.code == "stocktake_closed"


def test_agents_read_only(ledger, users):
    for role in ("agent", "viewer", "finance"):
        with pytest.raises(PermissionDenied):
            stock_ops.receive_stock(
                actor=users[role], warehouse="jkt", lines=[{"sku": "KAOS-M", "qty": 1}]
            )
    assert not moves(kind="receipt")


def test_order_movements_name_the_order_and_the_actor(ledger, owner):
    order = make_order(owner, lines=(("MADU-500", 2),))
    order = run(order, "confirm", owner)
    order = run(order, "cancel", owner)
    got = [(m.kind, m.reserved_change, m.doc_ref, m.actor_id) for m in moves(doc_type="order")]
    assert got == [
        ("reservation", 2, order.reference, owner.pk),
        ("release", -2, order.reference, owner.pk),
    ]
    assert moves(kind="release")[0].reason == "test reason"
    assert not stock_differences()


def test_check_stock_command(ledger, capsys):
    call_command("check_stock")
    assert "OK" in capsys.readouterr().out
    Stock.objects.filter(variant__sku="KAOS-M").update(on_hand=99)  # written behind the ledger
    with pytest.raises(SystemExit) as exc:
        call_command("check_stock")
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "KAOS-M" in out and "on hand 99 (ledger 100)" in out
