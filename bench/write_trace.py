"""A gunicorn config file for the flash-sale bench (issue 16): where a submit's wall time
goes inside the server. `measure_flash_sale.py --trace` starts gunicorn with `-c` this file
and FLASH_TRACE_DIR set; each worker then writes FLASH_TRACE_DIR/<pid>.json at its exit:

- every write transaction (IMMEDIATE BEGIN on SQLite, tokodesk.core.sqlite): when it asked
  for the write lock, how long it waited for its process's lock (the other threads' writes),
  how long BEGIN polled (the other process's writes), its span from BEGIN to the end of
  COMMIT, and the thread's CPU in that span (span - CPU: waiting for the GIL or the disk);
- every request: method, wall time and the thread's CPU (pre_request / post_request).

Nothing of this is in the product: it patches the backend's class in each worker after the
app is loaded. Times are time.perf_counter() (one clock for the processes of one machine)."""

from __future__ import annotations

import json
import os
import threading
import time

_records: list = []
_requests: list = []
_local = threading.local()


def _install():
    from tokodesk.core.sqlite import base

    cls = base.DatabaseWrapper
    if getattr(cls, "_traced", False):
        return
    start, poll, commit, rollback = (
        cls._start_transaction_under_autocommit,
        cls._begin_polling,
        cls._commit,
        cls._rollback,
    )

    def traced_start(self):
        t0 = time.perf_counter()
        self._trace = {"ask": t0}
        start(self)
        self._trace["begun"] = time.perf_counter()
        self._trace["cpu0"] = time.thread_time()

    def traced_poll(self):
        trace = getattr(self, "_trace", None)
        if trace is not None:
            trace["locked"] = time.perf_counter()
        return poll(self)

    def finish(self, fn, how):
        trace = getattr(self, "_trace", None)
        self._trace = None
        try:
            return fn(self)
        finally:
            if trace is not None and "begun" in trace:
                end = time.perf_counter()
                locked = trace.get("locked", trace["begun"])
                _records.append(
                    {
                        "ask": trace["ask"],
                        "lock_wait": locked - trace["ask"],
                        "begin_wait": trace["begun"] - locked,
                        "span": end - trace["begun"],
                        "span_cpu": time.thread_time() - trace["cpu0"],
                        "end": end,
                        "how": how,
                        "path": getattr(_local, "path", ""),
                    }
                )

    cls._start_transaction_under_autocommit = traced_start
    cls._begin_polling = traced_poll
    cls._commit = lambda self: finish(self, commit, "commit")
    cls._rollback = lambda self: finish(self, rollback, "rollback")
    cls._traced = True


def post_worker_init(worker):
    _install()
    interval = os.environ.get("FLASH_SWITCH_INTERVAL")  # an experiment: sys.setswitchinterval
    if interval:
        import sys

        sys.setswitchinterval(float(interval))


def pre_request(worker, req):
    _local.path = f"{req.method} {req.path}"
    _local.t0 = time.perf_counter()
    _local.cpu0 = time.thread_time()


def post_request(worker, req, environ, resp):
    t0 = getattr(_local, "t0", None)
    if t0 is not None:
        _requests.append(
            {
                "path": _local.path,
                "start": t0,
                "wall": time.perf_counter() - t0,
                "cpu": time.thread_time() - _local.cpu0,
            }
        )
    _local.path = ""


def worker_exit(server, worker):
    out = os.environ.get("FLASH_TRACE_DIR")
    if out:
        with open(os.path.join(out, f"{os.getpid()}.json"), "w") as fh:
            json.dump({"transactions": _records, "requests": _requests}, fh)
