"""Return e-mails (SPEC 3.3, French seed): a preview per event and language, then "send"
(queued on commit, sent by the worker with the label attached) or "change the status
only" (nothing sent); a rejection carries its required message; retries and failures."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from tokodesk.core import l10n
from tokodesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.notifications.emails import (
    MAX_ATTEMPTS,
    notification_retry,
    notify_return_status,
    preview_return_email,
    return_act_and_notify,
)
from tokodesk.notifications.models import LandingPageLanguage, Notification, NotificationSettings
from tokodesk.notifications.tests.conftest import EMAIL, LABEL_PDF, label_file, with_email
from tokodesk.orders.models import Order
from tokodesk.returns.models import ReturnEvent, ReturnMessage
from tokodesk.returns.services import return_apply_action, return_create
from tokodesk.returns.states import Resolution
from tokodesk.returns.tests.factories import act, paid_order, return_data
from tokodesk.storefront.models import LandingPage

TARGET = dt.date(2030, 1, 15)


class FailingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.fixture
def draft(order, owner):
    return return_create(data=return_data(order), actor=owner)


@pytest.fixture
def approved(draft, owner):
    ret, _n = return_act_and_notify(
        reference=draft.reference, action="approve", actor=owner, send=False,
        inputs={"message": "Kirim lewat JNE ya.", "target_date": TARGET.isoformat()},
        files={"label": label_file()})
    return ret


def items_of(ret):
    return [(line.qty, line.name) for line in ret.lines.order_by("id")]


# --- preview ----------------------------------------------------------------------------------


@pytest.mark.parametrize("locale,subject_word,intro", [
    ("en", "approved", "We have approved your return"),
    ("id", "disetujui", "Kami telah menyetujui retur"),
    ("fr", "accepté", "Nous avons accepté votre retour"),
])
def test_preview_of_the_approval_in_each_language(approved, locale, subject_word, intro):
    preview = preview_return_email(approved, "approve", locale, base_url="https://desk.example.com")
    assert preview.locale == locale
    assert preview.to == EMAIL and preview.can_send
    assert approved.reference in preview.subject and subject_word in preview.subject
    body = preview.body
    assert intro in body
    assert approved.order.reference in body
    for qty, name in items_of(approved):
        assert f"- {qty} × {name}" in body
    # The reason in the e-mail's language (issue 17).
    assert {"id": "Ukuran kekecilan", "en": "Size too small", "fr": "Taille trop petite"}[locale] in body
    assert "Kirim lewat JNE ya." in body  # the message written with the action
    with translation.override(locale):
        assert str(Resolution.REFUND.label) in body
        assert l10n.format_date(TARGET, width="long") in body  # "15 janvier 2030"
    # The customer's order link, where the label stays downloadable.
    assert "https://desk.example.com/o/" in body
    assert preview.attachments == ["label-jne.pdf"]
    # Nothing was written.
    assert not Notification.objects.exists()


def test_preview_before_the_action_uses_the_message_being_typed(draft):
    preview = preview_return_email(draft, "reject", "en", message="Barang sudah dipakai.")
    assert "cannot accept your return" in preview.body and "Barang sudah dipakai." in preview.body
    assert preview.attachments == []
    assert "/o/" not in preview.body  # no address known: no half link


def test_preview_language_follows_landing_page_then_setting_then_shop(draft, shop):
    assert preview_return_email(draft, "approve").locale == "id"  # LANGUAGE_CODE
    settings_row = NotificationSettings.get()
    settings_row.customer_language = "en"
    settings_row.save()
    assert preview_return_email(draft, "approve").locale == "en"
    page = LandingPage.objects.create(name="Kaos", slug="kaos", product=shop["kaos_m"].product)
    LandingPageLanguage.objects.create(landing_page=page, language="fr")
    Order.objects.filter(pk=draft.order_id).update(landing_page=page)
    draft.order.refresh_from_db()
    assert preview_return_email(draft, "approve").locale == "fr"
    assert "Bonjour" in preview_return_email(draft, "approve").body


def test_preview_of_each_event(order, owner):
    ret = return_create(data=return_data(order, resolution="store_credit"), actor=owner)
    ret = act(ret, "approve", owner)
    assert "We received" in preview_return_email(ret, "receive", "en").body
    ret = act(ret, "receive", owner)
    body = preview_return_email(ret, "receive", "en").body
    assert "We received the items" in body and "(Resellable)" in body
    ret = act(ret, "complete", owner)
    body = preview_return_email(ret, "complete", "en").body
    assert "is completed" in body
    assert "- 2 × " in body and ": accepted" in body
    assert "was added to your store credit" in body
    with pytest.raises(ValidationFailed):
        preview_return_email(ret, "hold", "en")


def test_the_shop_name_and_the_subject_on_one_line(approved):
    ShopSettings.get()
    ShopSettings.objects.filter(pk=1).update(shop_name="Toko Siti\nBCC: evil@example.com")
    subject = preview_return_email(approved, "approve", "en").subject
    assert "\n" not in subject and subject.startswith("Toko Siti BCC")


# --- send or not ------------------------------------------------------------------------------


def test_approve_and_send_mails_the_label_after_commit(draft, owner, immediate_tasks,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ret, n = return_act_and_notify(
            reference=draft.reference, action="approve", actor=owner, send=True,
            inputs={"message": "Kirim lewat JNE ya."}, files={"label": label_file()})
    assert ret.status == "awaiting_item"
    assert n.status == "queued" and mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [EMAIL]
    assert sent.subject == n.subject and draft.reference in sent.subject
    assert "Kirim lewat JNE ya." in sent.body
    assert "Your return label is attached" in sent.body or "Label retur terlampir" in sent.body
    assert [(name, content) for name, content, _type in sent.attachments] == [("label-jne.pdf", LABEL_PDF)]
    assert sent.attachments[0][2] == "application/pdf"
    n.refresh_from_db()
    assert (n.status, n.attempts, n.error) == ("sent", 1, "") and n.sent_at is not None
    message = ReturnMessage.objects.get(return_order=ret, action="approve")
    assert message.sent_at is not None and message.channel == "email"
    event = ReturnEvent.objects.filter(return_order=ret, kind="notification").get()
    assert event.action == "approve" and event.actor == owner
    assert event.data["to"] == EMAIL and event.data["attachments"] == ["label-jne.pdf"]


def test_change_status_only_sends_nothing(draft, owner, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ret, n = return_act_and_notify(reference=draft.reference, action="approve", actor=owner, send=False,
                                       inputs={"message": "ok"}, files={"label": label_file()})
        assert notify_return_status(ret, "approve", send=False, actor=owner) is None
    assert ret.status == "awaiting_item" and n is None
    assert mail.outbox == [] and not Notification.objects.exists()
    assert not ReturnEvent.objects.filter(kind="notification").exists()
    assert ReturnMessage.objects.get(return_order=ret).sent_at is None


def test_reject_needs_a_message_and_the_email_carries_it(draft, owner, immediate_tasks,
                                                        django_capture_on_commit_callbacks):
    # The returns service refuses a rejection without a message.
    with pytest.raises(ValidationFailed) as exc:
        return_apply_action(reference=draft.reference, action="reject", actor=owner, inputs={})
    assert "message" in exc.value.fields
    with pytest.raises(ValidationFailed):
        return_apply_action(reference=draft.reference, action="reject", actor=owner, inputs={"message": ""})
    with django_capture_on_commit_callbacks(execute=True):
        ret, _n = return_act_and_notify(reference=draft.reference, action="reject", actor=owner, send=True,
                                        inputs={"message": "Barang sudah dipakai dan labelnya dilepas."})
    assert ret.status == "rejected"
    assert len(mail.outbox) == 1
    assert "Barang sudah dipakai dan labelnya dilepas." in mail.outbox[0].body
    assert mail.outbox[0].attachments == []


def test_notify_after_the_action_uses_the_stored_message(draft, owner, immediate_tasks,
                                                        django_capture_on_commit_callbacks):
    ret = act(draft, "reject", owner, message="Sudah lewat 30 hari.")
    with django_capture_on_commit_callbacks(execute=True):
        n = notify_return_status(ret, "reject", send=True, actor=owner, locale="fr")
    assert n.locale == "fr" and "refusé" in n.subject
    assert "Sudah lewat 30 hari." in mail.outbox[0].body


def test_no_email_address_leaves_the_status_unchanged(order, owner):
    order = with_email(order, "")
    ret = return_create(data=return_data(order), actor=owner)
    with pytest.raises(Conflict) as exc:
        return_act_and_notify(reference=ret.reference, action="approve", actor=owner, send=True, inputs={})
    assert exc.value.code == "no_customer_email"
    ret.refresh_from_db()
    assert ret.status == "draft"
    preview = preview_return_email(ret, "approve", "en")
    assert preview.to == "" and not preview.can_send


def test_an_email_must_match_the_status(draft, owner):
    with pytest.raises(Conflict):
        notify_return_status(draft, "approve", send=True, actor=owner)


def test_permission_of_the_action_is_needed(shop, users, immediate_tasks):
    owner = users["owner"]
    order = with_email(paid_order(owner))
    ret = act(return_create(data=return_data(order), actor=owner), "approve", owner)
    with pytest.raises(PermissionDenied):
        notify_return_status(ret, "approve", send=True, actor=users["viewer"])
    with pytest.raises(PermissionDenied):
        notify_return_status(ret, "approve", send=True, actor=users["warehouse"])
    ret = act(ret, "receive", users["warehouse"])
    assert notify_return_status(ret, "receive", send=True, actor=users["warehouse"]).event == "receive"


def test_the_worker_sends_queued_mail(draft, owner, django_capture_on_commit_callbacks):
    """The real path: the on-commit hook enqueues in the database, `tokodesk worker` sends."""
    with django_capture_on_commit_callbacks(execute=True):
        _ret, n = return_act_and_notify(reference=draft.reference, action="approve", actor=owner, send=True,
                                        inputs={}, files={"label": label_file()})
    assert mail.outbox == []
    call_command("worker", "--once", "--verbosity", "0")
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][0] == "label-jne.pdf"
    n.refresh_from_db()
    assert n.status == "sent"
    call_command("worker", "--once", "--verbosity", "0")  # nothing sent twice
    assert len(mail.outbox) == 1


def test_a_failing_server_is_retried_later_then_fails(draft, owner, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "tokodesk.notifications.tests.test_emails.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        _ret, n = return_act_and_notify(reference=draft.reference, action="approve", actor=owner, send=True,
                                        inputs={})
    call_command("worker", "--once", "--verbosity", "0")
    n.refresh_from_db()
    assert (n.status, n.attempts) == ("queued", 1) and "SMTP server down" in n.error
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after is not None and retry.run_after > n.created_at


def test_immediate_backend_retries_up_to_the_limit(draft, owner, settings, immediate_tasks,
                                                   django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tokodesk.notifications.tests.test_emails.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        _ret, n = return_act_and_notify(reference=draft.reference, action="approve", actor=owner, send=True,
                                        inputs={})
    n.refresh_from_db()
    assert (n.status, n.attempts) == ("failed", MAX_ATTEMPTS) and "ConnectionRefusedError" in n.error
    # "Send again" once the server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notification_retry(notification_id=n.pk, actor=owner)
    n.refresh_from_db()
    assert (n.status, n.attempts) == ("sent", 1) and len(mail.outbox) == 1
    with pytest.raises(Conflict):
        notification_retry(notification_id=n.pk, actor=owner)


def test_agent_cannot_notify_about_another_agents_return(shop, users):
    owner = users["owner"]
    order = with_email(paid_order(owner, agent="agent2"))
    ret = act(return_create(data=return_data(order), actor=owner), "approve", owner)
    from tokodesk.core.errors import NotFound

    with pytest.raises(NotFound):
        notify_return_status(ret, "approve", send=True, actor=users["agent"])
    assert notify_return_status(ret, "approve", send=True, actor=users["agent2"]) is not None


def test_preview_partial(approved):
    from django.template.loader import render_to_string

    preview = preview_return_email(approved, "approve", "en")
    html = render_to_string("notifications/_email_preview.html", {"preview": preview, "buttons": True})
    assert EMAIL in html and preview.subject in html and "label-jne.pdf" in html
    assert 'name="notify" value="send"' in html and "disabled" not in html
    preview.to = ""
    html = render_to_string("notifications/_email_preview.html", {"preview": preview, "buttons": True})
    assert "disabled" in html


def test_dry_run_preview_of_an_exchange_changes_nothing(order, owner):
    from tokodesk.notifications.emails import preview_return_action_email

    ret = return_create(data=return_data(order, resolution="exchange_same"), actor=owner)
    ret = act(act(ret, "approve", owner), "receive", owner)
    orders_before, events_before = Order.objects.count(), ReturnEvent.objects.count()
    inputs = {"lines": [{"line": line.pk, "decision": "accept"} for line in ret.lines.all()]}
    preview = preview_return_action_email(reference=ret.reference, action="complete", actor=owner, inputs=inputs,
                                          locale="en")
    assert "We are sending you the new items with order ORD-" in preview.body
    assert Order.objects.count() == orders_before and ReturnEvent.objects.count() == events_before
    ret.refresh_from_db()
    assert ret.status == "item_received" and ret.replacement_order_id is None
    # The real action gives the order the preview named.
    ret = return_apply_action(reference=ret.reference, action="complete", actor=owner, inputs=inputs)
    assert f"with order {ret.replacement_order.reference}." in preview.body


def test_french_customer_gets_french_whoever_triggers_it(approved):
    """An English-speaking agent previewing a French customer's e-mail and slip: both in the
    customer's language (the order keeps it) with French formats (issue 17)."""
    from tokodesk.notifications.slips import render_slip_html

    Order.objects.filter(pk=approved.order_id).update(language="fr")
    approved.order.refresh_from_db()
    with translation.override("en"):
        preview = preview_return_email(approved, "approve", None, base_url="https://desk.example.com")
        slip = render_slip_html(approved)
    assert preview.locale == "fr"
    assert "Nous avons accepté votre retour" in preview.body
    assert "15 janvier 2030" in preview.body  # CLDR fr long date
    assert "Taille trop petite" in preview.body
    assert 'lang="fr"' in slip
    assert "Bordereau de retour" in slip or "Bon de retour" in slip, slip[:400]
    assert "Return slip" not in slip and "Slip retur" not in slip.lower().replace("\n", " ")
    # Prices on the slip in CLDR French: U+202F between thousands, U+00A0 before the code.
    assert re.search("\\d\u202f\\d{3}\u00a0IDR", slip) and "Rp " not in slip
