"""Background tasks of exports (django-tasks, database backend): `tokodesk worker` runs them."""

from __future__ import annotations

from django_tasks import task


@task()
def run_export(export_id: str) -> dict:
    """Write one queued export's CSV file under MEDIA_ROOT/exports/, saving the progress
    after every chunk."""
    from tokodesk.exports.services import export_run

    return export_run(export_id)
