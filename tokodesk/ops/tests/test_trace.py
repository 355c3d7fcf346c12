"""One action traced from HTTP to its timeline row (issue 11, "Done when").

A profiler (sys.setprofile) watches the request the Django test client makes to the API's
action endpoint. When the machine builds the timeline row (core.timeline.Timeline.
transition_event) and when the table's effect runs, the stack is read back frame by frame:
it must run from the HTTP handler through the app's service, the core machine and the
app's own table, and the row written must be the one the action made. A path that skipped
the service or the machine (a view writing the status itself, a service writing its own
row) fails here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tokodesk
from tokodesk.orders.models import OrderEvent
from tokodesk.orders.tests.factories import order_in
from tokodesk.returns.models import ReturnEvent
from tokodesk.returns.tests.factories import return_in

ROOT = Path(tokodesk.__file__).parent


def _where(frame) -> tuple[str, str]:
    """(file relative to the tokodesk package, or the absolute path outside it; function)."""
    path = Path(frame.f_code.co_filename)
    try:
        name = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        name = path.as_posix()
    return name, frame.f_code.co_name


class Tracer:
    """Records the stack (innermost last) each time one of the `watched` functions is called."""

    def __init__(self, watched: set[tuple[str, str]]):
        self.watched = watched
        self.stacks: dict[tuple[str, str], list[list[tuple[str, str]]]] = {}

    def _profile(self, frame, event, _arg):
        if event != "call":
            return
        here = _where(frame)
        if here in self.watched:
            stack = []
            while frame is not None:
                stack.append(_where(frame))
                frame = frame.f_back
            self.stacks.setdefault(here, []).append(stack[::-1])

    def __enter__(self):
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(None)


def _in_order(stack, expected):
    """Whether the frames `expected` appear in `stack` in this order (others between)."""
    frames = iter(stack)
    return all(any(frame == wanted for frame in frames) for wanted in expected)


TIMELINE = ("core/timeline.py", "transition_event")
MACHINE = ("core/transitions.py", "apply_transition")


@pytest.mark.django_db
def test_an_order_action_runs_from_http_through_the_orders_table_service_and_core_machine(
    shop, owner, api
):
    order = order_in("new", owner)
    effect = ("orders/states.py", "on_confirm")
    with Tracer({TIMELINE, effect}) as tracer:
        r = api.post(
            f"/api/v1/orders/{order.reference}/actions/confirm", {}, headers={"If-Match": '"1"'}
        )
    assert r.status_code == 200, r.content

    http = next(
        f for f in tracer.stacks[TIMELINE][0] if f[0].endswith("django/core/handlers/base.py")
    )
    path = [http, ("orders/services.py", "order_apply_action"), MACHINE]
    [row_stack] = tracer.stacks[TIMELINE]
    assert _in_order(row_stack, [*path, TIMELINE]), row_stack
    [effect_stack] = tracer.stacks[effect]
    assert _in_order(effect_stack, [*path, effect]), effect_stack
    # The table the machine applied is the orders app's own: its effect ran inside it.
    assert ("orders/states.py", "on_confirm") == effect_stack[-1]

    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (
        event.kind,
        event.action,
        event.from_status,
        event.to_status,
        event.actor,
        event.source,
    ) == ("action", "confirm", "new", "confirmed", owner, "api")


@pytest.mark.django_db
def test_a_return_action_runs_from_http_through_the_returns_table_service_and_core_machine(
    shop, owner, api
):
    ret = return_in("requested", owner)
    effect = ("returns/states.py", "on_approve")
    with Tracer({TIMELINE, effect}) as tracer:
        r = api.post(f"/api/v1/returns/{ret.reference}/actions/approve", {})
    assert r.status_code == 200, r.content

    http = next(
        f for f in tracer.stacks[TIMELINE][0] if f[0].endswith("django/core/handlers/base.py")
    )
    path = [http, ("returns/services.py", "return_apply_action"), MACHINE]
    [row_stack] = tracer.stacks[TIMELINE]
    assert _in_order(row_stack, [*path, TIMELINE]), row_stack
    [effect_stack] = tracer.stacks[effect]
    assert _in_order(effect_stack, [*path, effect]), effect_stack
    # No orders file on the way: returns has its own service and table.
    assert not [f for f in row_stack + effect_stack if f[0].startswith("orders/")]

    event = ReturnEvent.objects.filter(return_order=ret).latest("id")
    assert (
        event.kind,
        event.action,
        event.from_status,
        event.to_status,
        event.actor,
        event.source,
    ) == ("action", "approve", "requested", "awaiting_item", owner, "api")
