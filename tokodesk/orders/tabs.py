"""The tabs of the orders page (SPEC 2.3), declared once.

A tab is a union of parts; a part is a set of statuses, optionally narrowed to some
payment methods, or to the orders past their shipping deadline (`late`). Everything that
knows a tab reads this declaration:

* the lists (`selectors.tab_q`, the per-status ranges of `selectors.order_list`),
* the counts (`selectors.tab_counts`): a part that is not `late` reads only status and
  payment method, the columns the trigger-kept counters (`OrderCount`) are keyed on, so it
  is summed from the counters; a `late` part depends on the clock and is counted live,
* the page's tab strip and its labels, the filter form, the API (its `tab` parameter and
  the tab-counts schema), the generated docs (`docs/order-states.md`), and the tests.

The parts of one tab must not overlap (an order would be counted twice): `check()` runs
at import and a test runs it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import pgettext_lazy

from tokodesk.orders.states import AWAITING_SHIPMENT, PaymentMethod, Status

S = Status


@dataclass(frozen=True)
class Part:
    statuses: tuple[str, ...]
    # Only orders paid one of these ways (empty: any way), or any way but these.
    payment_methods: tuple[str, ...] = ()
    except_payment_methods: tuple[str, ...] = ()
    # Only orders past their shipping deadline (ship_by < now): depends on the time, so it
    # is counted from the orders, not from the counters.
    late: bool = False

    def condition(self, now=None) -> Q:
        """What an order must meet besides its status (Q() when nothing)."""
        q = Q()
        if self.payment_methods:
            q &= Q(payment_method__in=self.payment_methods)
        if self.except_payment_methods:
            q &= ~Q(payment_method__in=self.except_payment_methods)
        if self.late:
            assert now is not None, "a late part needs the time"
            q &= Q(ship_by__lt=now)
        return q

    def q(self, now=None) -> Q:
        status = Q(status=self.statuses[0]) if len(self.statuses) == 1 else Q(status__in=self.statuses)
        return status & self.condition(now)

    def counter_q(self) -> Q:
        """The part as a condition on the counters (OrderCount has status and payment
        method under the same names); None for a late part, which they cannot answer."""
        return None if self.late else self.q()

    def describe(self) -> str:
        """One line of the docs, in English codes."""
        text = ", ".join(self.statuses)
        if self.payment_methods:
            text += f" (paid by {', '.join(self.payment_methods)})"
        if self.except_payment_methods:
            text += f" (unless paid by {', '.join(self.except_payment_methods)})"
        if self.late:
            text += " once past their shipping deadline (ship_by)"
        return text


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    # None: every order (the "All" tab).
    parts: tuple[Part, ...] | None
    # The list's sort when none is asked for.
    default_sort: str = "-created_at"
    # The strip draws the tab's count as a warning when it is not 0.
    attention: bool = False

    @property
    def statuses(self) -> set[str] | None:
        """Every status an order of this tab may be in (None: any)."""
        if self.parts is None:
            return None
        return {s for part in self.parts for s in part.statuses}

    def q(self, now=None) -> Q:
        if self.parts is None:
            return Q()
        q = Q()
        for part in self.parts:
            q |= part.q(now)
        return q

    def implied(self, status: str, now=None) -> Q:
        """What the tab says beyond `status` for an order in it: tab.q() AND status = s is
        status = s AND this, so adding it changes no result, and an index can use it."""
        if self.parts is None:
            return Q()
        q = None
        for part in self.parts:
            if status in part.statuses:
                cond = part.condition(now)
                if not cond:
                    return Q()
                q = cond if q is None else q | cond
        return q if q is not None else Q(pk__in=[])

    def late_only(self, status: str) -> bool:
        """True when an order in `status` is in this tab only once late."""
        parts = [p for p in (self.parts or ()) if status in p.statuses]
        return bool(parts) and all(p.late for p in parts)

    @property
    def counted_parts(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts or () if not p.late)

    @property
    def live_parts(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts or () if p.late)


PENDING = (S.NEW, S.CONFIRMED, S.AWAITING_PAYMENT, S.PAYMENT_PROCESSING, S.PARTIALLY_PAID,
           S.INVOICE_PENDING, S.INVOICE_ISSUED)
COD = (PaymentMethod.COD,)

# Tab names are plural in some languages where the status is singular ("Terminées" vs
# "Terminée"), hence their own context.
ORDER_TABS: tuple[Tab, ...] = (
    Tab("all", pgettext_lazy("orders tab", "All"), None),
    Tab("pending", pgettext_lazy("orders tab", "Pending"), (
        Part(tuple(s for s in PENDING if s != S.CONFIRMED)),
        # A confirmed COD order waits for the warehouse, not for the buyer: it is "To ship".
        Part((S.CONFIRMED,), except_payment_methods=COD),
    )),
    Tab("to_ship", pgettext_lazy("orders tab", "To ship"), (
        Part((S.PAID, S.PAYMENT_COMPLETED, S.INVOICE_PAID, S.READY_TO_SHIP, S.AWAITING_PICKUP)),
        Part((S.CONFIRMED,), payment_methods=COD),
    )),
    Tab("shipped", pgettext_lazy("orders tab", "Shipped"), (
        Part((S.IN_TRANSIT, S.DELIVERED, S.DELIVERY_PROBLEM, S.RETURNING)),
    )),
    Tab("completed", pgettext_lazy("orders tab", "Completed"), (Part((S.COMPLETED,)),)),
    Tab("cancelled", pgettext_lazy("orders tab", "Cancelled"), (
        Part((S.CANCELLED, S.RETURNED, S.LOST_OR_DAMAGED)),
    )),
    Tab("action_needed", pgettext_lazy("orders tab", "Action needed"), (
        Part((S.CANCELLATION_REQUESTED, S.DELIVERY_PROBLEM)),
        Part(AWAITING_SHIPMENT, late=True),
    ), default_sort="deadline", attention=True),
)
TABS: dict[str, Tab] = {tab.key: tab for tab in ORDER_TABS}
TAB_KEYS: tuple[str, ...] = tuple(TABS)


def tab(key: str) -> Tab:
    return TABS[key]


def _pairs(part: Part) -> Iterator[tuple[str, str]]:
    for status in part.statuses:
        for method in PaymentMethod.values:
            if part.payment_methods and method not in part.payment_methods:
                continue
            if method in part.except_payment_methods:
                continue
            yield status, method


def check(tabs=ORDER_TABS) -> None:
    """The parts of a tab are disjoint; statuses and methods are real; keys are unique."""
    keys = [t.key for t in tabs]
    assert len(keys) == len(set(keys)), f"duplicate tab keys: {keys}"
    for t in tabs:
        seen: set[tuple[str, str]] = set()
        for part in t.parts or ():
            unknown = set(part.statuses) - set(Status.values)
            unknown |= set(part.payment_methods + part.except_payment_methods) - set(PaymentMethod.values)
            assert not unknown, f"tab {t.key}: unknown {sorted(unknown)}"
            assert not part.late or set(part.statuses) <= set(AWAITING_SHIPMENT), (
                f"tab {t.key}: only an order awaiting shipment has a shipping deadline"
            )
            pairs = set(_pairs(part))
            assert not pairs & seen, f"tab {t.key}: parts overlap on {sorted(pairs & seen)}"
            seen |= pairs


check()


def render_tabs_markdown() -> str:
    """The docs' section on the tabs (docs/order-states.md, `make states`)."""
    from django.utils import translation

    lines = [
        "## Tabs",
        "",
        "The tabs of the orders page and of `GET /api/v1/orders?tab=…`, rendered from "
        "`ORDER_TABS` in `tokodesk/orders/tabs.py` (which the lists, the counts and the tests "
        "read). An order is in a tab when it matches one of the tab's lines. Lines not about "
        "the shipping deadline are counted from the trigger-kept counters; the rest live.",
        "",
        "| tab | label | orders | default sort |",
        "| --- | --- | --- | --- |",
    ]
    with translation.override("en"):
        for t in ORDER_TABS:
            orders = "every order" if t.parts is None else "<br>".join(p.describe() for p in t.parts)
            lines.append(f"| `{t.key}` | {t.label} | {orders} | `{t.default_sort}` |")
    return "\n".join(lines) + "\n"

