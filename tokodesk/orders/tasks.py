"""Background tasks of the orders app (django-tasks, database backend). `tokodesk worker`
runs whatever is queued; enqueue with `run_deadlines.enqueue()`."""

from __future__ import annotations

from django_tasks import task


@task()
def run_deadlines() -> dict:
    """Every deadline job once, now (the worker also runs them on its own every interval):
    what each did, e.g. {"approve_overdue_cancellations": {"done": 2, …}, …}."""
    from tokodesk.orders.deadlines import run_deadlines as run

    return run()
