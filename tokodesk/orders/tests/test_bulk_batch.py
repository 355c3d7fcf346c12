"""The bulk form's batch path (services.order_apply_action_many with the transition's
batch effect) leaves the database exactly as order_apply_action on each order would:
statuses, versions, stock, shipping deadlines, timeline events, counters and refusals,
including orders that run out of stock part way, in the wrong status, without a
warehouse, not found or not visible; and its query count does not grow with the orders."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tokodesk.catalog.models import Stock
from tokodesk.core.errors import DomainError
from tokodesk.orders import services
from tokodesk.orders.models import Order, OrderCount, OrderEvent
from tokodesk.orders.tests.factories import make_order, order_in


def scenario(owner):
    """References in the order they are ticked."""
    made = [
        make_order(owner, method="cod", lines=(("MADU-500", 40),)),
        make_order(owner, lines=(("MADU-500", 40), ("KAOS-M", 1))),
        make_order(owner, method="cod", lines=(("MADU-500", 30),)),  # 110 > 100: refused
        make_order(owner, lines=(("KAOS-L", 5), ("KAOS-L", 2))),  # the same SKU twice
        order_in("confirmed", owner),  # wrong status
        make_order(owner, method="cod", lines=(("SEPATU-42", 3),), warehouse="sby"),
        make_order(owner, method="cod", lines=(("SEPATU-42", 3),), warehouse="sby"),  # 2 left
        make_order(owner, method="cod", lines=(("MADU-500", 15),)),  # fits after the refusal
        make_order(owner, agent="agent2"),
    ]
    no_warehouse = make_order(owner)
    Order.objects.filter(pk=no_warehouse.pk).update(warehouse=None)
    refs = [o.reference for o in made] + [no_warehouse.reference, "ORD-NOPE", made[0].reference]
    return refs


def snapshot(refs, refusals):
    orders = {
        o.reference: (
            o.status, o.version, o.stock_state, o.confirmed_at is not None,
            None if o.ship_by is None else round((o.ship_by - o.confirmed_at).total_seconds() / 3600),
        )
        for o in Order.objects.filter(reference__in=refs)
    }
    stock = sorted(Stock.objects.values_list("warehouse__code", "variant__sku", "on_hand", "reserved"))
    events = sorted(
        OrderEvent.objects.filter(order__reference__in=refs, kind="action").values_list(
            "order__reference", "action", "from_status", "to_status", "actor__username", "source", "data"
        ),
        key=repr,
    )
    counts = sorted(OrderCount.objects.filter(n__gt=0).values_list("status", "payment_method", "n"))
    told = [(ref, exc.code, str(exc.message)) for ref, exc in refusals]
    return {"orders": orders, "stock": stock, "events": events, "counts": counts, "refused": told}


def one_by_one(refs, actor):
    changed, refused = [], []
    for ref in dict.fromkeys(refs):
        try:
            services.order_apply_action(reference=ref, action="confirm", actor=actor, source="web")
            changed.append(ref)
        except DomainError as exc:
            refused.append((ref, exc))
    return changed, refused


class Rollback(Exception):
    pass


def measured(fn, refs, actor):
    """The state after fn, then everything undone."""
    result = {}
    try:
        with transaction.atomic():
            changed, refused = fn(refs, actor)
            result = snapshot(refs, refused) | {"changed": changed}
            raise Rollback
    except Rollback:
        pass
    return result


def batch(refs, actor):
    return services.order_apply_action_many(references=refs, action="confirm", actor=actor, source="web")


@pytest.mark.parametrize("who", ["owner", "agent2"])
def test_batch_equals_one_by_one(shop, users, who, settings):
    refs = scenario(users["owner"])
    actor = users[who]
    expected = measured(one_by_one, refs, actor)
    got = measured(batch, refs, actor)
    assert got == expected
    # The scenario does what it says (so that the comparison means something).
    refused = {ref: code for ref, code, _m in got["refused"]}
    if who == "owner":
        assert len(got["changed"]) == 6
        assert list(refused.values()).count("insufficient_stock") == 2
        assert {"not_allowed_in_status", "warehouse_required", "not_found"} <= set(refused.values())
    else:  # an agent sees only their own orders
        assert len(got["changed"]) == 1 and list(refused.values()).count("not_found") == len(set(refs)) - 1


def test_batches_split_and_keep_the_order(shop, users, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 3)
    refs = scenario(users["owner"])
    expected = measured(one_by_one, refs, users["owner"])
    got = measured(batch, refs, users["owner"])
    assert got == expected


def test_viewer_is_refused_everything(shop, users):
    refs = scenario(users["owner"])
    changed, refused = batch(refs, users["viewer"])
    # As one by one: an unknown reference is not found, every other one is not allowed.
    codes = {ref: exc.code for ref, exc in refused}
    assert changed == [] and codes.pop("ORD-NOPE") == "not_found"
    assert set(codes) == set(refs) - {"ORD-NOPE"} and set(codes.values()) == {"permission_denied"}
    assert not Order.objects.filter(reference__in=refs, status="confirmed").exclude(version__gt=1).exists()


def test_query_count_does_not_grow_with_the_orders(shop, users):
    owner = users["owner"]

    def queries(n):
        refs = [make_order(owner, method="cod" if i % 2 else "bank_transfer",
                           lines=(("KAOS-M", 1), ("MADU-500", 1))).reference for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            changed, refused = batch(refs, owner)
        assert len(changed) == n and not refused
        return len(ctx.captured_queries)

    assert queries(4) == queries(40)
