"""Random action sequences (hypothesis) against the real services and database; after
every step the order and stock invariants must hold."""

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.core.errors import DomainError
from tokodesk.orders.models import Order, OrderLine, Payment
from tokodesk.orders.services import order_apply_action, order_edit
from tokodesk.orders.states import ORDER_TRANSITIONS, StockState
from tokodesk.orders.tests.factories import make_order, valid_inputs
from tokodesk.shipping.models import Courier

ACTIONS = [t.action for t in ORDER_TRANSITIONS]
METHODS = ["cod", "bank_transfer", "payment_gateway", "invoice"]
INITIAL_STOCK = {"HX-A": 6, "HX-B": 3}
# Actions that undo or end; drawn less often so sequences also reach delivery and beyond.
BACKWARD = {"cancel", "request_cancellation", "reopen", "unconfirm", "unconfirm_payment", "cancel_shipment",
            "approve_cancellation", "reject_cancellation"}


class OrderMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.warehouse = Warehouse.objects.create(code="jkt", name="Jakarta")
        product = Product.objects.create(name="Kaos", slug="kaos")
        for sku, qty in INITIAL_STOCK.items():
            v = Variant.objects.create(product=product, sku=sku, name=sku, price=50000)
            Stock.objects.create(variant=v, warehouse=self.warehouse, on_hand=qty)
        Courier.objects.create(code="jne", name="JNE")
        self.owner = user_create(username="hx-owner", role="owner")
        self.changes = {}  # order pk → events expected

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @precondition(lambda self: len(self.changes) < 4)
    @rule(target=orders, method=st.sampled_from(METHODS),
          lines=st.lists(st.tuples(st.sampled_from(sorted(INITIAL_STOCK)), st.integers(1, 3)), min_size=1, max_size=2))
    def create(self, method, lines):
        order = make_order(self.owner, method=method, lines=lines)
        self.changes[order.pk] = 1
        return order.pk

    @rule(pk=orders, data=st.data(), amount=st.sampled_from(["full", "half", "over", "zero"]))
    def act(self, pk, data, amount):
        order = Order.objects.get(pk=pk)
        # Mostly an action the menu offers (so sequences go deep), sometimes any action.
        offered = [t.action for t in ORDER_TRANSITIONS.available(order, self.owner)]
        forward = [a for a in offered if a not in BACKWARD]
        roll = data.draw(st.integers(0, 9))
        pool = forward if forward and roll < 7 else offered if offered and roll < 9 else ACTIONS
        action = data.draw(st.sampled_from(pool))
        before = order.status
        inputs = valid_inputs(action, order)
        if action == "confirm_payment":
            due = order.total - order.paid_total
            inputs = {"amount": {"full": due, "half": max(due // 2, 1), "over": due + 1, "zero": 0}[amount]}
        try:
            order = order_apply_action(reference=order.reference, action=action, actor=self.owner, inputs=inputs)
        except DomainError:
            order.refresh_from_db()
            assert order.status == before
            return
        transition = ORDER_TRANSITIONS.get(action)
        assert before in transition.sources and order.status in transition.targets
        self.changes[pk] += 1

    @rule(pk=orders, sku=st.sampled_from(sorted(INITIAL_STOCK)), qty=st.integers(1, 4))
    def edit_lines(self, pk, sku, qty):
        order = Order.objects.get(pk=pk)
        version = order.version
        try:
            order = order_edit(reference=order.reference, actor=self.owner,
                               changes={"lines": [{"sku": sku, "qty": qty}]})
        except DomainError:
            return
        if order.version != version:
            self.changes[pk] += 1

    @invariant()
    def stock_matches_orders(self):
        for stock in Stock.objects.select_related("variant"):
            assert 0 <= stock.reserved <= stock.on_hand
            lines = OrderLine.objects.filter(variant=stock.variant, order__warehouse=stock.warehouse)
            reserved = lines.filter(order__stock_state=StockState.RESERVED).aggregate(s=Sum("qty"))["s"] or 0
            deducted = lines.filter(order__stock_state=StockState.DEDUCTED).aggregate(s=Sum("qty"))["s"] or 0
            assert stock.reserved == reserved
            assert stock.on_hand == INITIAL_STOCK[stock.variant.sku] - deducted

    @invariant()
    def payments_match_status(self):
        for order in Order.objects.all():
            paid = Payment.objects.filter(order=order, voided_at__isnull=True).aggregate(s=Sum("amount"))["s"] or 0
            assert order.paid_total == paid
            if order.status in ("paid", "payment_completed", "invoice_paid"):
                assert paid >= order.total
            if order.status == "partially_paid":
                assert 0 < paid < order.total
            if order.status in ("new", "confirmed"):
                assert paid == 0
            if order.status == "completed" and order.payment_method == "cod":
                assert paid == order.total

    @invariant()
    def one_event_per_change_along_the_table(self):
        for order in Order.objects.all():
            events = list(order.events.order_by("id"))
            assert len(events) == self.changes[order.pk]
            status = "new"
            for event in events:
                if event.kind == "action":
                    t = ORDER_TRANSITIONS.get(event.action)
                    assert event.from_status == status and event.from_status in t.sources
                    assert event.to_status in t.targets
                    status = event.to_status
            assert status == order.status


@pytest.mark.django_db
def test_random_action_sequences_keep_invariants():
    run_state_machine_as_test(
        OrderMachine,
        settings=settings(max_examples=40, stateful_step_count=30, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
