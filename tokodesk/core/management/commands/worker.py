"""`tokodesk worker`: runs the apps' periodic jobs and the background tasks.

Every `--interval` seconds (30) it runs every job the apps registered through
`tokodesk.core.jobs` (the orders app's deadlines: automatic approval of overdue cancellation
requests, automatic completion of delivered orders, the count of orders past their shipping
deadline; the outbox's dispatch …), each in its own try; at start and then once a day
it refreshes SQLite's planner statistics of the tables that grew. Beside them, in a thread of the
same process, the django-tasks database worker (`django_tasks_db`'s `db_worker` machinery)
runs whatever was enqueued — exports, e-mails, `tokodesk.orders.tasks.run_deadlines` — every
queue unless `--queue-name` says otherwise; `--no-tasks` leaves the queue to a separate
`tokodesk db_worker`.

Several workers may run at once against one PostgreSQL: jobs claim each row with
SELECT … FOR UPDATE SKIP LOCKED and queued tasks are claimed the same way by django-tasks.

SIGTERM or SIGINT (Ctrl-C) stops it cleanly: the current pass and the running task finish
(at most `--grace` seconds are waited for the task), then it exits 0. A second signal exits
at once. `--once` runs the jobs and every task ready now, then exits (for cron or tests),
non-zero when a job failed. Core knows no app: it runs what was registered.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
import time
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string

logger = logging.getLogger("tokodesk.worker")
FORMAT = "%(asctime)s [worker] %(levelname)s %(message)s"
STATISTICS_EVERY = 86400.0  # seconds between two refreshes of the SQLite planner statistics


def positive_seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number of seconds") from None
    if not 0.05 <= number <= 86400:
        raise argparse.ArgumentTypeError("must be between 0.05 and 86400 seconds")
    return number


@contextmanager
def _logging_to(stream, verbosity: int):
    """The worker's logs (and django-tasks') on `stream`, restored afterwards."""
    from django_tasks_db.compat import TASKS_LOGGER

    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    saved = []
    for name in ("tokodesk.worker", TASKS_LOGGER, "django_tasks_db"):
        log = logging.getLogger(name)
        saved.append((log, log.level, log.propagate))
        log.setLevel(level)
        log.propagate = False
        log.addHandler(handler)
    try:
        yield
    finally:
        for log, old_level, old_propagate in saved:
            log.removeHandler(handler)
            log.setLevel(old_level)
            log.propagate = old_propagate


class Command(BaseCommand):
    help = ("Run the apps' periodic jobs (order deadlines: auto-approve cancellations, auto-complete "
            "deliveries; …) and the queued background tasks.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=positive_seconds,
            default=30.0,
            help="Seconds between two passes of the jobs (default 30).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run the jobs and every task ready now, then exit.",
        )
        parser.add_argument(
            "--no-tasks",
            action="store_true",
            help="Only the jobs; leave the task queue to `tokodesk db_worker`.",
        )
        parser.add_argument(
            "--queue-name",
            default="*",
            help="Task queues to run, comma-separated; '*' for all (default).",
        )
        parser.add_argument(
            "--task-interval",
            type=positive_seconds,
            default=1.0,
            help="Seconds between two looks at an empty task queue (default 1).",
        )
        parser.add_argument(
            "--grace",
            type=positive_seconds,
            default=30.0,
            help="On SIGTERM/SIGINT, seconds to wait for a running task (default 30).",
        )
        parser.add_argument(
            "--worker-id",
            default=None,
            help="Unique id among the workers (default: host-pid-random).",
        )

    def handle(
        self,
        *,
        interval,
        once,
        no_tasks,
        queue_name,
        task_interval,
        grace,
        worker_id,
        verbosity,
        **_,
    ):
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, task_backends
        from django_tasks_db.management.commands.db_worker import Worker

        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            no_tasks = True  # e.g. the immediate backend in some tests: nothing is queued
        worker_id = worker_id or f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        if len(worker_id) > 64:
            raise CommandError("--worker-id must be at most 64 characters.")
        self.verbosity = verbosity
        task_worker = None
        if not no_tasks:
            task_worker = Worker(
                queue_names=queue_name.split(","),
                interval=task_interval,
                batch=once,
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=not once,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            )
        with _logging_to(self.stdout, verbosity):
            if once:
                self.run_once(task_worker)
            else:
                self.run_forever(task_worker, interval=interval, grace=grace, worker_id=worker_id)

    # --- one pass --------------------------------------------------------------------

    def registered_jobs_pass(self) -> dict:
        """The jobs the apps registered (tokodesk.core.jobs), each in its own try; the
        names of those that raised are in `self.failed_jobs`."""
        from tokodesk.core.jobs import registered

        results, self.failed_jobs = {}, []
        for job in registered():
            try:
                results[job.name] = job.run()
            except Exception:
                logger.exception("job %s failed; trying again next pass", job.name)
                results[job.name] = None
                self.failed_jobs.append(job.name)
            else:
                logger.debug("%s: %s", job.name, results[job.name])
        return results

    def drain_tasks(self, task_worker) -> int:
        """Run every task ready now, one by one, each claimed like db_worker claims it."""
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction

        ran = 0
        while True:
            tasks = DBTaskResult.objects.ready().filter(backend_name=task_worker.backend_name)
            if not task_worker.process_all_queues:
                tasks = tasks.filter(queue_name__in=task_worker.queue_names)
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(task_worker.worker_id)
            if task_result is None:
                return ran
            task_worker.run_task(task_result)
            ran += 1

    def statistics_pass(self) -> None:
        """SQLite: refresh the planner statistics of the tables that grew or shrank (cheap
        when none did); PostgreSQL's autovacuum does this by itself."""
        from tokodesk.core.apps import refresh_sqlite_statistics

        try:
            refresh_sqlite_statistics(connections["default"])
        except Exception:
            logger.exception("refreshing the SQLite statistics failed; trying again tomorrow")

    def run_once(self, task_worker) -> None:
        from tokodesk.core import shop_locale
        from tokodesk.core.jobs import registered

        self.statistics_pass()
        # The shop's time zone for every "today" of the jobs and tasks (issue 17).
        with shop_locale.activated():
            jobs = self.registered_jobs_pass()
            ran = self.drain_tasks(task_worker) if task_worker else 0
        if self.failed_jobs:
            raise CommandError(f"The job(s) {', '.join(self.failed_jobs)} failed (see the log).")
        if self.verbosity >= 1:
            for job in registered():
                if job.summary and jobs.get(job.name) is not None:
                    self.stdout.write(job.summary(jobs[job.name]))
            self.stdout.write(f"ran {ran} task(s)")

    # --- the loop --------------------------------------------------------------------

    def run_forever(self, task_worker, *, interval: float, grace: float, worker_id: str) -> None:
        stop = threading.Event()

        def on_signal(signum, _frame):
            name = signal.Signals(signum).name
            if stop.is_set():
                logger.warning("%s again: exiting now", name)
                sys.exit(1)
            logger.info("%s: stopping (the current pass and task finish first)", name)
            stop.set()
            if task_worker is not None:
                task_worker.running = False

        previous = {}
        if threading.current_thread() is threading.main_thread():  # only there can it take signals
            previous = {
                sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
            }
        thread = None
        try:
            if task_worker is not None:
                thread = threading.Thread(
                    target=self._tasks_loop,
                    args=(task_worker, stop),
                    name="tokodesk-tasks",
                    daemon=True,
                )
                thread.start()
            from tokodesk.core.jobs import registered

            logger.info(
                "worker %s started: jobs (%s) every %g s; %s",
                worker_id,
                ", ".join(job.name for job in registered()) or "none",
                interval,
                f"task queue(s) {','.join(task_worker.queue_names)} polled every {task_worker.interval:g} s"
                if task_worker
                else "task queue not run here",
            )
            statistics_due = 0.0
            while not stop.is_set():
                close_old_connections()
                if time.monotonic() >= statistics_due:
                    self.statistics_pass()
                    statistics_due = time.monotonic() + STATISTICS_EVERY
                self.registered_jobs_pass()
                close_old_connections()
                stop.wait(interval)
            if thread is not None:
                thread.join(grace)
                if thread.is_alive():
                    logger.warning("a task is still running after %g s: exiting without it", grace)
        finally:
            stop.set()
            if task_worker is not None:
                task_worker.running = False
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            connections.close_all()
        logger.info("worker %s stopped", worker_id)

    def _tasks_loop(self, task_worker, stop: threading.Event) -> None:
        """django-tasks' db_worker loop, in this thread with its own connection; it returns
        once `task_worker.running` is cleared."""
        try:
            while not stop.is_set():
                try:
                    task_worker.run()
                except Exception:
                    logger.exception("task queue: the worker failed; starting it again in 5 s")
                    stop.wait(5)
        finally:
            connections.close_all()
