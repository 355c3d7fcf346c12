"""An export whose worker died stays "running" no more: the worker saves a heartbeat after
every chunk; one older than TOKODESK_EXPORT_STALE_MINUTES (10) is marked failed with a
clear message — when the export is read, created or a worker starts — and can be tried
again (page and API)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokodesk.exports import services
from tokodesk.exports.models import Export, ExportTemplate
from tokodesk.exports.tests.helpers import bulk_orders

T0 = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


def _template():
    return ExportTemplate.objects.get_or_create(
        name="Kurir", columns=[{"field": "reference", "header": ""}]
    )[0]


def _running(user, *, heartbeat=True):
    """An export a worker claimed at T0 and then died."""
    export = services.export_create(user=user, template=_template(), filters={})
    Export.objects.filter(pk=export.pk).update(
        status="running",
        started_at=T0,
        heartbeat_at=T0 if heartbeat else None,
        rows_done=5,
        language="en",
    )
    return export


def test_the_worker_saves_a_heartbeat_every_chunk(shop, users, settings, time_machine):
    settings.TOKODESK_EXPORT_CHUNK_SIZE = 10
    bulk_orders(25)
    time_machine.move_to(T0, tick=False)
    export = services.export_create(user=users["owner"], template=_template(), filters={})
    with CaptureQueriesContext(connection) as ctx:
        assert services.export_run(export.pk)["rows"] == 25
    beats = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("UPDATE") and "heartbeat_at" in q["sql"]
    ]
    assert len(beats) == 1 + 3  # claimed, then 3 chunks (10, 10, 5)
    export.refresh_from_db()
    assert (export.status, export.heartbeat_at) == ("done", T0)


def test_a_stale_running_export_is_failed_when_read_and_can_be_retried(
    shop, users, client_for, time_machine
):
    time_machine.move_to(T0 + dt.timedelta(minutes=9, seconds=59), tick=False)
    export = _running(users["owner"])
    c = client_for(users["owner"])
    assert 'data-status="running"' in c.get(f"/exports/{export.pk}/progress/").content.decode()

    time_machine.move_to(T0 + dt.timedelta(minutes=10, seconds=1), tick=False)
    html = c.get(f"/exports/{export.pk}/progress/").content.decode()
    assert 'data-status="failed"' in html and "hx-trigger" not in html
    assert (
        "its worker stopped responding for more than 10 minutes" in html
        and 'id="export-retry"' in html
    )
    export.refresh_from_db()
    assert export.status == "failed" and export.finished_at == T0 + dt.timedelta(
        minutes=10, seconds=1
    )

    r = c.post(f"/exports/{export.pk}/retry/")
    assert r.status_code == 302 and r["Location"] == f"/exports/{export.pk}/"
    export.refresh_from_db()
    assert (export.status, export.error, export.rows_done, export.started_at) == (
        "queued",
        "",
        0,
        None,
    )
    assert services.export_run(export.pk)["rows"] == 0
    export.refresh_from_db()
    assert export.status == "done"


def test_the_message_is_in_the_exporter_language_and_the_api_retries(
    shop, users, api_as, time_machine
):
    time_machine.move_to(T0, tick=False)
    export = _running(users["owner"], heartbeat=False)  # died before its first heartbeat
    Export.objects.filter(pk=export.pk).update(language="id")
    client = api_as("owner")
    assert client.get(f"/api/v1/exports/{export.pk}").json()["status"] == "running"
    time_machine.move_to(T0 + dt.timedelta(minutes=11), tick=False)
    data = client.get(f"/api/v1/exports/{export.pk}").json()
    assert data["status"] == "failed" and "worker" in data["error"] and "10" in data["error"]
    assert client.post(f"/api/v1/exports/{export.pk}/retry").status_code == 202
    assert (
        client.post(f"/api/v1/exports/{export.pk}/retry").status_code == 409
    )  # queued, not failed
    assert client.get(f"/api/v1/exports/{export.pk}").json()["status"] == "queued"


def test_a_new_export_or_a_worker_reaps_every_stale_one(shop, users, settings, time_machine):
    settings.TOKODESK_EXPORT_STALE_MINUTES = 3
    time_machine.move_to(T0, tick=False)
    stale = _running(users["owner"])
    time_machine.move_to(T0 + dt.timedelta(minutes=2), tick=False)
    fresh = _running(users["agent"])
    Export.objects.filter(pk=fresh.pk).update(heartbeat_at=T0 + dt.timedelta(minutes=2))
    time_machine.move_to(T0 + dt.timedelta(minutes=4), tick=False)
    queued = services.export_create(user=users["owner"], template=_template(), filters={})
    assert Export.objects.get(pk=stale.pk).status == "failed"
    assert Export.objects.get(pk=fresh.pk).status == "running"
    time_machine.move_to(T0 + dt.timedelta(minutes=6), tick=False)
    services.export_run(queued.pk)  # the worker reaps first
    assert Export.objects.get(pk=fresh.pk).status == "failed"
    assert Export.objects.get(pk=queued.pk).status == "done"


def test_a_reaped_run_that_was_only_slow_stops_without_touching_the_retry(
    shop, users, settings, time_machine
):
    """The old run's next chunk finds its export no longer its own: it stops, writes nothing."""
    settings.TOKODESK_EXPORT_CHUNK_SIZE = 10
    bulk_orders(30)
    time_machine.move_to(T0, tick=False)
    export = services.export_create(user=users["owner"], template=_template(), filters={})
    from tokodesk.exports import writer

    real = writer.iter_csv

    def slow(*args, **kwargs):
        for i, piece in enumerate(real(*args, **kwargs)):
            if (
                i == 2
            ):  # after the first chunk: the worker hangs 11 minutes, gets reaped and retried
                time_machine.move_to(T0 + dt.timedelta(minutes=11), tick=False)
                assert services.export_reap() == 1
                services.export_retry(user=users["owner"], export_id=export.pk)
            yield piece

    services.iter_csv = slow
    try:
        assert services.export_run(export.pk) == {"superseded": True}
    finally:
        services.iter_csv = real
    export.refresh_from_db()
    assert export.status == "queued" and not export.file
    assert not list(services.export_file_path(export).parent.glob("*"))
    assert services.export_run(export.pk)["rows"] == 30
