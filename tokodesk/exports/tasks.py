"""Background tasks of exports (django-tasks, database backend): `tokodesk worker` runs them."""

from __future__ import annotations

from django_tasks import task


@task()
def run_export(export_id: str) -> dict:
    """Write one queued export's CSV file under MEDIA_ROOT/exports/, saving the progress
    after every chunk."""
    from tokodesk.exports.services import export_run

    return export_run(export_id)


@task()
def warm_kept(export_id: str) -> dict:
    """After a template's first export in a language (its form), keep its orders' lines
    so that the next exports read them (exports/kept.py)."""
    from tokodesk.exports.services import export_warm

    return export_warm(export_id)
