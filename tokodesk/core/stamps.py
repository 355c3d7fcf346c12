"""Per-process caches of rows that every request reads and that rarely change (the shop's
settings, an API token's user and permissions), kept right across processes (issue 16).

A cache belongs to one process (gunicorn runs 2 workers; the worker and the CLI are others).
A change is announced by a *stamp*: a small file under DATA_DIR/stamps/, replaced with new
random content by `bump()` whenever a watched row is saved or deleted (the apps connect
their models' signals, and bump again when the transaction commits, so a process that read
the old row between the save and the commit reads it again). Every use of the cache first
reads the stamp (one open+read of ~20 bytes: a few µs, no query); a different stamp empties
it. The processes that share the DATA_DIR therefore see a change at their next request.

Limits, on purpose:
- a change that sends no signal (a queryset `.update()`, SQL typed by hand) is seen by the
  other processes only when their entry is older than MAX_AGE seconds, or after `bump()`;
- inside a transaction (`atomic`) the cache is neither read nor filled: the transaction
  reads its own writes, and a row that a rollback undoes is never kept (this is also why
  the test suite, whose tests run inside a transaction, sees every write as before);
- a database flush (tests) empties every cache of the process (post_migrate)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction

MAX_AGE = 30.0  # seconds: how stale an entry may get when a change came without a signal


def _directory() -> Path:
    path = Path(settings.DATA_DIR) / "stamps"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ProcessCache:
    """name → a dict of entries valid while the stamp file `name` is unchanged."""

    _all: list[ProcessCache] = []

    def __init__(self, name: str):
        self.name = name
        self._path: Path | None = None
        self._data_dir = None
        self._stamp: bytes | None = None
        self._entries: dict = {}
        self._lock = threading.Lock()
        ProcessCache._all.append(self)

    @property
    def path(self) -> Path:
        data_dir = settings.DATA_DIR  # a test may point it elsewhere
        if self._path is None or self._data_dir != data_dir:
            self._data_dir = data_dir
            self._path = _directory() / f"{self.name}.stamp"
        return self._path

    def _read_stamp(self) -> bytes:
        try:
            with open(self.path, "rb") as fh:
                return fh.read(64)
        except FileNotFoundError:
            return b""

    @staticmethod
    def usable(using: str = "default") -> bool:
        """Outside any transaction only (see the module's note)."""
        return not connections[using].in_atomic_block

    def get(self, key, load, *, using: str = "default"):
        """The entry for `key`, loaded by `load()` when missing, stale or out of date.
        `load` may return None (nothing cached: asked again next time)."""
        if not self.usable(using):
            return load()
        stamp = self._read_stamp()
        now = time.monotonic()
        with self._lock:
            if stamp != self._stamp:
                self._entries = {}
                self._stamp = stamp
            hit = self._entries.get(key)
        if hit is not None and now - hit[0] < MAX_AGE:
            return hit[1]
        value = load()
        if value is not None:
            with self._lock:
                if self._stamp == stamp:  # not emptied by another thread meanwhile
                    self._entries[key] = (now, value)
        return value

    def forget(self, key) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries = {}
            self._stamp = None

    def bump(self) -> None:
        """Announce a change to every process (and empty this one's cache)."""
        self.clear()
        tmp = self.path.with_name(f".{self.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_bytes(os.urandom(16).hex().encode())
        os.replace(tmp, self.path)

    def bump_now_and_on_commit(self, using: str = "default") -> None:
        """For a signal handler: now (this process stops using its entries at once), and
        again when the transaction commits (the other processes may have read the old row
        again in between)."""
        self.bump()
        if connections[using].in_atomic_block:
            transaction.on_commit(self.bump, using=using)

    @classmethod
    def clear_all(cls, **_kwargs) -> None:
        for cache in cls._all:
            cache.clear()
