"""`tokodesk worker` as a real process (on its own SQLite database): it runs what is queued
in django-tasks' database queue from its thread, and SIGTERM or SIGINT stops it cleanly
(exit status 0, "stopped" in its log)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
TOKODESK = BIN / "tokodesk"

pytestmark = pytest.mark.skipif(not TOKODESK.exists(), reason="the tokodesk console script is not installed")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("worker-data")
    subprocess.run([TOKODESK, "migrate", "--no-input", "-v", "0"], env=_env(path), check=True, timeout=300)
    return path


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TOKODESK_TEST_DB_NAME")}
    env.update(TOKODESK_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    return env


def _wait_for(log: Path, text: str, proc, timeout=30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text()
        if text in content:
            return content
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not seen (exit {proc.poll()}):\n{log.read_text()}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_worker_runs_queued_tasks_and_stops_cleanly(data_dir, tmp_path, sig):
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [TOKODESK, "worker", "--interval", "0.3", "--task-interval", "0.2"],
            env=_env(data_dir), stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        started = _wait_for(log, "every 0.3 s", proc)
        assert "order_deadlines" in started, started  # the job the orders app registered
        enqueued = subprocess.run(
            [TOKODESK, "shell", "-c",
             "from tokodesk.orders.tasks import run_deadlines; print(run_deadlines.enqueue().id)"],
            env=_env(data_dir), capture_output=True, text=True, check=True, timeout=60,
        )
        task_id = enqueued.stdout.strip().splitlines()[-1]
        _wait_for(log, f"Task id={task_id} path=tokodesk.orders.tasks.run_deadlines state=SUCCESSFUL", proc)

        proc.send_signal(sig)
        assert proc.wait(timeout=20) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert f"{signal.Signals(sig).name}: stopping" in text and "stopped" in text.splitlines()[-1], text
    assert "Traceback" not in text, text
