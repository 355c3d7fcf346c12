"""The deadline jobs of the worker (SPEC 2.2, 5), with time moved by time-machine: a
cancellation request is approved by the system once its deadline passes, a delivered
order completes after N days, and running a job again changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tokodesk.catalog.models import Stock
from tokodesk.orders import deadlines
from tokodesk.orders.models import Order, OrderEvent, Payment
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.selectors import tab_q
from tokodesk.orders.tests.factories import order_in, run

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
NOTHING = {"done": 0, "skipped": 0, "failed": 0}


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)

    def at(**delta):
        time_machine.move_to(T0 + dt.timedelta(**delta), tick=False)
        return timezone.now()

    return at


def madu_reserved(shop) -> int:
    return Stock.objects.get(variant=shop["madu"], warehouse=shop["jkt"]).reserved


def action_events(order, action):
    return list(OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.ACTION, action=action))


def test_cancellation_request_is_approved_automatically_once_after_the_deadline(shop, owner, clock):
    order = order_in("cancellation_requested", owner)  # confirmed (2 reserved), then requested
    assert order.cancellation_deadline == T0 + dt.timedelta(hours=48)
    assert madu_reserved(shop) == 2

    clock(hours=47, minutes=59)
    assert deadlines.approve_overdue_cancellations() == NOTHING
    order.refresh_from_db()
    assert order.status == "cancellation_requested" and madu_reserved(shop) == 2

    clock(hours=48, seconds=1)
    assert deadlines.approve_overdue_cancellations() == {"done": 1, "skipped": 0, "failed": 0}
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.cancellation_deadline is None and order.stock_state == "none"
    assert madu_reserved(shop) == 0  # stock released
    [event] = action_events(order, "approve_cancellation")
    assert event.actor is None and event.source == "system"
    assert event.data["automatic"] is True
    assert (event.from_status, event.to_status) == ("cancellation_requested", "cancelled")

    version = order.version
    clock(hours=60)
    assert deadlines.approve_overdue_cancellations() == NOTHING  # a second run changes nothing
    order.refresh_from_db()
    assert order.version == version and len(action_events(order, "approve_cancellation")) == 1


def test_a_seller_approval_is_not_automatic(shop, owner, clock):
    order = run(order_in("cancellation_requested", owner), "approve_cancellation", owner)
    [event] = action_events(order, "approve_cancellation")
    assert event.data["automatic"] is False and event.actor == owner
    clock(hours=49)
    assert deadlines.approve_overdue_cancellations() == NOTHING


def test_the_window_comes_from_the_settings(shop, owner, clock):
    OrderSettings.objects.update_or_create(pk=1, defaults={"cancellation_window_hours": 2})
    order = order_in("cancellation_requested", owner)
    clock(hours=1, minutes=59)
    assert deadlines.approve_overdue_cancellations()["done"] == 0
    clock(hours=2)
    assert deadlines.approve_overdue_cancellations()["done"] == 1
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_rejected_request_goes_back_and_the_job_leaves_it_alone(shop, owner, clock):
    order = order_in("paid", owner)
    order = run(order, "request_cancellation", owner)
    clock(hours=5)
    order = run(order, "reject_cancellation", owner)
    assert order.status == "paid" and order.cancellation_deadline is None

    clock(hours=49)
    assert deadlines.approve_overdue_cancellations() == NOTHING
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_total == order.total
    assert action_events(order, "approve_cancellation") == []
    assert madu_reserved(shop) == 2  # still reserved for the paid order


def test_delivered_cod_order_completes_after_the_setting_with_the_cash(shop, owner, clock):
    OrderSettings.objects.update_or_create(pk=1, defaults={"auto_complete_days": 3})
    order = order_in("delivered", owner)  # COD: the courier's cash is recorded at delivery (orders.cod)
    assert order.delivered_at == T0 and order.paid_total == order.total

    clock(days=2, hours=23, minutes=59)
    assert deadlines.complete_delivered() == NOTHING

    clock(days=3)
    assert deadlines.complete_delivered() == {"done": 1, "skipped": 0, "failed": 0}
    order.refresh_from_db()
    assert order.status == "completed" and order.completed_at == T0 + dt.timedelta(days=3)
    [payment] = Payment.objects.filter(order=order)  # the delivery's, nothing more at completion
    assert payment.kind == "cod" and payment.amount == order.total and payment.recorded_by == owner
    assert order.paid_total == order.total
    [event] = action_events(order, "complete")
    assert event.actor is None and event.source == "system" and "amount" not in event.data

    clock(days=10)
    assert deadlines.complete_delivered() == NOTHING
    assert Payment.objects.filter(order=order).count() == 1


def test_default_auto_complete_is_seven_days(shop, owner, clock):
    order_in("delivered", owner)
    clock(days=6, hours=23)
    assert deadlines.complete_delivered()["done"] == 0
    clock(days=7)
    assert deadlines.complete_delivered()["done"] == 1


def test_past_shipping_deadline_is_computed_not_stored(shop, owner, clock):
    order = order_in("ready_to_ship", owner)  # COD: the clock started at confirmation
    assert order.ship_by == T0 + dt.timedelta(hours=48)
    now = clock(hours=47)
    assert deadlines.overdue_shipments() == 0
    assert not Order.objects.filter(tab_q("action_needed", now), pk=order.pk).exists()
    now = clock(hours=49)
    assert deadlines.overdue_shipments() == 1
    assert Order.objects.filter(tab_q("action_needed", now), pk=order.pk).exists()
    version = order.version
    deadlines.run_deadlines()
    order.refresh_from_db()
    assert order.version == version and order.status == "ready_to_ship"  # nothing written


def test_one_failing_order_does_not_stop_the_others(shop, owner, clock, monkeypatch):
    first = order_in("cancellation_requested", owner)
    second = order_in("cancellation_requested", owner)
    real = deadlines.order_apply_action

    def flaky(*, reference, **kwargs):
        if reference == first.reference:
            raise RuntimeError("boom")
        return real(reference=reference, **kwargs)

    monkeypatch.setattr(deadlines, "order_apply_action", flaky)
    clock(hours=49)
    assert deadlines.approve_overdue_cancellations() == {"done": 1, "skipped": 0, "failed": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("cancellation_requested", "cancelled")
    monkeypatch.setattr(deadlines, "order_apply_action", real)
    assert deadlines.approve_overdue_cancellations()["done"] == 1  # tried again next pass


# --- the command ---------------------------------------------------------------------


def test_worker_once_runs_the_deadline_jobs(shop, owner, clock):
    cancel = order_in("cancellation_requested", owner)
    delivered = order_in("delivered", owner)
    order_in("ready_to_ship", owner)
    clock(days=8)
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    text = out.getvalue()
    assert "approved 1 cancellation request(s), completed 1 order(s), 1 past their shipping deadline" in text
    cancel.refresh_from_db()
    delivered.refresh_from_db()
    assert (cancel.status, delivered.status) == ("cancelled", "completed")

    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "approved 0 cancellation request(s), completed 0 order(s)" in out.getvalue()


def test_worker_once_runs_the_queued_tasks(shop, owner, clock):
    from django_tasks_db.models import DBTaskResult

    from tokodesk.orders.tasks import run_deadlines

    order = order_in("cancellation_requested", owner)
    result = run_deadlines.enqueue()
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    clock(hours=49)
    out = io.StringIO()
    call_command("worker", "--once", "--no-tasks", stdout=out)  # deadlines only
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    order.refresh_from_db()
    assert order.status == "cancelled"

    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "ran 1 task(s)" in out.getvalue()
    db_result = DBTaskResult.objects.get(pk=result.id)
    assert db_result.status == "SUCCESSFUL"
    assert db_result.return_value["approve_overdue_cancellations"] == NOTHING  # already done


def test_the_deadline_job_is_registered_by_orders_and_a_failing_job_fails_once(shop, owner, clock, monkeypatch):
    """The worker (core) runs the job the orders app registered; another job raising does
    not stop it, and `--once` then exits non-zero naming the failed job."""
    from tokodesk.core import jobs

    assert "order_deadlines" in [job.name for job in jobs.registered()]

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs._JOBS, "broken", jobs.Job(name="broken", run=broken))
    cancel = order_in("cancellation_requested", owner)
    clock(days=8)
    with pytest.raises(CommandError, match="broken"):
        call_command("worker", "--once", "--no-tasks", stdout=io.StringIO())
    cancel.refresh_from_db()
    assert cancel.status == "cancelled"


def test_worker_rejects_a_bad_interval():
    with pytest.raises(CommandError):
        call_command("worker", "--interval", "0")
