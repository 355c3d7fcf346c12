"""What one landing page submit costs in queries (issue 16: a flash sale sends thousands of
buyers in minutes). Each thing is read once per request, and the page's write lock (on
SQLite the one writer of the whole database) holds the writes and the few reads that must
see the latest rows: this test fails if a cut comes back."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tokodesk.core.models import ShopSettings
from tokodesk.orders.models import Order
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.storefront.models import LandingSubmission
from tokodesk.storefront.tests.test_landing import buyer, form_token, make_agents, make_page, submit

# Every statement of one submit by a new buyer (the form, the checks, the order, the redirect;
# the payment methods the form offered are not read again by the service's checks; the
# lookups of order_prepare kept per process come from orders.lookups' cache).
SUBMIT_STATEMENTS = 14
# Those inside the page's write transaction: the locked read of the page row with the
# form's earlier order and the sender's recent submits, the turn, the customer (one
# INSERT … ON CONFLICT … RETURNING, customers.services: it was a read, a savepoint, the
# insert and its release, 11 -> 8), the reference, the order, its line, its created event,
# the submission.
LOCKED_STATEMENTS = 8
READ_ONCE = (
    "storefront_landingpage",
    "catalog_variant",
    "catalog_stock",
    "core_shopsettings",
    "orders_ordersettings",
    "storefront_landingsubmission",
)


def _tables_read(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN) "([a-z_]+)"', sql))


@pytest.mark.django_db(transaction=True)
def test_one_submit_reads_each_thing_once_and_locks_only_for_the_writes(shop, monkeypatch):
    # The first submit fills the per-process caches; none may expire before the second on a
    # slow machine (stamps.MAX_AGE), or the count would include their reloads.
    monkeypatch.setattr("tokodesk.core.stamps.MAX_AGE", 3600.0)
    agents = make_agents(2)
    page = make_page(shop, agents=agents)
    ShopSettings.get(), OrderSettings.get()  # the rows exist (a new shop makes them on first read)
    first = buyer("10.1.2.2")
    # The first order makes the reference sequence's row.
    assert submit(first, page.slug).status_code == 303
    client = buyer("10.1.2.3")
    token = form_token(client, page.slug)
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((connection.in_atomic_block, sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = submit(client, page.slug, token, phone="081298765432")  # a new customer
    assert response.status_code == 303, response.content[:300]
    order = Order.objects.latest("pk")
    assert (
        order.assigned_agent == agents[1]
        and LandingSubmission.objects.get(form_token=token).order == order
    )

    statements = [sql for _locked, sql in seen]
    inside = [sql for locked, sql in seen if locked]
    outside_reads = [sql for locked, sql in seen if not locked and sql.startswith("SELECT")]
    for table in READ_ONCE:
        reads = [sql for sql in outside_reads if table in _tables_read(sql)]
        assert len(reads) <= 1, (table, reads)
    assert len(inside) == LOCKED_STATEMENTS, inside
    assert len(statements) == SUBMIT_STATEMENTS, statements
    # Under the lock, the page row, the resubmit and the rate limit are one statement.
    locked_reads = [sql for sql in inside if sql.startswith("SELECT")]
    assert 'FROM "storefront_landingpage"' in locked_reads[0] and "COUNT(*)" in locked_reads[0]
    assert not any(
        t in _tables_read(sql)
        for sql in locked_reads[1:]
        for t in ("storefront_landingpage", "storefront_landingsubmission", "auth_user")
    )
