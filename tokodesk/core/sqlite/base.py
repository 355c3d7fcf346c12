"""Django's SQLite backend, with the threads of one process queuing for the write lock.

With IMMEDIATE transactions (config/settings.py) every writer takes SQLite's write lock at
BEGIN, and a writer that finds it taken waits in SQLite's busy handler, which sleeps in
growing steps (up to 100 ms) and retries: under gunicorn's threads a waiting writer often
sleeps long past the moment the lock was released (bench: API order creation p95 ~1 s).
Here the threads of a process first queue on a Python lock, which wakes the next one as
soon as the transaction ends; only the processes' front runners meet in SQLite's busy
handler — and there, instead of SQLite's growing sleeps, the BEGIN is retried every
millisecond (busy_timeout is set to 0 for the BEGIN only, then put back), so a process
does not sleep 100 ms while the other one hands the lock from thread to thread.

The lock only orders who asks SQLite first: SQLite still enforces the write lock, so a
lock released early or never taken changes no result. A thread that waits longer than the
connection's timeout goes on to BEGIN without it (as before this backend).

Its operations read a datetime column's value as Django's do (an aware datetime in the
connection's time zone), without Django's three calls per value (is_aware, make_aware and
its is_aware again): a page of 50 orders reads ~550 of them (issue 16)."""

from __future__ import annotations

import datetime
import sqlite3
import threading
import time

from django.conf import settings
from django.db.backends.sqlite3 import base, operations
from django.utils.dateparse import parse_datetime

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _writer_lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


class DatabaseOperations(operations.DatabaseOperations):
    def convert_datetimefield_value(self, value, expression, connection):
        # Django's rule (sqlite3.operations): parse a string; with USE_TZ, a value without
        # an offset (is_aware: utcoffset() is None) gets the connection's time zone.
        if value is not None:
            if not isinstance(value, datetime.datetime):
                value = parse_datetime(value)
            if settings.USE_TZ and value.utcoffset() is None:
                value = value.replace(tzinfo=self.connection.timezone)
        return value


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _held = None  # the writer lock this connection's open transaction holds

    def _start_transaction_under_autocommit(self):
        lock = None
        if self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE"):
            candidate = _writer_lock(str(self.settings_dict["NAME"]))
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
            if candidate.acquire(timeout=timeout):
                lock = candidate
        try:
            if self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE"):
                self._begin_polling()
            else:
                super()._start_transaction_under_autocommit()
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        self._held = lock

    def _begin_polling(self):
        """BEGIN IMMEDIATE, retried every millisecond while another process writes, up to
        the connection's timeout; SQLite's busy handler is off during the BEGIN only."""
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        raw = self.connection  # the sqlite3 connection: no wrapping per attempt
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    raw.execute(f"BEGIN {self.transaction_mode}")
                    return
                except sqlite3.OperationalError as exc:
                    busy = "locked" in str(exc) or "busy" in str(exc)
                    if not busy or time.monotonic() >= deadline:
                        with self.wrap_database_errors:
                            raise
                    time.sleep(0.001)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")

    def _release_writer_lock(self):
        lock, self._held = self._held, None
        if lock is not None:
            lock.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer_lock()
