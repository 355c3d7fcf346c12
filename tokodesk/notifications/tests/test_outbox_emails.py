"""A queued e-mail goes out through the outbox: its `notification.queued` event is written
in the action's transaction, and the worker's dispatch enqueues the send even when the task
enqueued on commit (the fast path) was lost; never twice; never to a webhook."""

from __future__ import annotations

import pytest
from django.core import mail

from tokodesk.core import outbox
from tokodesk.core.outbox import OutboxEvent
from tokodesk.notifications.emails import return_act_and_notify
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import return_data
from tokodesk.webhooks import events as webhook_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(order, owner):
    return return_create(data=return_data(order), actor=owner)


def test_an_email_whose_commit_hook_was_lost_is_sent_by_the_dispatch(draft, owner, immediate_tasks,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the process dies at the commit
        _ret, n = return_act_and_notify(reference=draft.reference, action="approve", actor=owner, send=True,
                                        inputs={"message": "Kirim lewat JNE ya."})
    event = OutboxEvent.objects.get(type="notification.queued")
    assert event.doc_id == n.pk and event.doc_reference == draft.reference
    assert mail.outbox == []
    outbox.dispatch()
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == n.subject
    n.refresh_from_db()
    assert (n.status, n.attempts) == ("sent", 1)
    assert not webhook_events.matches(["*"], event.types)  # internal: no webhook gets it


def test_the_commit_dispatches_it_at_once_and_the_worker_not_again(draft, owner, immediate_tasks,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return_act_and_notify(reference=draft.reference, action="approve", actor=owner, send=True,
                              inputs={"message": "Kirim lewat JNE ya."})
    assert len(mail.outbox) == 1
    assert OutboxEvent.objects.get(type="notification.queued").dispatched_at is not None
    outbox.dispatch()  # the worker's pass: the order and return events, not this one again
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert len(mail.outbox) == 1
