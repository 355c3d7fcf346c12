"""A delivered COD order counts as paid (issue 12, item 1; orders.cod): the courier's cash
is recorded at delivery, remittance pending, so a return on it can be completed with a
refund; a parcel sent back records nothing; `complete` can correct the cash; a refund over
what was paid is refused with amounts in rupiah and what to do."""

import pytest
from django.utils import translation

from tokodesk.core.errors import Conflict
from tokodesk.orders.models import Order, Payment
from tokodesk.orders.tests.factories import order_in, run
from tokodesk.returns.refunds import goodwill_refund
from tokodesk.returns.tests.factories import BANK

URL = "/api/v1"


def ok(r, status=200):
    assert r.status_code == status, r.content
    return r.json()


def test_delivered_cod_order_records_the_courier_s_cash_pending_remittance(shop, owner):
    order = order_in("in_transit", owner)
    assert (order.payment_method, order.paid_total, order.payments.count()) == ("cod", 0, 0)
    order = run(order, "delivered", owner)
    payment = order.payments.get()
    assert (payment.kind, payment.amount, payment.remitted_at, payment.voided_at) == (
        "cod",
        order.total,
        None,
        None,
    )
    assert payment.reference == order.awb
    assert (order.paid_total, order.outstanding) == (order.total, 0)
    event = order.events.order_by("-id").first()
    assert (event.action, event.data["amount"], event.data["payment_id"]) == (
        "delivered",
        order.total,
        payment.pk,
    )
    # Completing records nothing more: the cash was recorded at delivery.
    order = run(order, "complete", owner)
    assert [(p.kind, p.amount) for p in order.payments.all()] == [("cod", order.total)]
    assert order.paid_total == order.total


def test_a_parcel_sent_back_records_no_cash(shop, owner):
    order = order_in("returned", owner)
    assert (order.paid_total, order.payments.count()) == (0, 0)


def test_bank_transfer_delivery_records_nothing_more(shop, owner):
    order = order_in("paid", owner)
    for action in ("mark_ready", "ship", "picked_up", "delivered"):
        order = run(order, action, owner)
    assert [p.kind for p in order.payments.all()] == ["transfer"]


def test_complete_corrects_the_cash_collected(shop, owner):
    order = order_in("delivered", owner)
    total = order.total
    order = run(order, "complete", owner, cash_collected=total - 10000)
    live = order.payments.filter(voided_at__isnull=True)
    assert [(p.kind, p.amount) for p in live] == [("cod", total - 10000)]
    assert order.payments.filter(voided_at__isnull=False).get().amount == total
    assert (order.paid_total, order.outstanding) == (total - 10000, 10000)


def test_complete_refuses_more_cash_than_the_order(shop, owner):
    order = order_in("delivered", owner)
    with pytest.raises(Conflict) as exc:
        run(order, "complete", owner, cash_collected=order.total + 1)
    assert exc.value.code == "overpayment" and "Rp " in str(exc.value.message)
    assert Order.objects.get(pk=order.pk).status == "delivered"


def test_the_refusal_says_what_to_do_in_rupiah(shop, owner):
    order = order_in("delivered", owner)  # 2 × 150 000 + 18 000 = 318 000, collected at delivery
    goodwill_refund(order_reference=order.reference, amount=300000, method="cash", actor=owner)
    with pytest.raises(Conflict) as exc:
        goodwill_refund(order_reference=order.reference, amount=85000, method="cash", actor=owner)
    message = str(exc.value.message)
    assert exc.value.code == "refund_exceeds_paid"
    assert "Rp 385.000" in message and "Rp 318.000" in message and "Rp 18.000" in message
    assert "385000" not in message


def test_refusal_with_nothing_paid_says_to_record_the_payment(shop, owner):
    from tokodesk.returns.refunds import refund_create

    order = order_in("confirmed", owner, method="bank_transfer")
    with translation.override("en"):
        with pytest.raises(Conflict) as exc:
            refund_create(order_id=order.pk, amount=85000, method="cash", actor=owner)
        message = str(exc.value.message)
    assert "Rp 85.000" in message and "Rp 0" in message and "85000" not in message
    assert "Record the order's payment first" in message


def test_item_1_return_on_a_delivered_cod_order_completes_with_a_refund(shop, users, api_as):
    """Issue 12 item 1, over HTTP: a delivered COD order → return approved, received,
    completed with a refund of 150 000 (was: "…akan menjadi 85000, melebihi 0 yang dibayar")."""
    owner = api_as("owner")
    ref = ok(
        owner.post(
            f"{URL}/orders",
            {
                "customer": {
                    "name": "Siti Rahayu",
                    "phone": "081234567890",
                    "address": "Jl. Melati 5, Bandung",
                },
                "lines": [{"sku": "MADU-500", "qty": 2}],
                "payment_method": "cod",
                "warehouse": "jkt",
                "courier": "jne",
                "shipping_cost": 18000,
            },
        ),
        201,
    )["reference"]
    for action, body in [
        ("confirm", None),
        ("mark_ready", None),
        ("ship", {"awb": "JNE-COD-1"}),
        ("picked_up", None),
        ("delivered", None),
    ]:
        ok(owner.post(f"{URL}/orders/{ref}/actions/{action}", body or {}))
    order = ok(owner.get(f"{URL}/orders/{ref}"))
    assert (order["status"], order["paid_total"], order["outstanding"]) == ("delivered", 318000, 0)
    assert [(p["kind"], p["amount"], p["remitted_at"]) for p in order["payments"]] == [
        ("cod", 318000, None)
    ]

    rma = ok(
        owner.post(
            f"{URL}/returns",
            {
                "order": ref,
                "reason": "Botol bocor",
                "resolution": "refund",
                "lines": [{"sku": "MADU-500", "qty": 1}],
            },
        ),
        201,
    )["reference"]
    ok(owner.post(f"{URL}/returns/{rma}/actions/approve", {}))
    ok(
        api_as("warehouse").post(
            f"{URL}/returns/{rma}/actions/receive",
            {"warehouse": "jkt", "lines": [{"sku": "MADU-500", "qty": 1, "condition": "damaged"}]},
        )
    )
    done = ok(
        api_as("finance").post(
            f"{URL}/returns/{rma}/actions/complete",
            {"lines": [{"sku": "MADU-500", "decision": "accept"}], **BANK},
        )
    )
    assert (done["status"], done["resolution_amount"]) == ("completed", 150000)
    assert [(r["method"], r["status"], r["amount"]) for r in done["refunds"]] == [
        ("bank_transfer", "pending", 150000)
    ]
    assert (
        Payment.objects.filter(order__reference=ref, kind="cod", remitted_at__isnull=True).count()
        == 1
    )


def test_order_page_shows_the_cash_collected_by_the_courier(shop, owner, client):
    order = order_in("delivered", owner)
    client.force_login(owner)
    page = client.get(f"/orders/{order.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-cod-remittance="pending"' in page
    Payment.objects.filter(order=order).update(remitted_at="2026-11-30T10:00:00+07:00")
    page = client.get(f"/orders/{order.reference}/").content.decode()
    assert 'data-cod-remittance="remitted"' in page and 'data-cod-remittance="pending"' not in page
