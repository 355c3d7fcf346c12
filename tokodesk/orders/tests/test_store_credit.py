"""Store credit paying an order (issue 12 item 3): the services, through the real ledger."""

from __future__ import annotations

import pytest

from tokodesk.core.errors import ValidationFailed
from tokodesk.customers.models import Customer
from tokodesk.orders.models import Order, OrderEvent, Payment
from tokodesk.orders.services import (
    CustomerInput,
    LineInput,
    OrderInput,
    order_apply_action,
    order_create,
)
from tokodesk.orders.store_credit import balance
from tokodesk.returns.ledger import StoreCreditEntry

PHONE = "081234567890"


def credit(amount: int, phone: str = PHONE) -> Customer:
    customer, _c = Customer.objects.get_or_create(
        phone="+62" + phone[1:], defaults={"name": "Siti Rahayu"}
    )
    StoreCreditEntry.objects.create(customer=customer, amount=amount, kind="goodwill")
    return customer


def new_order(actor, *, method="bank_transfer", store_credit=0, qty=1) -> Order:
    # MADU-500 is Rp 150.000; shipping Rp 18.000: the total is Rp 168.000 a jar.
    return order_create(
        data=OrderInput(
            customer=CustomerInput(
                name="Siti Rahayu", phone=PHONE, address="Jl. Melati 5, Bandung"
            ),
            lines=[LineInput(sku="MADU-500", qty=qty)],
            payment_method=method,
            warehouse="jkt",
            courier="jne",
            shipping_cost=18000,
            store_credit=store_credit,
        ),
        actor=actor,
    )


def act(order, action, actor, **inputs) -> Order:
    return order_apply_action(reference=order.reference, action=action, actor=actor, inputs=inputs)


def ledger_of(customer_id):
    return list(
        StoreCreditEntry.objects.filter(customer_id=customer_id).values_list("kind", "amount")
    )


@pytest.mark.django_db
class TestSpend:
    def test_manual_order_pays_part_with_credit(self, shop, owner):
        customer = credit(100000)
        order = new_order(owner, store_credit=60000)
        order.refresh_from_db()
        assert order.status == "new" and order.paid_total == 60000 and order.outstanding == 108000
        payment = order.payments.get()
        assert (payment.kind, payment.amount, payment.voided_at) == (
            Payment.Kind.STORE_CREDIT,
            60000,
            None,
        )
        assert ledger_of(customer.pk) == [("goodwill", 100000), ("spent", -60000)]
        assert balance(customer.pk) == 40000
        event = order.events.filter(action="prepay_store_credit").get()
        assert (event.from_status, event.to_status, event.data["store_credit"]) == (
            "new",
            "new",
            60000,
        )

    def test_confirmed_bank_transfer_is_partly_paid_then_paid_by_the_transfer(self, shop, owner):
        credit(100000)
        order = act(new_order(owner, store_credit=60000), "confirm", owner)
        assert order.status == "partially_paid" and order.paid_total == 60000
        assert [e.action for e in order.events.filter(kind="action").order_by("id")] == [
            "prepay_store_credit",
            "confirm",
            "pay_store_credit",
        ]
        order = act(order, "confirm_payment", owner, amount=108000)
        assert order.status == "paid" and order.paid_total == 168000

    def test_credit_covering_the_total_makes_a_confirmed_order_paid(self, shop, owner):
        credit(500000)
        order = act(new_order(owner, store_credit=168000), "confirm", owner)
        assert order.status == "paid" and order.outstanding == 0 and order.ship_by is not None

    def test_at_confirmation(self, shop, owner):
        customer = credit(50000)
        order = act(new_order(owner), "confirm", owner, store_credit=50000)
        assert order.status == "partially_paid" and order.paid_total == 50000
        assert balance(customer.pk) == 0

    def test_cod_stays_confirmed_and_the_rest_is_cash(self, shop, owner):
        credit(50000)
        order = act(new_order(owner, method="cod"), "confirm", owner, store_credit=50000)
        assert order.status == "confirmed" and order.outstanding == 118000

    def test_pay_store_credit_action_later(self, shop, owner):
        customer = credit(200000)
        order = act(
            act(new_order(owner), "confirm", owner), "pay_store_credit", owner, amount=168000
        )
        assert order.status == "paid"
        assert balance(customer.pk) == 32000

    def test_over_the_balance_is_refused_with_the_balance_in_rupiah(self, shop, owner):
        customer = credit(50000)
        with pytest.raises(ValidationFailed) as exc:
            new_order(owner, store_credit=60000)
        assert exc.value.status == 422
        assert "Rp 50.000" in str(exc.value.message)
        assert "Rp 50.000" in str(exc.value.fields["store_credit"])
        assert not Order.objects.exists()  # the order is not written either
        assert balance(customer.pk) == 50000 and ledger_of(customer.pk) == [("goodwill", 50000)]

    def test_more_than_the_total_is_refused(self, shop, owner):
        credit(500000)
        with pytest.raises(ValidationFailed) as exc:
            new_order(owner, store_credit=168001)
        assert "Rp 168.000" in str(exc.value.message) and "store_credit" in exc.value.fields

    def test_new_customer_has_no_credit(self, shop, owner):
        with pytest.raises(ValidationFailed) as exc:
            new_order(owner, store_credit=1000)
        assert "Rp 0" in str(exc.value.message)

    def test_confirm_over_balance_leaves_the_order_new(self, shop, owner):
        credit(10000)
        order = new_order(owner)
        with pytest.raises(ValidationFailed):
            act(order, "confirm", owner, store_credit=20000)
        order.refresh_from_db()
        assert order.status == "new" and order.paid_total == 0 and not order.payments.exists()

    def test_bulk_confirm_refuses_a_credit_amount(self, shop, owner):
        from tokodesk.orders.services import order_apply_action_many

        credit(100000)
        order = new_order(owner)
        changed, refused = order_apply_action_many(
            references=[order.reference],
            action="confirm",
            actor=owner,
            inputs={"store_credit": 1000},
        )
        assert changed == [] and refused[0][0] == order.reference
        order.refresh_from_db()
        assert order.status == "new" and order.paid_total == 0

    def test_bulk_confirm_settles_credit_paid_orders(self, shop, owner):
        from tokodesk.orders.services import order_apply_action_many

        credit(500000)
        paid = new_order(owner, store_credit=168000)
        plain = new_order(owner)
        changed, refused = order_apply_action_many(
            references=[paid.reference, plain.reference], action="confirm", actor=owner
        )
        assert refused == [] and len(changed) == 2
        paid.refresh_from_db()
        plain.refresh_from_db()
        assert (paid.status, plain.status) == ("paid", "confirmed")


@pytest.mark.django_db
class TestGiveBack:
    @pytest.mark.parametrize(
        "path",
        [
            ["cancel"],
            ["confirm", "cancel"],
            ["confirm", "request_cancellation", "approve_cancellation"],
        ],
    )
    def test_cancelled_order_gives_the_credit_back(self, shop, owner, path):
        customer = credit(100000)
        order = new_order(owner, store_credit=60000)
        for action in path:
            order = act(
                order,
                action,
                owner,
                **(
                    {"reason": "buyer changed mind"}
                    if action in ("cancel", "request_cancellation")
                    else {}
                ),
            )
        assert order.status == "cancelled" and order.paid_total == 0
        assert balance(customer.pk) == 100000
        assert ledger_of(customer.pk)[-1] == ("given_back", 60000)
        assert not order.payments.filter(voided_at__isnull=True).exists()
        last = order.events.filter(kind=OrderEvent.Kind.ACTION).order_by("-id").first()
        assert last.data["store_credit_given_back"] == 60000

    def test_refused_cod_parcel_gives_the_credit_back(self, shop, owner):
        customer = credit(50000)
        order = act(new_order(owner, method="cod"), "confirm", owner, store_credit=50000)
        for action, inputs in [
            ("mark_ready", {}),
            ("ship", {"courier": "jne", "awb": "JNE1"}),
            ("picked_up", {}),
            ("return_to_sender", {}),
            ("returned_to_sender", {}),
        ]:
            order = act(order, action, owner, **inputs)
        assert order.status == "returned" and order.paid_total == 0
        assert balance(customer.pk) == 50000

    def test_unconfirm_payment_gives_the_credit_back(self, shop, owner):
        customer = credit(100000)
        order = act(new_order(owner, store_credit=60000), "confirm", owner)
        order = act(order, "unconfirm_payment", owner)
        assert order.status == "confirmed" and order.paid_total == 0
        assert balance(customer.pk) == 100000

    def test_unconfirm_a_cod_order_gives_the_credit_back(self, shop, owner):
        customer = credit(100000)
        order = act(new_order(owner, method="cod"), "confirm", owner, store_credit=30000)
        order = act(order, "unconfirm", owner)
        assert order.status == "new" and order.paid_total == 0
        assert balance(customer.pk) == 100000

    def test_reopen_spends_it_again_or_is_refused(self, shop, owner):
        customer = credit(100000)
        order = act(new_order(owner, store_credit=60000), "cancel", owner, reason="x")
        order = act(order, "reopen", owner)
        assert order.status == "new" and order.paid_total == 60000
        assert balance(customer.pk) == 40000
        order = act(order, "cancel", owner, reason="again")
        other = new_order(owner, store_credit=90000)  # the credit is spent meanwhile
        assert other.paid_total == 90000
        with pytest.raises(ValidationFailed):
            act(order, "reopen", owner)
        order.refresh_from_db()
        assert order.status == "cancelled" and balance(customer.pk) == 10000


@pytest.mark.django_db
class TestApi:
    def test_create_with_store_credit_and_the_customer_balance(self, shop, api):
        from conftest import order_payload

        customer = credit(100000)
        res = api.post("/api/v1/orders", order_payload(store_credit=25000))
        assert res.status_code == 201, res.content
        body = res.json()
        assert body["paid_total"] == 25000
        assert [(p["kind"], p["amount"]) for p in body["payments"]] == [("store_credit", 25000)]
        assert api.get(f"/api/v1/orders/{body['reference']}").json()["payments"] == body["payments"]
        got = api.get(f"/api/v1/customers/{customer.pk}").json()
        assert got["store_credit_balance"] == 75000 == got["store_credit"]

    def test_create_over_balance_is_a_422_naming_the_field(self, shop, api):
        from conftest import order_payload

        credit(10000)
        res = api.post("/api/v1/orders", order_payload(store_credit=25000))
        assert res.status_code == 422, res.content
        body = res.json()
        assert "Rp 10.000" in body["message"] and "store_credit" in body["fields"]
        assert not Order.objects.exists()

    def test_negative_is_refused(self, shop, api):
        from conftest import order_payload

        res = api.post("/api/v1/orders", order_payload(store_credit=-1))
        assert res.status_code == 422 and "store_credit" in str(res.json().get("fields", {}))
