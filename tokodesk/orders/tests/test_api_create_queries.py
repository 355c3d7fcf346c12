"""What one POST /api/v1/orders costs in statements (issue 16: order creation throughput).
On SQLite a write transaction is the database's one writer: the create reads and checks
everything before its write block, which claims the Idempotency-Key with the writes
(core.api.write_block). This test fails if a statement comes back, or moves into the block."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import order_payload

URL = "/api/v1/orders"
# A new customer's bank-transfer order with a courier and an agent, with an Idempotency-Key
# (inside the test's transaction: its savepoints are counted). Before the write block: the
# shop's settings, token and permissions (the key's check, then the API's), the key's
# lookup, payment method, variants, warehouse, its stock rows, courier, agent, the two
# settings rows. The write block (WRITE_BLOCK): its savepoint, the customer (one INSERT …
# ON CONFLICT … RETURNING: it was a read, a savepoint, the insert and its release, 25 -> 22),
# reference, order, line, created event, the key's record with the answer, release.
CREATE_STATEMENTS = 22
WRITE_BLOCK = 8
# (The shop's settings row is read by ShopLocaleMiddleware too, and the token by the
# Idempotency-Key's check too: caching those is the per-request change's, not this one's.)
READ_ONCE = ("orders_ordersettings", "catalog_variant", "catalog_warehouse", "shipping_courier")


def _tables_read(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN) "([a-z_]+)"', sql))


@pytest.mark.django_db
def test_one_create_reads_each_thing_once(shop, users, api_as):
    api = api_as("owner")
    api.post(
        URL, order_payload(), headers={"Idempotency-Key": uuid.uuid4().hex}
    )  # warm: sequence row, token use
    body = order_payload(
        customer={"name": "Budi", "phone": "081298765432", "address": "Jl. Mawar 9, Depok"},
        agent=users["agent"].username,
        payment_method="bank_transfer",
    )
    with CaptureQueriesContext(connection) as ctx:
        r = api.post(URL, body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert r.status_code == 201, r.content[:300]
    statements = [q["sql"] for q in ctx.captured_queries]
    selects = [sql for sql in statements if sql.startswith("SELECT")]
    for table in READ_ONCE:
        reads = [sql for sql in selects if table in _tables_read(sql)]
        assert len(reads) == 1, (table, reads)
    assert not any(
        t in _tables_read(sql) for sql in selects for t in ("orders_order", "orders_orderline")
    )
    assert len(statements) == CREATE_STATEMENTS, [sql[:120] for sql in statements]
    # On SQLite the write block is the one writer: every read and check is done before it
    # (issue 16); inside, nothing is read (the customer is upserted in one statement that
    # returns its row), and the key is claimed last.
    first = next(i for i, sql in enumerate(statements) if sql.startswith("SAVEPOINT"))
    block = statements[first:]
    assert len(block) == WRITE_BLOCK, [sql[:120] for sql in block]
    assert not [sql for sql in block if sql.startswith("SELECT")], block
    assert block[1].startswith('INSERT INTO "customers_customer"') and "ON CONFLICT" in block[1], block[1]
    assert block[-2].startswith('INSERT INTO "api_idempotencyrecord"'), block[-2][:120]
    assert block[-1].startswith("RELEASE SAVEPOINT"), block[-1]
