"""The countdowns of Action Needed (SPEC 2.3, issue 5 §4): what `deadline_for` says for each
kind of order, and that the order list and cards show it next to the status."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from tokodesk.orders.deadlines import Deadline, deadline_for, format_duration
from tokodesk.orders.tests.factories import order_in, run

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
H = 3600


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def at_t0(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def later(**delta):
    return T0 + dt.timedelta(**delta)


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "1 min"), (59, "1 min"), (61, "1 min"), (59 * 60 + 59, "59 min"), (H, "1 h"),
        (H + 60, "1 h 1 min"), (5 * H + 59 * 60 + 59, "5 h 59 min"), (24 * H, "1 d"),
        (28 * H, "1 d 4 h"), (28 * H + 59 * 60, "1 d 4 h"), (-2 * H, "2 h"), (-(3 * 24 * H + 5), "3 d"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_cancellation_request_counts_down_to_auto_approval(shop, owner, at_t0):
    order = order_in("cancellation_requested", owner)  # deadline T0 + 48 h
    assert deadline_for(order, later(hours=20)) == Deadline("auto_approve", "Auto-approve in 1 d 4 h", 28 * H)
    assert deadline_for(order, later(hours=47, minutes=30)).text == "Auto-approve in 30 min"
    past = deadline_for(order, later(hours=48, minutes=5))
    assert past == Deadline("auto_approve", "Auto-approve any moment now", -5 * 60)


def test_shippable_order_counts_down_then_is_overdue(shop, owner, at_t0):
    order = order_in("ready_to_ship", owner)  # COD: ship_by T0 + 48 h
    assert deadline_for(order, later(hours=43)) == Deadline("ship_within", "Ship within 5 h", 5 * H)
    assert deadline_for(order, later(hours=50)) == Deadline("overdue", "Overdue by 2 h", -2 * H)
    assert deadline_for(order, later(hours=48)).kind == "ship_within"  # the tab: ship_by < now


def test_paid_order_clock_starts_at_payment(shop, owner, at_t0):
    order = order_in("confirmed", owner)  # bank transfer: not late before it is paid
    assert deadline_for(order, later(days=30)) is None
    order = run(order, "confirm_payment", owner)
    assert deadline_for(order, later(hours=1)).text == "Ship within 1 d 23 h"


def test_delivery_problem_shows_the_reason(shop, owner):
    order = order_in("delivery_problem", owner)
    assert deadline_for(order) == Deadline("delivery_problem", "Delivery problem: test reason", None)
    order.problem_reason = ""
    assert deadline_for(order).text == "Delivery problem"


@pytest.mark.parametrize("status", ["new", "awaiting_pickup", "in_transit", "delivered", "completed", "cancelled"])
def test_no_countdown_when_nothing_is_due(shop, owner, status):
    assert deadline_for(order_in(status, owner), timezone.now() + dt.timedelta(days=30)) is None


def test_texts_are_translated(shop, owner, at_t0):
    order = order_in("ready_to_ship", owner)
    with translation.override("id"):
        text = deadline_for(order, later(hours=43)).text
    assert "5" in text  # whatever the language, the number is there


def _deadline_of(html, reference):
    m = re.search(rf'id="order-{reference}".*?data-deadline="(\w+)"[^>]*>([^<]*)</div>', html, re.S)
    return m and (m.group(1), m.group(2).strip())


def test_list_and_cards_show_the_countdowns_next_to_the_status(shop, owner, time_machine):
    time_machine.move_to(T0, tick=False)
    requested = order_in("cancellation_requested", owner)
    late = order_in("ready_to_ship", owner)
    problem = order_in("delivery_problem", owner)
    quiet = order_in("new", owner)
    time_machine.move_to(later(hours=50), tick=False)

    c = Client()
    c.force_login(owner)
    for view in ("list", "card"):
        html = c.get("/orders/", {"tab": "action_needed", "view": view}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert _deadline_of(html, requested.reference) == ("auto_approve", "Auto-approve any moment now"), view
        assert _deadline_of(html, late.reference) == ("overdue", "Overdue by 2 h"), view
        assert _deadline_of(html, problem.reference) == ("delivery_problem", "Delivery problem: test reason"), view
        assert quiet.reference not in html
        # The colour comes from app.css (.deadline[data-deadline=overdue]): no style attribute under the CSP.
        tag = re.search(r'<div class="small deadline" data-deadline="overdue"[^>]*>', html).group(0)
        assert "style=" not in tag, view

    html = c.get("/orders/", {"view": "list"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = re.search(rf'<tr id="order-{quiet.reference}".*?</tr>', html, re.S).group(0)
    assert "data-deadline" not in row
