"""Order and return settings left core.ShopSettings for their apps (issue 11): an existing
shop's values are copied by the migrations (and back when migrating back); each app's
settings row is read once per request inside read_once(), whichever class is asked."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from tokodesk.core.models import ShopSettings, settings_read_once
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.returns.return_settings import ReturnSettings

BEFORE = [("core", "0003_outbox"), ("orders", "0009_order_transfer_code_customer_proof"),
          ("returns", "0006_store_credit_ledger")]
SHOP_VALUES = {
    "currency": "IDR", "order_reference_pattern": "TK-{seq:05d}", "shipping_deadline_hours": 24,
    "cancellation_window_hours": 6, "auto_complete_days": 3, "whatsapp_template": "Halo {name}",
    "return_reference_pattern": "RT-{seq:04d}", "return_window_days": 30, "returns_enabled": False,
    "require_responsible": True, "edit_completed_returns": True, "store_credit_automatic": False,
}
ORDER_FIELDS = ("order_reference_pattern", "shipping_deadline_hours", "cancellation_window_hours",
                "auto_complete_days", "whatsapp_template")
RETURN_FIELDS = ("return_reference_pattern", "return_window_days", "returns_enabled", "require_responsible",
                 "edit_completed_returns", "store_credit_automatic")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _old_shop_settings():
    return MigrationExecutor(connection).loader.project_state(BEFORE).apps.get_model("core", "ShopSettings")


@pytest.mark.django_db(transaction=True)
def test_the_shops_settings_are_copied_to_the_apps_and_back():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(BEFORE)
    try:
        _old_shop_settings().objects.update_or_create(pk=1, defaults=SHOP_VALUES)
    finally:
        _migrate(leaves)
    orders, returns = OrderSettings.objects.get(pk=1), ReturnSettings.objects.get(pk=1)
    assert {f: getattr(orders, f) for f in ORDER_FIELDS} == {f: SHOP_VALUES[f] for f in ORDER_FIELDS}
    assert {f: getattr(returns, f) for f in RETURN_FIELDS} == {f: SHOP_VALUES[f] for f in RETURN_FIELDS}
    assert ShopSettings.objects.get(pk=1).currency == "IDR"
    assert not hasattr(ShopSettings.objects.get(pk=1), "return_window_days")
    # Changed after the move, then migrated back: core gets the apps' values again.
    OrderSettings.objects.filter(pk=1).update(auto_complete_days=9)
    ReturnSettings.objects.filter(pk=1).update(return_window_days=60)
    _migrate(BEFORE)
    try:
        old = _old_shop_settings().objects.get(pk=1)
        assert (old.auto_complete_days, old.return_window_days, old.order_reference_pattern) == (
            9, 60, "TK-{seq:05d}")
    finally:
        _migrate(leaves)


@pytest.mark.django_db
def test_each_settings_row_is_read_once_inside_read_once():
    OrderSettings.get(), ReturnSettings.get(), ShopSettings.get()  # the rows exist
    with CaptureQueriesContext(connection) as outside:
        OrderSettings.get(), OrderSettings.get()
    assert len(outside) == 2  # no memo outside the block
    with settings_read_once(), CaptureQueriesContext(connection) as inside:
        for _ in range(50):
            OrderSettings.get(), ReturnSettings.get(), ShopSettings.get()
        with ShopSettings.read_once():  # nested: still the outer memo
            OrderSettings.get()
    assert len(inside) == 3
    # The memo holds each class's own row.
    with settings_read_once():
        assert isinstance(OrderSettings.get(), OrderSettings) and isinstance(ReturnSettings.get(), ReturnSettings)
