"""Demo data: a believable Indonesian landing-page shop (`tokodesk demo`).

The package: shop.py and people.py hold the reference data, paths.py the orders' plans,
builder.py (with planning.py and running.py) makes the orders, returns.py (with
returns_data.py) the returns; load_demo and summary_lines are here.

Everything an order goes through is done by the real services: each order is made by
`order_create` and moved only by `order_apply_action` (plus `order_tag`, `order_add_note`
and `order_assign_agent`), acted by the user whose role would do it. Only afterwards are
the dates spread over the last ~90 days: the rows' timestamps (creation, timeline events,
payments, notes, and the confirmed/shipped/... dates) are moved back together, keeping
every timeline in the same order. That is backdating data, not changing any status.

Returns (every status, every resolution) are made the same way on the delivered and
completed orders, right after the orders, by the returns services only (`return_create`,
`return_request`, `return_apply_action`, `refund_mark_paid`, …), then backdated onto the
story inside the return window: see `_Returns`.

The data is drawn from a seeded `random.Random`, so two loads give the same shop. Loading
is one transaction and leaves a marker (the `demo_data` sequence): a second run changes
nothing, and a database that already holds real orders is left alone.
"""

from __future__ import annotations

import random
import time
from collections import Counter

from django.db import transaction

from tokodesk.catalog.models import Product, Variant, Warehouse
from tokodesk.core.models import Sequence
from tokodesk.customers.models import Customer
from tokodesk.ops.demo.builder import _Builder
from tokodesk.ops.demo.people import (  # noqa: F401 - the bench generator draws from these
    CITIES,
    CITY_WEIGHTS,
    DISTRICTS,
    FIRST_NAMES,
    HOUSING,
    LAST_NAMES,
    PHONE_PREFIXES,
    STREETS,
    VILLAGES,
)
from tokodesk.ops.demo.shop import (  # noqa: F401 - LANDING_PAGES, TAGS: the bench generator's
    DEFAULT_DAYS,
    DEFAULT_ORDERS,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    LANDING_PAGES,
    MARKER,
    TAGS,
    USERS,
)
from tokodesk.orders.models import Order
from tokodesk.orders.states import ORDER_TRANSITIONS, Status
from tokodesk.returns.models import Refund, Return
from tokodesk.returns.states import Status as ReturnStatus
from tokodesk.shipping.models import Courier
from tokodesk.storefront.models import LandingPage


class Loaded:
    """What a load did, for the summary."""

    def __init__(
        self,
        *,
        created: bool,
        message: str,
        orders: int = 0,
        seconds: float = 0.0,
        by_status: dict | None = None,
        actions: set | None = None,
        returns_by_status: dict | None = None,
    ):
        self.created = created
        self.message = message
        self.orders = orders
        self.seconds = seconds
        self.by_status = by_status or {}
        self.actions = actions or set()
        self.returns_by_status = returns_by_status or {}


def demo_is_loaded() -> bool:
    return Sequence.objects.filter(name=MARKER).exists()


def load_demo(
    *, orders: int = DEFAULT_ORDERS, seed: int = DEFAULT_SEED, days: int = DEFAULT_DAYS
) -> Loaded:
    """Load the demo shop once. Returns what happened; never loads twice."""
    if demo_is_loaded():
        n = Sequence.objects.get(name=MARKER).value
        return Loaded(
            created=False, message=f"Demo data is already loaded ({n} orders): nothing to do."
        )
    if Order.objects.exists():
        return Loaded(
            created=False, message="The database already holds orders: demo data not loaded."
        )
    started = time.monotonic()
    with transaction.atomic():
        builder = _Builder(random.Random(seed), orders=orders, days=days)
        builder.run()
        Sequence.objects.create(name=MARKER, value=orders)
    seconds = time.monotonic() - started
    by_status = dict(Counter(Order.objects.values_list("status", flat=True)))
    return Loaded(
        created=True,
        message="Demo data loaded.",
        orders=orders,
        seconds=seconds,
        by_status=by_status,
        actions=builder.actions_used,
        returns_by_status=dict(Counter(Return.objects.values_list("status", flat=True))),
    )


def summary_lines(result: Loaded) -> list[str]:
    lines = [result.message]
    if result.created:
        lines[0] = (
            f"Demo data loaded in {result.seconds:.1f} s: {result.orders} orders, "
            f"{Customer.objects.count()} customers, {Product.objects.count()} products "
            f"({Variant.objects.count()} variants), {Warehouse.objects.count()} warehouses, "
            f"{Courier.objects.count()} couriers, {LandingPage.objects.count()} landing pages."
        )
        order = [s for s in Status.values if s in result.by_status]
        lines.append("Orders by status: " + ", ".join(f"{s} {result.by_status[s]}" for s in order))
        lines.append(f"Actions used: {len(result.actions)} of {len(ORDER_TRANSITIONS)}.")
        returns = result.returns_by_status
        lines.append(
            f"Returns: {sum(returns.values())} ("
            + ", ".join(f"{s} {returns[s]}" for s in ReturnStatus.values if s in returns)
            + f"); refunds {Refund.objects.count()} ({Refund.objects.filter(status='pending').count()} pending), "
            f"{Order.objects.filter(replaces_return__isnull=False).count()} replacement orders of exchanges."
        )
    lines.append(f"Logins (password {DEMO_PASSWORD}): " + ", ".join(u[0] for u in USERS))
    return lines
