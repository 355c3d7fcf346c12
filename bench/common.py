"""What the bench scripts share: Django setup, the run's context (machine, load, commit,
database) and the result files. Not a test module: `make test` never imports it."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django(database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pct(values, q: float) -> float:
    """Linear-interpolated percentile (q in 0..1) of a non-empty list."""
    values = sorted(values)
    k = (len(values) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def git_commit() -> dict:
    """The commit measured and whether the product code (tokodesk/, config/) had
    uncommitted changes at the time (other engineers work in the same tree)."""

    def git(*args):
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = [line[3:] for line in git("status", "--porcelain", "tokodesk", "config").splitlines()]
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_product_files": changed}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
    }


def database_info() -> dict:
    """Vendor, server version and order count of the configured database (Django set up)."""
    from django.db import connection

    from tokodesk.orders.models import Order

    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    return {"database": vendor, "version": version, "orders": Order.objects.count()}


def context() -> dict:
    """Everything a result file records about where and when it was measured."""
    import django

    return {
        "utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        **database_info(),
        "django": django.get_version(),
        **machine(),
        **git_commit(),
        "load_average": load_average(),
    }


def write_json(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return path


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
