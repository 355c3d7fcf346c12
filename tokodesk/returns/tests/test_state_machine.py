"""Random sequences of return operations (hypothesis) against the real services and
database; after every step the invariants of SPEC 3 hold: no order line returned more
than delivered, no order refunded more than paid, the ledger equal to the store credit
paid out, stock equal to what shipped and what came back, and every timeline walking the
table."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.core.errors import DomainError
from tokodesk.core.tests import files
from tokodesk.orders.models import OrderLine
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import Refund, Return, ReturnLine
from tokodesk.returns.refunds import goodwill_refund, refund_mark_paid
from tokodesk.returns.services import (
    ReturnInput,
    ReturnLineInput,
    return_apply_action,
    return_create,
    return_recreate,
)
from tokodesk.returns.states import RETURN_TRANSITIONS, Resolution
from tokodesk.returns.tests.factories import BANK, paid_order
from tokodesk.shipping.models import Courier

INITIAL_STOCK = {"HX-A": 20, "HX-B": 20}
ORDER_LINES = (("HX-A", 3), ("HX-B", 2))
FORWARD = ("approve", "receive", "complete")


class ReturnMachine(RuleBasedStateMachine):
    returns = Bundle("returns")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        warehouse = Warehouse.objects.create(code="jkt", name="Jakarta")
        product = Product.objects.create(name="Kaos", slug="kaos")
        for sku, price in (("HX-A", 50000), ("HX-B", 20000)):
            v = Variant.objects.create(product=product, sku=sku, name=sku, price=price)
            Stock.objects.create(variant=v, warehouse=warehouse, on_hand=INITIAL_STOCK[sku])
        Courier.objects.create(code="jne", name="JNE")
        self.owner = user_create(username="hx-owner", role="owner")
        self.orders = [paid_order(self.owner, lines=ORDER_LINES, shipping_cost=0) for _i in range(2)]
        self.shipped = {sku: qty * len(self.orders) for sku, qty in ORDER_LINES}

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @rule(target=returns, order=st.integers(0, 1), qty_a=st.integers(0, 3), qty_b=st.integers(0, 2),
          resolution=st.sampled_from(Resolution.values))
    def create(self, order, qty_a, qty_b, resolution):
        lines = [ReturnLineInput(sku=sku, qty=qty) for sku, qty in (("HX-A", qty_a), ("HX-B", qty_b)) if qty]
        data = ReturnInput(order=self.orders[order].reference, reason="Ukuran kekecilan", resolution=resolution,
                           lines=lines)
        try:
            return return_create(data=data, actor=self.owner).pk
        except DomainError:
            return None

    @rule(pk=returns, data=st.data())
    def act(self, pk, data):
        """A few actions in a row, mostly forward ones, so sequences reach completion."""
        if pk is None:
            return
        for _step in range(data.draw(st.integers(1, 4))):
            self._one_action(Return.objects.get(pk=pk), data)

    def _one_action(self, ret, data):
        offered = [t.action for t in RETURN_TRANSITIONS.available(ret, self.owner)]
        if not offered:
            return
        forward = [a for a in offered if a in FORWARD]
        action = data.draw(st.sampled_from(forward if forward and data.draw(st.integers(0, 9)) < 7 else offered))
        lines = list(ret.lines.all())
        inputs = {}
        if action == "reject":
            inputs = {"message": "tidak sesuai"}
        elif action == "receive":
            inputs = {"lines": [{"line": li.pk, "qty": data.draw(st.integers(0, li.qty)),
                                 "condition": data.draw(st.sampled_from(["resellable", "damaged"]))} for li in lines]}
        elif action == "complete":
            decided = []
            for li in lines:
                if li.qty_received and data.draw(st.booleans()):
                    decided.append({"line": li.pk, "decision": "accept",
                                    "qty": data.draw(st.integers(1, li.qty_received))})
                else:
                    decided.append({"line": li.pk, "decision": "refuse"})
            inputs = {"lines": decided, **BANK, "exchange_lines": [{"sku": "HX-B", "qty": 1}]}
            if data.draw(st.integers(0, 3)) == 0:
                inputs["refund_amount"] = data.draw(st.integers(1, 400000))
        before = ret.status
        try:
            ret = return_apply_action(reference=ret.reference, action=action, actor=self.owner, inputs=inputs)
        except DomainError:
            ret.refresh_from_db()
            assert ret.status == before
            return
        t = RETURN_TRANSITIONS.get(action)
        assert before in t.sources and ret.status in t.targets

    @rule(target=returns, pk=returns)
    def recreate(self, pk):
        if pk is None:
            return None
        try:
            return return_recreate(reference=Return.objects.get(pk=pk).reference, actor=self.owner).pk
        except DomainError:
            return None

    @rule(order=st.integers(0, 1), amount=st.integers(1, 300000), method=st.sampled_from(["cash", "store_credit"]))
    def goodwill(self, order, amount, method):
        try:
            goodwill_refund(order_reference=self.orders[order].reference, amount=amount, method=method,
                            actor=self.owner)
        except DomainError:
            pass

    @rule(data=st.data())
    def mark_paid(self, data):
        pending = list(Refund.objects.filter(status="pending").order_by("id"))
        if pending:
            refund = data.draw(st.sampled_from(pending))
            refund_mark_paid(refund_id=refund.pk, actor=self.owner, paid_on=refund.created_at.date(),
                             proof=SimpleUploadedFile("p.pdf", files.PDF))

    @invariant()
    def never_more_returned_than_delivered(self):
        for line in OrderLine.objects.filter(order__in=self.orders):
            counted = ReturnLine.objects.filter(order_line=line).exclude(
                return_order__status__in=["cancelled", "rejected"]).aggregate(s=Sum("qty"))["s"] or 0
            assert counted <= line.qty

    @invariant()
    def never_more_refunded_than_paid(self):
        for order in self.orders:
            refunded = Refund.objects.filter(order=order).aggregate(s=Sum("amount"))["s"] or 0
            assert refunded <= order.paid_total

    @invariant()
    def ledger_is_the_store_credit_paid(self):
        paid = Refund.objects.filter(method="store_credit", status="paid").aggregate(s=Sum("amount"))["s"] or 0
        assert (StoreCreditEntry.objects.aggregate(s=Sum("amount"))["s"] or 0) == paid
        assert not Refund.objects.filter(method="store_credit", status="pending",
                                         store_credit_entry__isnull=False).exists()

    @invariant()
    def stock_is_what_shipped_and_came_back(self):
        for stock in Stock.objects.select_related("variant"):
            sku = stock.variant.sku
            back = ReturnLine.objects.filter(sku=sku).aggregate(s=Sum("qty_restocked"))["s"] or 0
            assert stock.on_hand == INITIAL_STOCK[sku] - self.shipped[sku] + back
            assert 0 <= stock.reserved <= stock.on_hand

    @invariant()
    def timelines_walk_the_table(self):
        for ret in Return.objects.all():
            events = list(ret.events.order_by("id"))
            assert events[0].kind == "created"
            status = events[0].to_status
            for event in events[1:]:
                if event.kind == "action":
                    t = RETURN_TRANSITIONS.get(event.action)
                    assert event.from_status == status and status in t.sources and event.to_status in t.targets
                    status = event.to_status
            assert status == ret.status
            for line in ret.lines.all():
                assert line.qty_received is None or line.qty_received <= line.qty
                assert line.qty_accepted is None or line.qty_accepted <= (line.qty_received or 0)


@pytest.mark.django_db
def test_random_return_sequences_keep_invariants():
    run_state_machine_as_test(
        ReturnMachine,
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
