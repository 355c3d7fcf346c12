"""Property (hypothesis): over random sequences of orders (create, confirm, cancel, ship,
return to sender, …), customer returns restocked, receipts, adjustments, transfers and
stocktakes, on hand and reserved of every stock row equal the sums of its movements, and
each row's newest movement carries its balance."""

import pytest
from django.db import transaction
from django.db.models import Max
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
from tokodesk.catalog.models import Product, Stock, StockMovement, Variant, Warehouse
from tokodesk.catalog.services import stock_ops
from tokodesk.catalog.services.ledger import stock_differences
from tokodesk.core.errors import DomainError
from tokodesk.orders.models import Order
from tokodesk.orders.services import order_apply_action
from tokodesk.orders.states import ORDER_TRANSITIONS
from tokodesk.orders.tests.factories import make_order, valid_inputs
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import act as return_act
from tokodesk.returns.tests.factories import return_data
from tokodesk.shipping.models import Courier

SKUS = ["PX-A", "PX-B", "PX-C"]
WAREHOUSES = ["jkt", "sby"]
ACTIONS = [t.action for t in ORDER_TRANSITIONS]
qty = st.integers(1, 6)
SEEN: set[str] = set()  # movement kinds written across the examples


class LedgerMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        for code in WAREHOUSES:
            Warehouse.objects.create(code=code, name=code.upper())
        product = Product.objects.create(name="Kaos", slug="px-kaos")
        for sku in SKUS:
            Variant.objects.create(product=product, sku=sku, name=sku, price=50000)
        Courier.objects.create(code="jne", name="JNE")
        self.owner = user_create(username="px-owner", role="owner")
        self.clerk = user_create(username="px-gudang", role="warehouse")
        stock_ops.receive_stock(
            actor=self.clerk, warehouse="jkt", lines=[{"sku": sku, "qty": 5} for sku in SKUS]
        )

    def teardown(self):
        SEEN.update(StockMovement.objects.values_list("kind", flat=True).distinct())
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _try(self, fn, **kwargs):
        try:
            with transaction.atomic():
                return fn(**kwargs)
        except DomainError:
            return None

    @rule(
        target=orders,
        wh=st.sampled_from(WAREHOUSES),
        sku=st.sampled_from(SKUS),
        n=qty,
        method=st.sampled_from(["cod", "bank_transfer"]),
    )
    def create_order(self, wh, sku, n, method):
        if not Stock.objects.filter(warehouse__code=wh, variant__sku=sku).exists():
            return None
        order = self._try(
            make_order, actor=self.owner, method=method, lines=((sku, n),), warehouse=wh
        )
        return order.pk if order else None

    @rule(pk=orders, data=st.data())
    def act(self, pk, data):
        if pk is None:
            return
        order = Order.objects.get(pk=pk)
        offered = [t.action for t in ORDER_TRANSITIONS.available(order, self.owner)]
        action = data.draw(st.sampled_from(offered or ACTIONS))
        self._try(
            order_apply_action,
            reference=order.reference,
            action=action,
            actor=self.owner,
            inputs=valid_inputs(action, order),
        )

    @rule(pk=orders)
    def customer_return(self, pk):
        if pk is None:
            return
        order = Order.objects.get(pk=pk)
        if order.status not in ("delivered", "completed") or order.returns.exists():
            return
        ret = self._try(return_create, data=return_data(order), actor=self.owner)
        if ret is None:
            return
        for action in ("approve", "receive"):
            ret = (
                self._try(
                    return_act,
                    ret=ret,
                    action=action,
                    actor=self.owner,
                    warehouse=order.warehouse.code,
                )
                or ret
            )

    @rule(wh=st.sampled_from(WAREHOUSES), sku=st.sampled_from(SKUS), n=qty)
    def receipt(self, wh, sku, n):
        self._try(
            stock_ops.receive_stock, actor=self.clerk, warehouse=wh, lines=[{"sku": sku, "qty": n}]
        )

    @rule(
        wh=st.sampled_from(WAREHOUSES),
        sku=st.sampled_from(SKUS),
        n=st.integers(-6, 6),
        reason=st.sampled_from(["damaged", "lost", "found", "sample"]),
    )
    def adjustment(self, wh, sku, n, reason):
        self._try(
            stock_ops.adjust_stock,
            actor=self.clerk,
            warehouse=wh,
            sku=sku,
            qty_change=n or 1,
            reason=reason,
        )

    @rule(src=st.sampled_from(WAREHOUSES), sku=st.sampled_from(SKUS), n=qty)
    def transfer(self, src, sku, n):
        dst = [w for w in WAREHOUSES if w != src][0]
        self._try(
            stock_ops.transfer_stock,
            actor=self.clerk,
            from_warehouse=src,
            to_warehouse=dst,
            lines=[{"sku": sku, "qty": n}],
        )

    @rule(
        wh=st.sampled_from(WAREHOUSES),
        counts=st.dictionaries(st.sampled_from(SKUS), st.integers(0, 12)),
        sku=st.sampled_from(SKUS),
        n=qty,
        between=st.booleans(),
    )
    def stocktake(self, wh, counts, sku, n, between):
        take = self._try(stock_ops.stocktake_start, actor=self.clerk, warehouse=wh)
        if take is None or not counts:
            return
        self._try(
            stock_ops.stocktake_count,
            actor=self.clerk,
            stocktake_id=take.pk,
            lines=[{"sku": s, "counted": c} for s, c in counts.items()],
        )
        if between:  # orders keep flowing between the count and the posting
            order = self._try(make_order, actor=self.owner, lines=((sku, n),), warehouse=wh)
            if order is not None:
                self._try(
                    order_apply_action,
                    reference=order.reference,
                    action="confirm",
                    actor=self.owner,
                )
        self._try(stock_ops.stocktake_post, actor=self.clerk, stocktake_id=take.pk)

    @invariant()
    def stock_equals_the_sum_of_its_movements(self):
        assert stock_differences() == []

    @invariant()
    def newest_movement_carries_the_balance(self):
        newest = dict(
            StockMovement.objects.values_list("variant_id", "warehouse_id")
            .annotate(last=Max("id"))
            .values_list("last", "last")
        )
        last = {
            (m.variant_id, m.warehouse_id): m
            for m in StockMovement.objects.filter(pk__in=list(newest))
        }
        for s in Stock.objects.all():
            m = last.get((s.variant_id, s.warehouse_id))
            if m is not None:
                assert (m.on_hand_after, m.reserved_after) == (s.on_hand, s.reserved)
            assert 0 <= s.reserved <= s.on_hand


@pytest.mark.django_db
def test_random_sequences_keep_the_ledger_invariant():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,  # the same sequences every run: the kinds check below is stable
            suppress_health_check=list(HealthCheck),
        ),
    )
