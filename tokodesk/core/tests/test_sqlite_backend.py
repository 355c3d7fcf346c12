"""The SQLite backend's writer lock: threads of a process take turns for the write lock,
every transaction gives it back however it ends, and a thread that waits too long goes on
without it (SQLite's own locking still holds)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tokodesk.core.sqlite.base import DatabaseWrapper, _writer_lock

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backend")


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def wrapper(path, timeout=30):
    settings_dict = {**connection.settings_dict, "NAME": str(path)}
    settings_dict["OPTIONS"] = {**settings_dict["OPTIONS"], "timeout": timeout}
    return DatabaseWrapper(settings_dict, alias=f"lock-test-{threading.get_ident()}")


def begin(conn):
    conn.ensure_connection()
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def test_engine_is_ours():
    assert connection.settings_dict["ENGINE"] == "tokodesk.core.sqlite"
    assert isinstance(connections["default"], DatabaseWrapper)


def test_lock_held_by_a_transaction_and_released_however_it_ends(tmp_path):
    path = tmp_path / "t.sqlite3"
    conn = wrapper(path)
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n INTEGER)")
    lock = _writer_lock(str(path))
    for end in ("commit", "rollback", "close"):
        begin(conn)
        assert conn._held is lock and lock.locked()
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        if end == "commit":
            conn.commit()
        elif end == "rollback":
            conn.rollback()
        else:
            conn.close()
        assert conn._held is None and not lock.locked(), end
        conn.set_autocommit(True) if end != "close" else None
    conn.close()


def test_threads_take_turns_and_every_write_counts(tmp_path):
    path = tmp_path / "t.sqlite3"
    setup = wrapper(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    inside, most, errors = [0], [0], []
    guard = threading.Lock()

    def work():
        conn = wrapper(path)
        try:
            for _ in range(25):
                begin(conn)
                with guard:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                with conn.cursor() as cursor:
                    cursor.execute("SELECT n FROM counter")
                    (n,) = cursor.fetchone()
                    cursor.execute("UPDATE counter SET n = %s", [n + 1])
                with guard:
                    inside[0] -= 1
                conn.commit()
                conn.set_autocommit(True)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check = wrapper(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone() == (200,)
    check.close()
    assert errors == [] and most[0] == 1  # one transaction at a time, none lost


def test_a_thread_that_waits_too_long_goes_on_without_the_lock(tmp_path):
    path = tmp_path / "t.sqlite3"
    conn = wrapper(path, timeout=0.2)
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n INTEGER)")
    lock = _writer_lock(str(path))
    lock.acquire()  # someone else holds it (and no SQLite transaction is open)
    try:
        begin(conn)
        assert conn._held is None
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        conn.commit()
        assert lock.locked()  # not released by a transaction that did not take it
    finally:
        lock.release()
        conn.close()


def _other_process_writes(path, seconds):
    """Another process's writer (a connection of its own, not our backend) holding the
    write lock for a while."""
    import sqlite3

    other = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(seconds, lambda: (other.execute("COMMIT"), other.close()))
    timer.start()
    return timer


def test_begin_waits_for_another_process_then_restores_the_busy_timeout(tmp_path):
    path = tmp_path / "t.sqlite3"
    conn = wrapper(path, timeout=5)
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE t (n INTEGER)")
    timer = _other_process_writes(path, 0.05)
    begin(conn)  # retried until the other writer commits
    with conn.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.set_autocommit(True)
    timer.join()
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone() == (5000,)
    conn.close()


def test_begin_gives_up_after_the_timeout(tmp_path):
    from django.db import OperationalError

    path = tmp_path / "t.sqlite3"
    conn = wrapper(path, timeout=0.1)
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
    timer = _other_process_writes(path, 0.5)
    with pytest.raises(OperationalError, match="locked"):
        begin(conn)
    assert not _writer_lock(str(path)).locked()  # given back with the failed BEGIN
    timer.join()
    conn.close()
