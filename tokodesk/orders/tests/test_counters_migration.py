"""Migration 0003 counts the orders that exist before it: an existing shop upgrades with
exact tab counts."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tokodesk.orders import counters, selectors
from tokodesk.orders.models import Order, OrderCount
from tokodesk.orders.tests.factories import make_order, order_in

BEFORE = [("orders", "0002_order_indexes_ordercount")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_migration_counts_existing_orders(shop, users):
    owner = users["owner"]
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    # The orders are written with today's model (the factories go through the services),
    # then the schema goes back to before the counters, which forget them.
    order_in("paid", owner, agent="agent")
    order_in("delivery_problem", owner)
    make_order(owner, method="cod", agent="agent2")
    _migrate(BEFORE)
    try:
        assert not counters.installed_triggers() & counters.expected_triggers()
        OrderCount.objects.all().delete()
        assert not OrderCount.objects.exists()  # nothing counts them yet
    finally:
        # Forward as an upgrade runs it: `migrate`, whose post_migrate puts back triggers
        # that a later migration's table rebuild (SQLite) dropped (counters.ensure).
        call_command("migrate", verbosity=0)
    assert set(MigrationExecutor(connection).loader.applied_migrations) >= set(leaves)
    assert counters.installed_triggers() >= counters.expected_triggers()
    assert counters.check() == []
    assert OrderCount.objects.filter(n__gt=0).count() == 3
    counts = selectors.tab_counts(user=owner)
    assert counts["all"] == Order.objects.count() == 3
    assert counts["to_ship"] == 1 and counts["action_needed"] == 1 and counts["pending"] == 1
    assert selectors.tab_counts(user=users["agent"])["all"] == 1
    # And from now on the triggers count.
    make_order(owner, agent="agent")
    assert selectors.tab_counts(user=users["agent"])["all"] == 2
    assert counters.check() == []
