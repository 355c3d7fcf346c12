"""The e-mail endpoints: preview (no write), notify after an action (202, sent by the
worker), the outbox of a return, "send again"; errors in our JSON shape."""

import pytest
from django.core import mail

from tokodesk.notifications.models import Notification
from tokodesk.notifications.tests.conftest import EMAIL, label_file, with_email
from tokodesk.returns.services import return_attach_label, return_create
from tokodesk.returns.tests.factories import act, paid_order, return_data

URL = "/api/v1/returns"


@pytest.fixture
def ret(shop, users):
    owner = users["owner"]
    return return_create(data=return_data(with_email(paid_order(owner, agent="agent"))), actor=owner)


def test_preview_then_approve_then_notify(ret, users, api_as, immediate_tasks, django_capture_on_commit_callbacks):
    agent = api_as("agent")
    return_attach_label(reference=ret.reference, actor=users["owner"], file=label_file())
    r = agent.get(f"{URL}/{ret.reference}/email-preview",
                  {"event": "approve", "lang": "en", "message": "Pakai JNE ya."})
    assert r.status_code == 200, r.content
    preview = r.json()
    assert preview["to"] == EMAIL and preview["can_send"] is True and preview["locale"] == "en"
    assert ret.reference in preview["subject"] and "Pakai JNE ya." in preview["body"]
    assert preview["attachments"] == ["label-jne.pdf"]
    assert "http://testserver/o/" in preview["body"]
    assert not Notification.objects.exists()

    r = agent.post(f"{URL}/{ret.reference}/actions/approve", {"message": "Pakai JNE ya."})
    assert r.status_code == 200, r.content
    with django_capture_on_commit_callbacks(execute=True):
        r = agent.post(f"{URL}/{ret.reference}/notify", {"event": "approve", "locale": "en"})
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["subject"] == preview["subject"] and body["body"] == preview["body"]
    assert body["attachments"] == ["label-jne.pdf"] and body["created_by"] == "agent"
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][0] == "label-jne.pdf"

    r = agent.get(f"{URL}/{ret.reference}/notifications")
    assert [(n["channel"], n["event"], n["status"]) for n in r.json()] == [("email", "approve", "sent")]
    timeline = agent.get(f"{URL}/{ret.reference}/timeline").json()
    assert timeline[-1]["kind"] == "notification" and timeline[-1]["data"]["to"] == EMAIL


def test_errors(ret, users, api_as):
    owner = api_as("owner")
    r = owner.get(f"{URL}/{ret.reference}/email-preview", {"event": "hold"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = owner.post(f"{URL}/{ret.reference}/notify", {"event": "approve"})
    assert r.status_code == 409 and r.json()["code"] == "not_allowed_in_status"
    assert owner.post(f"{URL}/RMA-99999/notify", {"event": "approve"}).status_code == 404
    assert owner.post(f"{URL}/{ret.reference}/notify", {"event": "approve", "bogus": 1}).status_code == 422
    act(ret, "approve", users["owner"])
    assert api_as("viewer").post(f"{URL}/{ret.reference}/notify", {"event": "approve"}).status_code == 403
    assert api_as("agent2").get(f"{URL}/{ret.reference}/email-preview", {"event": "approve"}).status_code == 404
    assert api_as("viewer").get(f"{URL}/{ret.reference}/email-preview", {"event": "approve"}).status_code == 200
    assert owner.post(f"{URL}/{ret.reference}/notifications/999/retry").status_code == 404


def test_retry_a_failed_email(ret, users, api_as, settings, immediate_tasks, django_capture_on_commit_callbacks):
    act(ret, "approve", users["owner"])
    settings.EMAIL_BACKEND = "tokodesk.notifications.tests.test_emails.FailingBackend"
    owner = api_as("owner")
    with django_capture_on_commit_callbacks(execute=True):
        n = owner.post(f"{URL}/{ret.reference}/notify", {"event": "approve"}).json()
    failed = owner.get(f"{URL}/{ret.reference}/notifications").json()[0]
    assert failed["status"] == "failed" and "SMTP server down" in failed["error"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        r = owner.post(f"{URL}/{ret.reference}/notifications/{n['id']}/retry")
    assert r.status_code == 202
    assert owner.get(f"{URL}/{ret.reference}/notifications").json()[0]["status"] == "sent"
    assert len(mail.outbox) == 1
    assert owner.post(f"{URL}/{ret.reference}/notifications/{n['id']}/retry").status_code == 409


def test_preview_before_the_action_is_a_dry_run(ret, users, api_as):
    owner = api_as("owner")
    act(ret, "approve", users["owner"])
    before = owner.get(f"{URL}/{ret.reference}").json()
    lines = [{"sku": "KAOS-M", "qty": 1, "condition": "damaged"}, {"sku": "MADU-500", "qty": 1}]
    r = owner.post(f"{URL}/{ret.reference}/email-preview",
                   {"event": "receive", "locale": "en", "inputs": {"warehouse": "jkt", "lines": lines}})
    assert r.status_code == 200, r.content
    body = r.json()["body"]
    assert "- 1 × Kaos Polos – M (Damaged)" in body and "- 1 × Madu Hutan – 500 ml (Resellable)" in body
    # Nothing happened: same status, version, timeline, stock.
    after = owner.get(f"{URL}/{ret.reference}").json()
    assert (after["status"], after["version"]) == (before["status"], before["version"]) == ("awaiting_item", 2)
    assert len(owner.get(f"{URL}/{ret.reference}/timeline").json()) == 2
    # The action's own refusals come out before the preview window.
    r = owner.post(f"{URL}/{ret.reference}/email-preview",
                   {"event": "reject", "inputs": {"message": ""}})
    assert r.status_code == 422 and "message" in r.json()["fields"]
    r = owner.post(f"{URL}/{ret.reference}/email-preview", {"event": "complete", "inputs": {}})
    assert r.status_code == 409  # not received yet


def test_dry_run_of_completion_shows_the_amount(ret, users, api_as):
    owner = users["owner"]
    ret = act(act(ret, "approve", owner), "receive", owner)
    lines = [{"sku": "KAOS-M", "decision": "accept", "qty": 1}, {"sku": "MADU-500", "decision": "refuse"}]
    r = api_as("owner").post(f"{URL}/{ret.reference}/email-preview", {"event": "complete", "locale": "en", "inputs": {
        "lines": lines, "bank_name": "BCA", "account_number": "123", "account_holder": "Siti"}})
    assert r.status_code == 200, r.content
    body = r.json()["body"]
    assert "- 2 × Kaos Polos – M: accepted (1 of 2)" in body and "- 1 × Madu Hutan – 500 ml: refused" in body
    assert "We refund you Rp 75.000." in body
    ret.refresh_from_db()
    assert ret.status == "item_received" and not ret.refunds.exists()
