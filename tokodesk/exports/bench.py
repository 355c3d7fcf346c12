"""Measure one export of all orders the way the worker writes it (issue 6 targets:
≥ 100,000 rows/s and peak RSS ≤ 250 MB at 1,000,000 orders).

A benchmark calls `measure_export(template, engine=…)` in a fresh process (peak RSS is
the process's `ru_maxrss`), or runs `tokodesk export_bench --template courier`.
The export is queued as the owner (or the first superuser / any user) and run right
here by `services.export_run`, what `tokodesk worker` runs; the file and the Export row
are deleted afterwards unless `keep=True`.
"""

from __future__ import annotations

import os
import resource
import time

TEMPLATES = {"courier": "Courier pickup list", "accounting": "Accounting", "full": "Full export"}


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure_export(
    template: str = "courier",
    *,
    engine: str | None = None,
    delimiter: str | None = None,
    language: str = "en",
    keep: bool = False,
) -> dict:
    """Export every order with a built-in template ("courier", "accounting", "full") or the
    template of that name; `engine` "auto" / "sql" / "python" (default: the setting
    TOKODESK_EXPORT_ENGINE); `delimiter` overrides the template's. Returns rows, seconds,
    rows/s, file size, RSS before and peak (MB), the engine used."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from tokodesk.exports import services
    from tokodesk.exports.models import Export, ExportTemplate

    tmpl = ExportTemplate.objects.get(name=TEMPLATES.get(template, template))
    User = get_user_model()
    user = (
        User.objects.filter(username="owner").first()
        or User.objects.filter(is_superuser=True).first()
        or User.objects.order_by("pk").first()
    )
    if engine is not None:
        settings.TOKODESK_EXPORT_ENGINE = engine
    export = Export.objects.create(
        user=user,
        template=tmpl,
        template_name=tmpl.name,
        columns=list(tmpl.columns),
        delimiter=delimiter or tmpl.effective_delimiter,
        filters={},
        references=None,
        language=language,
    )
    rss_before = _rss_mb()
    cpu0, t0 = time.process_time(), time.perf_counter()
    result = services.export_run(export.pk)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    export.refresh_from_db()
    path = services.export_file_path(export)
    size = path.stat().st_size if path.exists() else 0
    out = {
        "vendor": connection.vendor,
        "template": template,
        "columns": len(tmpl.columns),
        "delimiter": export.delimiter,
        "engine": result.get("engine"),
        "status": export.status,
        "rows": result.get("rows", 0),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_s": round(result.get("rows", 0) / seconds) if seconds else 0,
        "file_mb": round(size / 1e6, 1),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "pid": os.getpid(),
    }
    if keep:
        out["file"] = str(path)
    else:
        path.unlink(missing_ok=True)
        export.delete()
    return out
