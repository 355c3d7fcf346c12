"""Every return action through the pages, as the browser posts it (htmx): the form comes
from the return table (or, for receive and complete, per line), the service does the work,
the answer is the fresh row or detail and a message; refusals come back in the form."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tokodesk.catalog.models import Stock
from tokodesk.core.tests import files
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import Refund, Return
from tokodesk.returns.tests.factories import BANK, paid_order, return_in

HTMX = {"HTTP_HX_REQUEST": "true"}
PDF = files.PDF
PNG = files.PNG


def client_for(user):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def action_url(ret, action):
    return f"/returns/{ret.reference}/actions/{action}/"


def on_hand(sku, warehouse="jkt"):
    return Stock.objects.get(variant__sku=sku, warehouse__code=warehouse).on_hand


def lines_of(ret):
    return list(ret.lines.order_by("id"))


def test_approve_with_label_message_and_target_date(shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ret = return_in("requested", users["owner"])
    c = client_for(users["owner"])
    form = c.get(action_url(ret, "approve") + "?display=detail").content.decode()
    assert 'name="label"' in form and 'name="message"' in form and 'name="target_date"' in form
    assert 'hx-encoding="multipart/form-data"' in form
    r = c.post(action_url(ret, "approve"), {
        "display": "detail", "version": ret.version, "message": "Kirim ke gudang kami.", "target_date": "2030-03-01",
        "label": SimpleUploadedFile("label.pdf", PDF, content_type="application/pdf")}, **HTMX)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-status="awaiting_item"' in body and 'data-section="timeline"' in body and "msg success" in body
    ret.refresh_from_db()
    assert ret.status == "awaiting_item" and ret.label.name.endswith(".pdf") and str(ret.target_date) == "2030-03-01"
    assert ret.messages.get().body == "Kirim ke gudang kami."


def test_approve_refuses_a_label_that_is_not_a_pdf_or_image(shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ret = return_in("draft", users["owner"])
    r = client_for(users["owner"]).post(action_url(ret, "approve"), {
        "display": "row", "label": SimpleUploadedFile("label.txt", b"hello", content_type="text/plain")}, **HTMX)
    assert r["HX-Retarget"] == "#modal-body"
    assert re.search(r'name="label"[^>]*>\s*<span class="field-error">Not a PDF or an image', r.content.decode())
    ret.refresh_from_db()
    assert ret.status == "draft" and not ret.label


def test_receive_with_restock_per_line(shop, users):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner, order=paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1))))
    kaos, madu = lines_of(ret)
    before = {"KAOS-M": on_hand("KAOS-M"), "MADU-500": on_hand("MADU-500")}
    c = client_for(users["warehouse"])
    form = c.get(action_url(ret, "receive")).content.decode()
    for name in (f"qty_{kaos.pk}", f"condition_{kaos.pk}", f"serials_{madu.pk}", "warehouse"):
        assert f'name="{name}"' in form, name
    r = c.post(action_url(ret, "receive"), {
        "display": "row", "version": ret.version, "warehouse": "jkt",
        f"qty_{kaos.pk}": "2", f"condition_{kaos.pk}": "resellable", f"serials_{kaos.pk}": "SN-1, SN-2",
        f"qty_{madu.pk}": "1", f"condition_{madu.pk}": "damaged", f"serials_{madu.pk}": ""}, **HTMX)
    assert r.status_code == 200, r.content
    assert f'id="return-{ret.reference}"' in r.content.decode() and 'data-status="item_received"' in r.content.decode()
    kaos.refresh_from_db()
    madu.refresh_from_db()
    assert (kaos.qty_received, kaos.condition, kaos.qty_restocked, kaos.serial_numbers) == (
        2, "resellable", 2, ["SN-1", "SN-2"])
    assert (madu.qty_received, madu.condition, madu.qty_restocked) == (1, "damaged", 0)
    assert on_hand("KAOS-M") == before["KAOS-M"] + 2 and on_hand("MADU-500") == before["MADU-500"]


def test_receive_more_than_returned_is_shown_in_the_form(shop, users):
    ret = return_in("awaiting_item", users["owner"], lines=[("KAOS-M", 1)])
    (line,) = lines_of(ret)
    r = client_for(users["owner"]).post(action_url(ret, "receive"), {
        "warehouse": "jkt", f"qty_{line.pk}": "5", f"condition_{line.pk}": "resellable"}, **HTMX)
    assert r["HX-Retarget"] == "#modal-body"
    assert re.search(rf'name="qty_{line.pk}"[^>]*>\s*<span class="field-error">', r.content.decode())
    assert Return.objects.get(pk=ret.pk).status == "awaiting_item"


def test_complete_with_partial_acceptance_and_a_bank_refund_then_mark_paid(shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = users["owner"]
    ret = return_in("item_received", owner, order=paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1))))
    kaos, madu = lines_of(ret)
    c = client_for(users["finance"])
    form = c.get(action_url(ret, "complete") + "?display=detail").content.decode()
    for name in (f"decision_{kaos.pk}", f"qty_{madu.pk}", "refund_method", "bank_name", "account_number",
                 "account_holder", "refund_amount"):
        assert f'name="{name}"' in form, name
    post = {"display": "detail", "version": ret.version, f"decision_{kaos.pk}": "accept", f"qty_{kaos.pk}": "1",
            f"decision_{madu.pk}": "refuse", f"qty_{madu.pk}": "", "refund_method": "bank_transfer"}
    # A bank transfer needs the customer's bank details: the form says which.
    r = c.post(action_url(ret, "complete"), post, **HTMX)
    assert r["HX-Retarget"] == "#modal-body"
    assert re.search(r'name="bank_name"[^>]*>\s*<span class="field-error">', r.content.decode())
    assert Return.objects.get(pk=ret.pk).status == "item_received"
    r = c.post(action_url(ret, "complete"), {**post, **BANK}, **HTMX)
    assert r.status_code == 200 and 'data-status="completed"' in r.content.decode()
    ret.refresh_from_db()
    kaos.refresh_from_db()
    madu.refresh_from_db()
    assert (kaos.decision, kaos.qty_accepted, madu.decision) == ("accept", 1, "refuse")
    refund = Refund.objects.get(return_order=ret)
    assert (refund.amount, refund.method, refund.status, refund.bank_name) == (75000, "bank_transfer", "pending", "BCA")
    html = r.content.decode()
    assert "Mark as paid" in html and f"/returns/refunds/{refund.pk}/paid/" in html

    # Marked paid: the proof and the date are required for a bank transfer.
    url = f"/returns/refunds/{refund.pk}/paid/"
    r = c.post(url, {f"r{refund.pk}-paid_on": "2026-01-10"}, **HTMX)
    assert "msg error" in r.content.decode()
    proof = SimpleUploadedFile("bukti.png", PNG, content_type="image/png")
    r = c.post(url, {f"r{refund.pk}-paid_on": "2026-01-10", f"r{refund.pk}-proof": proof,
                     f"r{refund.pk}-reference": "TRX-1"}, **HTMX)
    assert r.status_code == 200 and "msg success" in r.content.decode()
    refund.refresh_from_db()
    assert (refund.status, str(refund.paid_on), refund.reference) == ("paid", "2026-01-10", "TRX-1")
    assert refund.proof.name.endswith(".png")
    assert c.get(f"/returns/refunds/{refund.pk}/proof/").status_code == 200
    # Only finance (and owner/admin) mark refunds paid.
    assert client_for(users["warehouse"]).post(url, {}).status_code == 403


def test_complete_with_store_credit(shop, users):
    owner = users["owner"]
    ret = return_in("item_received", owner, resolution="store_credit", lines=[("KAOS-M", 2)])
    (line,) = lines_of(ret)
    r = client_for(users["finance"]).post(action_url(ret, "complete"), {
        "display": "detail", f"decision_{line.pk}": "accept", f"qty_{line.pk}": "2"}, **HTMX)
    assert 'data-status="completed"' in r.content.decode()
    assert StoreCreditEntry.objects.balance_of(ret.customer_id) == 150000
    assert 'data-balance="150000"' in r.content.decode()


def test_complete_exchange_for_other_items_makes_a_linked_order(shop, users):
    owner = users["owner"]
    ret = return_in("item_received", owner, resolution="exchange_other", lines=[("KAOS-M", 1)])
    (line,) = lines_of(ret)
    c = client_for(owner)
    form = c.get(action_url(ret, "complete")).content.decode()
    assert 'name="exchange_sku_0"' in form and "KAOS-L" in form
    r = c.post(action_url(ret, "complete"), {
        "display": "detail", f"decision_{line.pk}": "accept", "exchange_sku_0": "MADU-500", "exchange_qty_0": "1"},
        **HTMX)
    assert 'data-status="completed"' in r.content.decode(), r.content.decode()[:2000]
    ret.refresh_from_db()
    replacement = ret.replacement_order
    assert [(li.sku, li.qty) for li in replacement.lines.all()] == [("MADU-500", 1)]
    assert ret.exchange_difference == 150000 - 75000
    html = r.content.decode()
    assert f'href="/orders/{replacement.reference}/"' in html and 'data-money="due"' in html


def test_reject_needs_a_message(shop, users):
    ret = return_in("draft", users["owner"])
    c = client_for(users["owner"])
    assert 'name="message"' in c.get(action_url(ret, "reject")).content.decode()
    r = c.post(action_url(ret, "reject"), {"display": "row", "message": ""}, **HTMX)
    assert r["HX-Retarget"] == "#modal-body" and "field-error" in r.content.decode()
    assert Return.objects.get(pk=ret.pk).status == "draft"
    r = c.post(action_url(ret, "reject"), {"display": "row", "message": "Barang sudah dicuci."}, **HTMX)
    assert 'data-status="rejected"' in r.content.decode()
    ret.refresh_from_db()
    assert ret.status == "rejected" and ret.messages.get().body == "Barang sudah dicuci."


def test_hold_resume_to_draft_and_cancel(shop, users):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner)
    c = client_for(owner)
    c.post(action_url(ret, "hold"), {"display": "row", "reason": "Menunggu foto"}, **HTMX)
    assert Return.objects.get(pk=ret.pk).status == "on_hold"
    c.post(action_url(ret, "resume"), {"display": "row"}, **HTMX)
    assert Return.objects.get(pk=ret.pk).status == "awaiting_item"
    c.post(action_url(ret, "to_draft"), {"display": "row"}, **HTMX)
    assert Return.objects.get(pk=ret.pk).status == "draft"
    c.post(action_url(ret, "cancel"), {"display": "detail", "reason": "Pembeli berubah pikiran"}, **HTMX)
    assert Return.objects.get(pk=ret.pk).status == "cancelled"


def test_refused_action_answers_with_a_message(shop, users):
    ret = return_in("draft", users["owner"])
    r = client_for(users["owner"]).post(action_url(ret, "resume"), {"display": "row"}, **HTMX)
    assert r["HX-Reswap"] == "none" and "msg error" in r.content.decode()
    # Warehouse may receive, not approve.
    r = client_for(users["warehouse"]).post(action_url(ret, "approve"), {"display": "row"}, **HTMX)
    assert "You are not allowed" in r.content.decode()
    assert Return.objects.get(pk=ret.pk).status == "draft"


def test_stale_version_is_refused(shop, users):
    ret = return_in("awaiting_item", users["owner"])
    r = client_for(users["owner"]).post(action_url(ret, "to_draft"), {"display": "row", "version": "1"}, **HTMX)
    assert "msg error" in r.content.decode()
    assert Return.objects.get(pk=ret.pk).status == "awaiting_item"


def test_recreate_opens_the_new_draft(shop, users):
    owner = users["owner"]
    old = return_in("rejected", owner, lines=[("KAOS-M", 1)])
    r = client_for(owner).post(f"/returns/{old.reference}/recreate/")
    new = Return.objects.exclude(pk=old.pk).get()
    assert r.status_code == 302 and r["Location"] == f"/returns/{new.reference}/"
    assert (new.status, new.recreated_from_id, [li.sku for li in new.lines.all()]) == ("draft", old.pk, ["KAOS-M"])
    html = client_for(owner).get(f"/returns/{old.reference}/").content.decode()
    assert f'href="/returns/{new.reference}/"' in html


def test_without_htmx_the_action_redirects_to_the_detail(shop, users):
    ret = return_in("draft", users["owner"])
    r = client_for(users["owner"]).post(action_url(ret, "approve"), {"message": ""})
    assert r.status_code == 302 and r["Location"] == f"/returns/{ret.reference}/"
    assert Return.objects.get(pk=ret.pk).status == "awaiting_item"


def test_the_email_is_previewed_then_sent_or_not(shop, users, settings, tmp_path):
    from tokodesk.notifications.models import Notification
    from tokodesk.orders.models import Order

    settings.MEDIA_ROOT = tmp_path
    owner = users["owner"]
    order = paid_order(owner)
    Order.objects.filter(pk=order.pk).update(recipient_email="siti@example.com")
    ret = return_in("draft", owner, order=order)
    c = client_for(owner)
    form = c.get(action_url(ret, "approve") + "?display=detail").content.decode()
    assert 'id="email-preview"' in form and 'name="step" value="preview"' in form
    post = {"display": "detail", "version": ret.version, "message": "Kirim ke gudang kami.",
            "label": SimpleUploadedFile("label.pdf", PDF, content_type="application/pdf")}
    r = c.post(action_url(ret, "approve"), {**post, "step": "preview"}, **HTMX)
    body = r.content.decode()
    assert r["HX-Retarget"] == "#email-preview"
    assert "siti@example.com" in body and "Kirim ke gudang kami." in body and "label.pdf" in body
    assert 'name="notify" value="send"' in body and 'name="notify" value="skip"' in body
    ret.refresh_from_db()
    assert ret.status == "draft" and not ret.label  # the preview changes nothing
    post["label"] = SimpleUploadedFile("label.pdf", PDF, content_type="application/pdf")
    r = c.post(action_url(ret, "approve"), {**post, "notify": "send"}, **HTMX)
    assert 'data-status="awaiting_item"' in r.content.decode() and "siti@example.com" in r.content.decode()
    n = Notification.objects.get()
    assert (n.to, n.event, n.return_order_id) == ("siti@example.com", "approve", ret.pk)
    # Change the status only: no e-mail.
    ret.refresh_from_db()
    post = {"display": "detail", "notify": "skip", "warehouse": "jkt"}
    for line in lines_of(ret):
        post.update({f"qty_{line.pk}": str(line.qty), f"condition_{line.pk}": "resellable"})
    r = c.post(action_url(ret, "receive"), post, **HTMX)
    assert 'data-status="item_received"' in r.content.decode(), re.findall(r'(?:msg error|field-error)[^<]*<', r.content.decode())
    assert Notification.objects.count() == 1


def test_preview_shows_the_action_refusals_in_the_form(shop, users):
    ret = return_in("draft", users["owner"])
    r = client_for(users["owner"]).post(action_url(ret, "reject"), {"display": "row", "step": "preview",
                                                                     "message": ""}, **HTMX)
    assert r["HX-Retarget"] == "#modal-body" and "field-error" in r.content.decode()
    # Without an e-mail address, sending is refused and the status stays.
    r = client_for(users["owner"]).post(action_url(ret, "reject"), {"display": "row", "notify": "send",
                                                                     "message": "Sudah dipakai"}, **HTMX)
    assert "no e-mail address" in r.content.decode()
    assert Return.objects.get(pk=ret.pk).status == "draft"
