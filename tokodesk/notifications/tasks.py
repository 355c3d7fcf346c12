"""Background tasks of customer communication (django-tasks, database backend):
`tokodesk worker` runs them."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def send_notification(notification_id: int) -> dict:
    """Send one queued e-mail; after a failure, queue the next attempt (with backoff when
    the backend can wait) until `emails.MAX_ATTEMPTS`."""
    from tokodesk.notifications.emails import enqueue_send, notification_send

    result = notification_send(notification_id)
    if "retry_at" in result:
        enqueue_send(notification_id, run_after=dt.datetime.fromisoformat(result["retry_at"]))
    return result
