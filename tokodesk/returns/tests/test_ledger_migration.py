"""The store-credit ledger moved from customers to returns by a state-only migration: an
existing shop's ledger rows stay where they are (same table) and read through the new model;
migrating back gives them to the old model again. Nothing is copied, nothing lost."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tokodesk.returns.ledger import StoreCreditEntry

BEFORE = [("customers", "0002_store_credit"), ("returns", "0005_quarantine_uploads")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _old_apps():
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(BEFORE).apps


def _write_old_rows():
    """Two customers' entries written through the model as it was (customers app)."""
    apps = _old_apps()
    Customer = apps.get_model("customers", "Customer")
    Entry = apps.get_model("customers", "StoreCreditEntry")
    ani = Customer.objects.create(name="Ani", phone="+6281200000001")
    budi = Customer.objects.create(name="Budi", phone="+6281200000002")
    Entry.objects.create(customer=ani, amount=50000, kind="return", note="RMA-00001")
    Entry.objects.create(customer=ani, amount=-20000, kind="spent")
    Entry.objects.create(customer=budi, amount=15000, kind="goodwill")
    return ani.pk, budi.pk


@pytest.mark.django_db(transaction=True)
def test_ledger_rows_survive_the_move_both_ways():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(BEFORE)
    try:
        ContentType.objects.get_or_create(app_label="customers", model="storecreditentry")
        ContentType.objects.filter(app_label="returns", model="storecreditentry").delete()
        ani, budi = _write_old_rows()
    finally:
        _migrate(leaves)
    # Forwards: the same rows, read by returns' model, with the balances they had.
    assert StoreCreditEntry._meta.app_label == "returns"
    assert StoreCreditEntry.objects.count() == 3
    assert StoreCreditEntry.objects.balance_of(ani) == 30000
    assert StoreCreditEntry.objects.balance_of(budi) == 15000
    assert ContentType.objects.get_for_model(StoreCreditEntry).app_label == "returns"
    assert not ContentType.objects.filter(app_label="customers", model="storecreditentry").exists()
    # New entries go to the same table.
    StoreCreditEntry.objects.create(customer_id=budi, amount=5000, kind="adjustment")

    # Backwards: the customers model reads all four rows again.
    _migrate(BEFORE)
    try:
        Entry = _old_apps().get_model("customers", "StoreCreditEntry")
        assert sorted(Entry.objects.values_list("customer_id", "amount")) == sorted(
            [(ani, 50000), (ani, -20000), (budi, 15000), (budi, 5000)]
        )
        assert ContentType.objects.filter(app_label="customers", model="storecreditentry").exists()
    finally:
        _migrate(leaves)
    assert StoreCreditEntry.objects.count() == 4
