"""Receiving and resolving at the service level: restocking, partial acceptance and fees,
each resolution's effect (refund, ledger, linked order contents), the refund cap across
partial returns and goodwill, and bank refunds pending until their proof."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from tokodesk.catalog.models import Stock, StockMovement
from tokodesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tokodesk.core.tests import files
from tokodesk.orders.models import Order
from tokodesk.orders.services import order_add_note
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import Refund
from tokodesk.returns.refunds import goodwill_refund, refund_mark_paid
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.selectors import store_credit_balance, store_credit_ledger
from tokodesk.returns.services import ExtraLineInput, return_create
from tokodesk.returns.tests.factories import BANK, act, paid_order, return_data, return_in

PDF = files.PDF


def proof():
    return SimpleUploadedFile("bukti-transfer.pdf", PDF, content_type="application/pdf")


def on_hand(sku, warehouse="jkt"):
    return Stock.objects.get(variant__sku=sku, warehouse__code=warehouse).on_hand


def order_state(order):
    order = Order.objects.get(pk=order.pk)
    return (order.status, order.version, order.awb, order.total, order.paid_total,
            list(order.payments.values_list("kind", "amount", "voided_at")),
            list(order.notes.values_list("body", flat=True)), list(order.lines.values_list("sku", "qty", "unit_price")))


def received(owner, *, resolution="refund", lines=(("KAOS-M", 2), ("MADU-500", 1)), order=None, conditions=None,
             fees=()):
    """A return of `lines`, approved and received (all resellable unless `conditions`)."""
    order = order or paid_order(owner)
    data = return_data(order, resolution=resolution, lines=list(lines),
                       extra_lines=[ExtraLineInput(description=d, amount=a) for d, a in fees])
    ret = act(return_create(data=data, actor=owner), "approve", owner)
    conditions = conditions or {}
    return act(ret, "receive", owner, lines=[
        {"sku": sku, "qty": qty, "condition": conditions.get(sku, "resellable")} for sku, qty in lines])


# --- receiving --------------------------------------------------------------------------------


def test_receive_restocks_resellable_goods_to_the_chosen_warehouse(shop, owner):
    kaos_sby = Stock.objects.filter(variant__sku="KAOS-M", warehouse__code="sby")
    assert not kaos_sby.exists()
    order = paid_order(owner)
    ret = act(return_create(data=return_data(order), actor=owner), "approve", owner)
    madu_before = on_hand("MADU-500")
    ret = act(ret, "receive", owner, warehouse="sby", lines=[
        {"sku": "KAOS-M", "qty": 1, "condition": "resellable", "serial_numbers": ["KM-001"]},
        {"sku": "MADU-500", "qty": 1, "condition": "damaged"}])
    assert kaos_sby.get().on_hand == 1  # a stock row is made where there was none
    assert on_hand("MADU-500") == madu_before
    lines = {li.sku: li for li in ret.lines.all()}
    assert (lines["KAOS-M"].qty_received, lines["KAOS-M"].condition, lines["KAOS-M"].qty_restocked,
            lines["KAOS-M"].serial_numbers) == (1, "resellable", 1, ["KM-001"])
    assert (lines["MADU-500"].qty_received, lines["MADU-500"].condition, lines["MADU-500"].qty_restocked) == (
        1, "damaged", 0)
    assert ret.restock_warehouse.code == "sby"
    event = ret.events.order_by("-id").first()
    assert event.data["restocked"] == [{"sku": "KAOS-M", "qty": 1}] and event.data["warehouse"] == "sby"


def test_receive_defaults_to_the_order_warehouse_and_unlisted_lines_are_not_received(shop, owner):
    ret = act(return_in("draft", owner), "approve", owner)
    before = on_hand("KAOS-M")
    ret = act(ret, "receive", owner, warehouse=None, lines=[{"sku": "KAOS-M", "qty": 2}])
    assert on_hand("KAOS-M") == before + 2
    assert ret.lines.get(sku="MADU-500").qty_received == 0


@pytest.mark.parametrize(("lines", "field"), [
    ([{"sku": "KAOS-L", "qty": 1}], "lines.0.sku"),
    ([{"sku": "KAOS-M", "qty": 3}], "lines.0.qty"),
    ([{"sku": "KAOS-M", "qty": 1}, {"sku": "KAOS-M", "qty": 1}], "lines.1.sku"),
    ([{"line": 999999, "qty": 1}], "lines.0.line"),
    ([{"sku": "KAOS-M", "qty": 1, "serial_numbers": ["A", "B"]}], "lines.0.serial_numbers"),
])
def test_receive_refuses_bad_lines(shop, owner, snapshot, lines, field):
    ret = return_in("awaiting_item", owner)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        act(ret, "receive", owner, lines=lines)
    assert field in exc.value.fields
    assert snapshot() == before


# --- complete: decisions and amounts ----------------------------------------------------------


def test_partial_acceptance_fees_and_refused_goods_leave_the_shelf(shop, owner):
    ret = received(owner, fees=[("Ongkir retur", 10000)], conditions={"MADU-500": "damaged"})
    kaos = on_hand("KAOS-M")
    ret = act(ret, "complete", owner, lines=[{"sku": "KAOS-M", "decision": "accept", "qty": 1},
                                             {"sku": "MADU-500", "decision": "refuse"}], **BANK)
    lines = {li.sku: li for li in ret.lines.all()}
    assert (lines["KAOS-M"].decision, lines["KAOS-M"].qty_accepted, lines["KAOS-M"].qty_restocked) == ("accept", 1, 1)
    assert (lines["MADU-500"].decision, lines["MADU-500"].qty_accepted) == ("refuse", 0)
    assert on_hand("KAOS-M") == kaos - 1  # the refused unit goes back to the customer
    assert (ret.accepted_total, ret.fees_total, ret.resolution_amount) == (75000, 10000, 65000)
    refund = ret.refunds.get()
    assert (refund.amount, refund.method, refund.status, refund.bank_name, refund.account_number,
            refund.account_holder) == (65000, "bank_transfer", "pending", "BCA", "1234567890", "Siti Rahayu")
    event = ret.events.order_by("-id").first()
    assert event.data["unrestocked"] == [{"sku": "KAOS-M", "qty": 1}] and event.data["refund_amount"] == 65000
    # The stock ledger says why the unit left, in the reader's language (the system's reason is a code).
    move = StockMovement.objects.filter(variant__sku="KAOS-M", kind="return_restock").latest("id")
    assert move.on_hand_change == -1 and move.reason == "refused_returned"
    with translation.override("fr"):
        assert move.reason_label == "Refusé à l'inspection\u00a0: renvoyé au client"
    with translation.override("en"):
        assert move.reason_label == "Refused at inspection: sent back to the customer"
        move.reason = "refused: back to the customer"  # as earlier versions stored it
        assert move.reason_label == "Refused at inspection: sent back to the customer"
        move.reason = "rusak di gudang"  # a person's reason stays as written
        assert move.reason_label == "rusak di gudang"


@pytest.mark.parametrize(("lines", "field"), [
    ([{"sku": "KAOS-M", "decision": "accept"}], "lines"),  # MADU-500 received, no decision
    ([{"sku": "KAOS-M", "decision": "accept", "qty": 3}, {"sku": "MADU-500", "decision": "refuse"}], "lines.0.qty"),
    ([{"sku": "KAOS-M", "decision": "accept", "qty": 0}, {"sku": "MADU-500", "decision": "refuse"}], "lines.0.qty"),
    ([{"sku": "KAOS-M", "decision": "refuse", "qty": 1}, {"sku": "MADU-500", "decision": "refuse"}], "lines.0.qty"),
    ([{"sku": "SEPATU-42", "decision": "accept"}], "lines.0.sku"),
])
def test_complete_refuses_bad_decisions(shop, owner, snapshot, lines, field):
    ret = received(owner)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        act(ret, "complete", owner, lines=lines, **BANK)
    assert field in exc.value.fields
    assert snapshot() == before


def test_a_bank_refund_needs_the_customer_s_account(shop, owner, snapshot):
    ret = received(owner)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        act(ret, "complete", owner, bank_name="", account_number="", account_holder="")
    assert set(exc.value.fields) == {"bank_name", "account_number", "account_holder"}
    assert snapshot() == before
    ret = act(ret, "complete", owner, refund_method="cash", bank_name="", account_number="", account_holder="")
    assert ret.refunds.get().method == "cash"


def test_nothing_accepted_gives_nothing(shop, owner):
    refund = received(owner)
    refund = act(refund, "complete", owner, lines=[{"sku": "KAOS-M", "decision": "refuse"},
                                                   {"sku": "MADU-500", "decision": "refuse"}])
    assert refund.status == "completed" and not refund.refunds.exists() and refund.resolution_amount == 0
    exchange = received(owner, resolution="exchange_same", order=paid_order(owner))
    exchange = act(exchange, "complete", owner, lines=[{"sku": "KAOS-M", "decision": "refuse"},
                                                       {"sku": "MADU-500", "decision": "refuse"}])
    assert exchange.replacement_order is None


# --- the refund cap -----------------------------------------------------------------------------


def test_refunds_never_exceed_what_was_paid_across_partial_returns(shop, owner, snapshot):
    order = paid_order(owner)  # 2 × 75 000 + 150 000 + 18 000 shipping, paid by transfer
    assert order.paid_total == 318000
    first = received(owner, order=order, lines=[("KAOS-M", 1)])
    act(first, "complete", owner)
    goodwill_refund(order_reference=order.reference, amount=200000, method="store_credit", actor=owner,
                    note="maaf, paket telat")
    second = received(owner, order=order, lines=[("MADU-500", 1)])
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        act(second, "complete", owner)  # 75 000 + 200 000 + 150 000 > 318 000
    assert exc.value.code == "refund_exceeds_paid"
    assert "Rp 43.000" in str(exc.value.message)  # what is left to refund, in rupiah
    assert snapshot() == before
    second = act(second, "complete", owner, refund_amount=43000)
    assert second.refunds.get().amount == 43000
    assert sum(Refund.objects.filter(order=order).values_list("amount", flat=True)) == order.paid_total
    with pytest.raises(Conflict) as exc:
        goodwill_refund(order_reference=order.reference, amount=1, method="cash", actor=owner)
    assert exc.value.code == "refund_exceeds_paid"


def test_a_delivered_cod_order_is_paid_so_its_return_refunds(shop, owner):
    # The courier's cash is recorded at delivery (orders.cod, issue 12 item 1): the refund works.
    order = paid_order(owner, status="delivered", method="cod")
    assert order.paid_total == order.total
    ret = received(owner, order=order, lines=[("MADU-500", 1)])
    ret = act(ret, "complete", owner)
    assert ret.status == "completed" and ret.refunds.get().amount == 150000


# --- bank refunds wait for their proof ------------------------------------------------------------


def test_a_bank_transfer_refund_is_pending_until_proof_and_date(shop, users, snapshot):
    owner, finance = users["owner"], users["finance"]
    ret = act(received(owner, lines=[("KAOS-M", 1)]), "complete", finance)
    refund = ret.refunds.get()
    assert refund.status == "pending"
    for kwargs, fields in [({}, {"proof", "paid_on"}), ({"proof": proof()}, {"paid_on"}),
                           ({"paid_on": timezone.localdate()}, {"proof"})]:
        before = snapshot()
        with pytest.raises(ValidationFailed) as exc:
            refund_mark_paid(refund_id=refund.pk, actor=finance, **kwargs)
        assert set(exc.value.fields) == fields
        assert snapshot() == before
    with pytest.raises(ValidationFailed):
        refund_mark_paid(refund_id=refund.pk, actor=finance, proof=proof(),
                         paid_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        refund_mark_paid(refund_id=refund.pk, actor=users["warehouse"], proof=proof(), paid_on=timezone.localdate())
    version = ret.version
    refund = refund_mark_paid(refund_id=refund.pk, actor=finance, proof=proof(), paid_on=dt.date(2026, 1, 5),
                              reference="TRF-778")
    assert (refund.status, refund.paid_on, refund.reference, refund.paid_recorded_by) == (
        "paid", dt.date(2026, 1, 5), "TRF-778", finance)
    assert refund.proof.read() == PDF
    ret.refresh_from_db()
    assert ret.version == version + 1
    event = ret.events.order_by("-id").first()
    assert (event.kind, event.actor, event.data["refund_id"]) == ("refund_paid", finance, refund.pk)
    with pytest.raises(Conflict) as exc:
        refund_mark_paid(refund_id=refund.pk, actor=finance, proof=proof(), paid_on=timezone.localdate())
    assert exc.value.code == "already_paid"


def test_a_proof_must_be_a_pdf_or_an_image(shop, owner):
    refund = act(received(owner, lines=[("KAOS-M", 1)]), "complete", owner).refunds.get()
    with pytest.raises(ValidationFailed) as exc:
        refund_mark_paid(refund_id=refund.pk, actor=owner, paid_on=timezone.localdate(),
                         proof=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"))
    assert "proof" in exc.value.fields


def test_cash_refund_is_paid_with_a_date(shop, owner):
    ret = act(received(owner, lines=[("KAOS-M", 1)]), "complete", owner, refund_method="cash")
    refund = refund_mark_paid(refund_id=ret.refunds.get().pk, actor=owner)
    assert (refund.status, refund.paid_on) == ("paid", timezone.localdate())


# --- store credit ---------------------------------------------------------------------------------


def test_store_credit_is_automatic(shop, owner):
    ret = act(received(owner, resolution="store_credit", lines=[("KAOS-M", 2)]), "complete", owner)
    refund = ret.refunds.get()
    assert (refund.method, refund.status, refund.amount) == ("store_credit", "paid", 150000)
    entry = StoreCreditEntry.objects.get()
    assert (entry.customer_id, entry.amount, entry.kind, entry.return_order, entry.refund) == (
        ret.customer_id, 150000, "return", ret, refund)
    assert store_credit_balance(ret.customer_id) == 150000


def test_store_credit_can_be_left_manual(shop, owner):
    ReturnSettings.get()
    ReturnSettings.objects.update(store_credit_automatic=False)
    ret = act(received(owner, resolution="store_credit", lines=[("KAOS-M", 1)]), "complete", owner)
    refund = ret.refunds.get()
    assert (refund.status, StoreCreditEntry.objects.count()) == ("pending", 0)
    assert store_credit_balance(ret.customer_id) == 0
    refund_mark_paid(refund_id=refund.pk, actor=owner, note="ditambahkan manual")
    assert store_credit_balance(ret.customer_id) == 75000
    assert StoreCreditEntry.objects.get().note == "ditambahkan manual"


def test_ledger_running_balance(shop, owner):
    order = paid_order(owner)
    act(received(owner, resolution="store_credit", order=order, lines=[("KAOS-M", 1)]), "complete", owner)
    goodwill_refund(order_reference=order.reference, amount=5000, method="store_credit", actor=owner)
    StoreCreditEntry.objects.create(customer_id=order.customer_id, amount=-30000, kind="spent")
    ledger = store_credit_ledger(order.customer_id)
    assert [(e.amount, e.running_balance) for e in ledger] == [(75000, 75000), (5000, 80000), (-30000, 50000)]
    assert [e.kind for e in ledger] == ["return", "goodwill", "spent"]
    assert store_credit_balance(order.customer_id) == 50000


# --- exchanges -----------------------------------------------------------------------------------


def test_exchange_same_makes_a_free_replacement_order(shop, owner):
    order = paid_order(owner)
    order_add_note(reference=order.reference, actor=owner, body="pelanggan VIP")
    original = order_state(order)
    ret = received(owner, resolution="exchange_same", order=order)
    ret = act(ret, "complete", owner, lines=[{"sku": "KAOS-M", "decision": "accept", "qty": 1},
                                             {"sku": "MADU-500", "decision": "accept"}])
    new = ret.replacement_order
    assert new is not None and new.replaces_return == ret
    assert (new.status, new.channel, new.payment_method, new.customer_id, new.recipient_name, new.recipient_phone,
            new.destination_address) == ("new", "manual", "cod", order.customer_id, order.recipient_name,
                                         order.recipient_phone, order.destination_address)
    assert list(new.lines.values_list("sku", "qty", "unit_price")) == [("KAOS-M", 1, 0), ("MADU-500", 1, 0)]
    assert (new.shipping_cost, new.total, new.external_reference) == (0, 0, ret.reference)
    assert new.events.get().source == "return"
    assert not ret.refunds.exists()
    assert order_state(order) == original  # nothing of the original order is rewritten


@pytest.mark.parametrize(("returned", "wanted", "value", "due", "to_refund", "method"), [
    ("KAOS-M", ("SEPATU-42", 1), 450000, 375000, 0, "bank_transfer"),  # pays the difference
    ("KAOS-M", ("KAOS-L", 1), 75000, 0, 0, "cod"),  # even swap: nothing to collect
    ("MADU-500", ("KAOS-L", 1), 75000, 0, 75000, "cod"),  # credit left: shown as to refund
])
def test_exchange_other_shows_the_difference(shop, owner, returned, wanted, value, due, to_refund, method):
    order = paid_order(owner)
    ret = received(owner, resolution="exchange_other", order=order, lines=[(returned, 1)])
    ret = act(ret, "complete", owner, lines=[{"sku": returned, "decision": "accept"}],
              exchange_lines=[{"sku": wanted[0], "qty": wanted[1]}])
    new = ret.replacement_order
    assert list(new.lines.values_list("sku", "qty")) == [wanted]
    assert (new.subtotal, new.total, new.payment_method, new.shipping_cost) == (value, due, method, 0)
    assert ret.exchange_difference == due - to_refund
    assert ret.exchange_items == [{"sku": wanted[0], "qty": wanted[1]}]
    if wanted[0] == "SEPATU-42":
        assert new.warehouse.code == "sby"  # the only warehouse that stocks it
    assert new.replaces_return == ret


def test_exchange_other_uses_the_items_picked_at_creation(shop, owner):
    from tokodesk.returns.services import ExchangeItemInput

    order = paid_order(owner)
    data = return_data(order, resolution="exchange_other", lines=[("KAOS-M", 1)],
                       exchange_items=[ExchangeItemInput(sku="KAOS-L", qty=1)])
    ret = act(act(return_create(data=data, actor=owner), "approve", owner), "receive", owner)
    ret = act(ret, "complete", owner, exchange_lines=None)
    assert list(ret.replacement_order.lines.values_list("sku", "qty", "unit_price")) == [("KAOS-L", 1, 75000)]


def test_exchange_other_needs_items(shop, owner, snapshot):
    ret = received(owner, resolution="exchange_other", lines=[("KAOS-M", 1)])
    before = snapshot()
    for items, field in [(None, "exchange_lines"), ([{"sku": "NOPE", "qty": 1}], "exchange_lines.0.sku")]:
        with pytest.raises(ValidationFailed) as exc:
            act(ret, "complete", owner, exchange_lines=items)
        assert field in exc.value.fields
        assert snapshot() == before


# --- goodwill --------------------------------------------------------------------------------------


def test_goodwill_is_finance_s_on_delivered_or_completed_orders(shop, users, snapshot):
    from tokodesk.orders.tests.factories import order_in

    owner = users["owner"]
    order = paid_order(owner)
    for role in ("agent", "warehouse", "viewer"):
        with pytest.raises(PermissionDenied):
            goodwill_refund(order_reference=order.reference, amount=1000, method="cash", actor=users[role])
    not_delivered = order_in("paid", owner)
    with pytest.raises(Conflict) as exc:
        goodwill_refund(order_reference=not_delivered.reference, amount=1000, method="cash", actor=owner)
    assert exc.value.code == "order_not_delivered"
    with pytest.raises(NotFound):
        goodwill_refund(order_reference="ORD-404", amount=1000, method="cash", actor=owner)
    with pytest.raises(ValidationFailed) as exc:
        goodwill_refund(order_reference=order.reference, amount=1000, method="bank_transfer", actor=owner)
    assert set(exc.value.fields) == {"bank_name", "account_number", "account_holder"}
    refund = goodwill_refund(order_reference=order.reference, amount=25000, method="bank_transfer",
                             actor=users["finance"], note="kompensasi", **BANK)
    assert (refund.return_order, refund.status, refund.is_goodwill) == (None, "pending", True)
    credit = goodwill_refund(order_reference=order.reference, amount=10000, method="store_credit",
                             actor=users["finance"])
    assert credit.status == "paid" and store_credit_balance(order.customer_id) == 10000
    assert StoreCreditEntry.objects.get().kind == "goodwill"
