"""The order detail page, edit order, notes, tags, change agent and the WhatsApp chat:
what they show, what they change (always through the services, always on the timeline),
and who may see or do what."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tokodesk.core.tests import files
from tokodesk.orders import services
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.tests.factories import make_order, order_in, run

HTMX = {"HTTP_HX_REQUEST": "true"}
# session, user, user permissions, group permissions, role groups (context processor),
# order (+ lines, tags, payments, notes, note authors), timeline (+ actors in the join),
# courier names and agent names when the timeline mentions them, agents of the select
MAX_DETAIL_QUERIES = 18  # + the customer's store-credit balance (returns' section), the courier
# tracking history of a shipped order (tracking's section), the order's claims (payments'
# section); the shop's settings row (ShopLocaleMiddleware: time zone, staff language) is one
# more per request, read by every page


def client_for(user, language=None) -> Client:
    c = Client()
    c.force_login(user)
    if language:
        c.cookies["django_language"] = language
    return c


def url(order, suffix=""):
    return f"/orders/{order.reference}/{suffix}"


def events(order, kind=None):
    qs = OrderEvent.objects.filter(order=order).order_by("id")
    return list(qs.filter(kind=kind) if kind else qs)


def edit_data(order, **overrides):
    """The edit form as the browser posts it, from the order as it is now."""
    lines = list(order.lines.all())
    data = {
        "version": str(order.version),
        "recipient_name": order.recipient_name, "recipient_phone": order.recipient_phone,
        "recipient_email": order.recipient_email, "destination_address": order.destination_address,
        "destination_city": order.destination_city,
        "warehouse": order.warehouse.code if order.warehouse_id else "",
        "courier": order.courier.code if order.courier_id else "", "courier_service": order.courier_service,
        "shipping_cost": str(order.shipping_cost), "insurance_cost": str(order.insurance_cost),
        "discount": str(order.discount), "payment_method": order.payment_method,
        "customer_note": order.customer_note,
        "lines-TOTAL_FORMS": str(len(lines) + 2), "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50",
    }
    for i, line in enumerate(lines):
        data[f"lines-{i}-sku"] = line.sku
        data[f"lines-{i}-qty"] = str(line.qty)
    data.update({k: str(v) for k, v in overrides.items()})
    return data


@pytest.fixture
def owner(users):
    return users["owner"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- the page ------------------------------------------------------------------------------


def test_detail_renders_every_section(shop, users, owner):
    order = make_order(owner, agent="agent")
    services.order_edit(reference=order.reference, actor=owner, changes={
        "recipient_email": "siti@example.com", "destination_city": "Bandung", "courier_service": "REG",
        "insurance_cost": 2000, "discount": 5000})
    run(order, "confirm", owner)
    proof = SimpleUploadedFile("bukti-transfer.png", files.PNG, content_type="image/png")
    services.order_apply_action(reference=order.reference, action="confirm_payment", actor=owner,
                                inputs={"amount": 100000, "account": "BCA 123"}, files={"proof": proof})
    services.order_add_note(reference=order.reference, actor=owner, body="Pembeli minta dikirim sore")
    services.order_tag(reference=order.reference, actor=owner, add=["vip"])

    r = client_for(owner).get(url(order))
    assert r.status_code == 200
    html = r.content.decode()
    assert f'id="order-{order.reference}"' in html
    for section in ("lines", "payments", "timeline", "customer", "shipping", "order", "tags", "notes"):
        assert f'data-section="{section}"' in html, section
    # header: reference, status badge, the actions of the row menu, edit, WhatsApp
    assert 'data-status="partially_paid"' in html
    assert 'data-action="confirm_payment"' in html and "?display=detail" in html
    assert 'data-action="unconfirm_payment"' in html
    assert "data-edit" in html and "data-whatsapp" in html
    # every field
    for text in ("Siti Rahayu", "+6281234567890", "siti@example.com", "Jl. Melati 5, Bandung", "Gudang Jakarta",
                 "JNE", "REG", "MADU-500"):
        assert text in html, text
    # money: 2 × 150.000 + 18.000 shipping + 2.000 insurance − 5.000 discount
    for field, text in (("subtotal", "Rp 300.000"), ("shipping_cost", "Rp 18.000"), ("insurance_cost", "Rp 2.000"),
                        ("total", "Rp 315.000"), ("paid_total", "Rp 100.000"), ("outstanding", "Rp 215.000")):
        assert re.search(rf'data-money="{field}">[^<]*{re.escape(text)}', html), field
    # payment with its proof file, note, tag, agent select
    assert "bukti-transfer" in html and "BCA 123" in html
    assert "Pembeli minta dikirim sore" in html and 'data-tag="vip"' in html
    assert 'id="agent"' in html and '<option value="agent" selected>' in html
    # timeline: kinds, actions, statuses, actor, data
    for kind in ("created", "edited", "action", "note_added", "tag_added"):
        assert f'data-kind="{kind}"' in html, kind
    assert 'data-action="confirm"' in html
    assert "New → Confirmed" in html or "Baru → Dikonfirmasi" in html


def test_voided_payment_is_marked(shop, users, owner):
    order = order_in("paid", owner)
    run(order, "unconfirm_payment", owner)
    html = client_for(owner).get(url(order)).content.decode()
    assert "data-voided" in html
    assert 'data-action="unconfirm_payment"' in html  # the timeline entry of the voiding


def test_unknown_order_is_404(shop, users, owner):
    assert client_for(owner).get("/orders/ORD-NOPE/").status_code == 404


def test_detail_query_count_does_not_grow(shop, users, owner):
    """A timeline with every kind of event, then one three times longer with more lines,
    notes, tags and payments: the same number of queries."""
    order = order_in("awaiting_pickup", owner, agent="agent")
    services.order_add_note(reference=order.reference, actor=owner, body="first")
    services.order_tag(reference=order.reference, actor=owner, add=["a"])
    services.order_assign_agent(reference=order.reference, actor=owner, agent="agent2")
    c = client_for(owner)
    c.get(url(order))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url(order))
        assert r.status_code == 200
        return len(ctx.captured_queries)

    before = count()
    first_events = OrderEvent.objects.filter(order=order).count()
    run(order, "cancel_shipment", owner)
    services.order_edit(reference=order.reference, actor=owner, changes={"lines": [
        {"sku": "MADU-500", "qty": 2}, {"sku": "KAOS-M", "qty": 1}, {"sku": "KAOS-L", "qty": 3}]})
    for i in range(10):
        services.order_add_note(reference=order.reference, actor=users["admin"], body=f"note {i}")
        services.order_tag(reference=order.reference, actor=owner, add=[f"t{i}"])
        services.order_assign_agent(reference=order.reference, actor=owner, agent=["agent", "agent2"][i % 2])
    order = run(Order.objects.get(pk=order.pk), "ship", owner)
    assert OrderEvent.objects.filter(order=order).count() >= 3 * first_events
    after = count()
    assert after == before
    assert after <= MAX_DETAIL_QUERIES


# --- actions, notes, tags, agent -----------------------------------------------------------


def test_action_with_display_detail_returns_the_detail_body(shop, users, owner):
    order = make_order(owner)
    r = client_for(owner).post(url(order, "actions/confirm/"), {"display": "detail", "version": order.version}, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert re.search(rf'<div id="order-{order.reference}" class="order-detail"[^>]*data-status="confirmed"', html)
    assert 'data-section="timeline"' in html and 'data-action="confirm"' in html
    assert 'id="messages"' in html  # the toast
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_action_form_targets_the_detail_body(shop, users, owner):
    order = order_in("confirmed", owner)
    html = client_for(owner).get(url(order, "actions/confirm_payment/?display=detail")).content.decode()
    assert f'hx-target="#order-{order.reference}"' in html and 'value="detail"' in html


def test_note_lands_on_the_timeline(shop, users, owner):
    order = make_order(owner)
    r = client_for(owner).post(url(order, "notes/"), {"body": "  Telepon dulu sebelum kirim  "}, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Telepon dulu sebelum kirim" in html and 'data-kind="note_added"' in html
    assert order.notes.get().body == "Telepon dulu sebelum kirim"
    assert events(order, "note_added")[0].data["body"] == "Telepon dulu sebelum kirim"


def test_empty_note_is_refused_inline(shop, users, owner):
    order = make_order(owner)
    r = client_for(owner).post(url(order, "notes/"), {"body": "   "}, **HTMX)
    assert r.status_code == 200
    assert "field-error" in r.content.decode()
    assert not order.notes.exists()


def test_note_without_htmx_redirects_back(shop, users, owner):
    order = make_order(owner)
    r = client_for(owner).post(url(order, "notes/"), {"body": "tanpa htmx"})
    assert r.status_code == 302 and r["Location"] == url(order)
    assert order.notes.get().body == "tanpa htmx"


def test_tags_add_and_remove_land_on_the_timeline(shop, users, owner):
    order = make_order(owner)
    c = client_for(owner)
    r = c.post(url(order, "tags/"), {"add": "vip, reseller"}, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-tag="vip"' in html and 'data-tag="reseller"' in html
    r = c.post(url(order, "tags/"), {"remove": "vip"}, **HTMX)
    html = r.content.decode()
    assert 'data-tag="vip"' not in html and 'data-tag="reseller"' in html
    assert [e.data["tag"] for e in events(order, "tag_added")] == ["vip", "reseller"]
    assert [e.data["tag"] for e in events(order, "tag_removed")] == ["vip"]
    assert 'data-kind="tag_removed"' in html


def test_agent_change_lands_on_the_timeline(shop, users, owner):
    order = make_order(owner, agent="agent")
    c = client_for(owner)
    r = c.post(url(order, "agent/"), {"agent": "agent2", "version": order.version}, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert '<option value="agent2" selected>' in html and 'data-kind="agent_changed"' in html
    assert Order.objects.get(pk=order.pk).assigned_agent == users["agent2"]
    assert events(order, "agent_changed")[0].data == {"from": "agent", "to": "agent2"}
    # a stale version is refused with a message, and the body shows the fresh state
    r = c.post(url(order, "agent/"), {"agent": "agent", "version": order.version}, **HTMX)
    assert "msg error" in r.content.decode()
    assert Order.objects.get(pk=order.pk).assigned_agent == users["agent2"]


def test_agent_select_lists_active_agents_only(shop, users, owner):
    users["agent2"].is_active = False
    users["agent2"].save()
    html = client_for(owner).get(url(make_order(owner))).content.decode()
    select = html[html.index('id="agent"'):html.index("</select>", html.index('id="agent"'))]
    assert 'value="agent"' in select and 'value="agent2"' not in select and 'value="finance"' not in select


# --- WhatsApp ------------------------------------------------------------------------------


def wa_link(response) -> str:
    """The wa.me address the POST sends the new tab on to (core.outbound: Refresh header,
    and the same link on the page)."""
    assert response.status_code == 200, response.status_code
    refresh = response["Refresh"]
    assert refresh.startswith("0; url=")
    link = refresh.removeprefix("0; url=")
    html = response.content.decode()
    assert 'rel="noopener noreferrer"' in html and 'href="https://wa.me/' in html
    return link


def test_whatsapp_get_writes_nothing(shop, users, owner):
    """A link from another site (a GET) must not write on the timeline."""
    order = make_order(owner)
    c = client_for(owner, "en")
    r = c.get(url(order, "whatsapp/"))
    assert r.status_code == 405
    assert events(order, "chat") == []
    # Without the CSRF token (a form on another site) the POST is refused as well.
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(owner)
    assert forged.post(url(order, "whatsapp/")).status_code == 403
    assert events(order, "chat") == []


def test_whatsapp_detail_button_is_a_post_form(shop, users, owner):
    order = make_order(owner)
    page = client_for(owner, "en").get(url(order)).content.decode()
    assert "data-whatsapp-open" in page and "onclick" not in page  # opens the dialog (htmx)
    html = client_for(owner, "en").get(url(order, "whatsapp/dialog/")).content.decode()
    form = re.search(r'<form method="post" action="/orders/[^"]+/whatsapp/"[^>]*>.*?</form>', html, re.S).group(0)
    assert 'target="_blank"' in form and "csrfmiddlewaretoken" in form and "data-whatsapp" in form
    assert "onclick" not in html


def test_whatsapp_redirects_to_wa_me_and_logs_the_chat(shop, users, owner):
    order = make_order(owner)
    Order.objects.filter(pk=order.pk).update(language="en")  # the buyer's language
    r = client_for(owner, "en").post(url(order, "whatsapp/"))
    link = urlparse(wa_link(r))
    assert (link.scheme, link.netloc, link.path) == ("https", "wa.me", "/6281234567890")
    text = parse_qs(link.query)["text"][0]
    for part in ("Siti Rahayu", order.reference, "Rp 318.000", "New", "2 × Madu Hutan – 500 ml"):
        assert part in text, part
    chat = events(order, "chat")
    assert len(chat) == 1 and chat[0].actor == owner and chat[0].data["phone"] == "+6281234567890"
    html = client_for(owner, "en").get(url(order)).content.decode()
    assert 'data-kind="chat"' in html and "Customer chat opened" in html


@pytest.mark.parametrize(("language", "greeting", "status"), [
    ("id", "Halo Siti Rahayu", "Status:"), ("fr", "Bonjour Siti Rahayu", "Statut\u00a0:"), ("en", "Hello Siti Rahayu", "Status:"),
])
def test_whatsapp_message_per_language(shop, users, owner, language, greeting, status):
    """In the buyer's language (the order's), whatever the user's."""
    order = make_order(owner)
    Order.objects.filter(pk=order.pk).update(language=language)
    r = client_for(owner, "fr" if language == "en" else "en").post(url(order, "whatsapp/"))
    text = parse_qs(urlparse(wa_link(r)).query)["text"][0]
    assert text.startswith(greeting) and status in text


def test_whatsapp_shop_template_overrides(shop, users, owner):
    settings_row = OrderSettings.get()
    settings_row.whatsapp_template = "Kak {name}, pesanan {reference} = {total} {unknown} {"
    settings_row.save()
    order = make_order(owner)
    r = client_for(owner).post(url(order, "whatsapp/"))
    text = parse_qs(urlparse(wa_link(r)).query)["text"][0]
    assert text == f"Kak Siti Rahayu, pesanan {order.reference} = Rp 318.000 {{unknown}} {{"


# --- edit order ----------------------------------------------------------------------------


def test_edit_before_shipment(shop, users, owner):
    order = order_in("confirmed", owner)
    c = client_for(owner)
    r = c.get(url(order, "edit/"))
    assert r.status_code == 200
    assert 'name="version"' in r.content.decode() and 'name="lines-0-sku"' in r.content.decode()
    data = edit_data(order, recipient_name="Siti R.", recipient_phone="0812 3456 7891", shipping_cost=20000,
                     discount=1000, **{"lines-0-qty": 1, "lines-1-sku": "KAOS-M", "lines-1-qty": 2})
    r = c.post(url(order, "edit/"), data)
    assert r.status_code == 302 and r["Location"] == url(order)
    order.refresh_from_db()
    assert order.recipient_name == "Siti R." and order.recipient_phone == "+6281234567891"
    assert [(line.sku, line.qty) for line in order.lines.all()] == [("MADU-500", 1), ("KAOS-M", 2)]
    assert order.total == 150000 + 2 * 75000 + 20000 - 1000
    edited = events(order, "edited")[-1]
    assert set(edited.data["changes"]) >= {"recipient_name", "recipient_phone", "lines", "shipping_cost", "discount"}
    html = c.get(url(order)).content.decode()
    assert "Siti R." in html and 'data-kind="edited"' in html


def test_edit_removes_a_line_and_keeps_prices(shop, users, owner):
    order = make_order(owner, lines=(("MADU-500", 1), ("KAOS-M", 1)))
    order.lines.filter(sku="KAOS-M").update(unit_price=70000)  # a negotiated price
    services.order_edit(reference=order.reference, actor=owner, changes={"discount": 0})
    c = client_for(owner)
    r = c.post(url(order, "edit/"), edit_data(order, **{"lines-0-DELETE": "on", "lines-1-qty": 3}))
    assert r.status_code == 302
    assert [(li.sku, li.qty, li.unit_price) for li in order.lines.all()] == [("KAOS-M", 3, 70000)]


def test_edit_errors_are_shown_next_to_their_input(shop, users, owner):
    order = make_order(owner)
    c = client_for(owner, "en")
    # a bad phone and an unknown product: both shown at once, each next to its input
    r = c.post(url(order, "edit/"), edit_data(order, recipient_phone="12", **{"lines-1-sku": "NOPE", "lines-1-qty": 1}))
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-error-for="recipient_phone">Not a valid phone number.' in html
    assert 'data-error-for="lines-1-sku">Unknown product “NOPE”.' in html
    assert 'data-error-for="lines-0-sku"' not in html
    assert 'value="NOPE"' in html  # what was typed is kept
    # the service's field errors land next to their input (here: the warehouse does not stock it)
    r = c.post(url(order, "edit/"), edit_data(order, **{"lines-1-sku": "SEPATU-42", "lines-1-qty": 1}))
    assert r.status_code == 422
    assert 'data-error-for="warehouse"' in r.content.decode() and "does not stock" in r.content.decode()
    r = c.post(url(order, "edit/"), edit_data(order, **{"lines-1-sku": "KAOS-M"}))  # no quantity
    assert r.status_code == 422 and 'data-error-for="lines-1-qty"' in r.content.decode()
    assert Order.objects.get(pk=order.pk).version == order.version
    r = c.post(url(order, "edit/"), edit_data(order, discount=10**7))
    assert r.status_code == 422 and 'data-error-for="discount"' in r.content.decode()
    r = c.post(url(order, "edit/"), edit_data(order, recipient_email="not-an-email"))
    assert r.status_code == 422 and 'data-error-for="recipient_email"' in r.content.decode()


def test_service_field_errors_map_onto_the_form(shop, users, owner):
    from tokodesk.core.errors import ValidationFailed
    from tokodesk.orders.forms_detail import LineFormSet, OrderEditForm, line_changes
    from tokodesk.orders.views.edit import _apply_service_errors

    order = make_order(owner, lines=(("MADU-500", 1), ("KAOS-M", 1)))
    data = edit_data(order, **{"lines-0-DELETE": "on", "lines-2-sku": "KAOS-L", "lines-2-qty": 1})
    form, formset = OrderEditForm(data, order=order), LineFormSet(data, prefix="lines")
    assert form.is_valid() and formset.is_valid()
    lines, index = line_changes(formset, order)
    assert [li["sku"] for li in lines] == ["KAOS-M", "KAOS-L"] and index == [1, 2]
    exc = ValidationFailed("invalid_input", "Not valid.", fields={
        "lines.1.qty": "Too many.", "recipient_name": "Required.", "something": "Odd."})
    general = _apply_service_errors(exc, form, formset, index)
    assert formset.forms[2].errors["qty"] == ["Too many."] and not formset.forms[1].errors
    assert form.errors["recipient_name"] == ["Required."]
    assert general == ["Not valid.", "something: Odd."]


def test_edit_errors_in_the_users_language(shop, users, owner):
    order = make_order(owner)
    r = client_for(owner, "fr").post(url(order, "edit/"), edit_data(order, recipient_name=""))
    assert r.status_code == 422
    html = r.content.decode()
    assert '<html lang="fr">' in html
    assert 'data-error-for="recipient_name">Ce champ est obligatoire.' in html
    r = client_for(owner, "id").post(url(order, "edit/"), edit_data(order, recipient_email="bukan-email"))
    assert 'data-error-for="recipient_email">Masukkan alamat email yang valid.' in r.content.decode()


def test_edit_is_refused_after_shipment(shop, users, owner):
    order = order_in("in_transit", owner)
    c = client_for(owner)
    r = c.get(url(order, "edit/"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "data-refused" in html and 'name="recipient_name"' not in html
    r = c.post(url(order, "edit/"), edit_data(order, recipient_name="Orang Lain"))
    assert r.status_code == 409
    assert Order.objects.get(pk=order.pk).recipient_name == "Siti Rahayu"
    assert "data-edit" not in c.get(url(order)).content.decode()


def test_stale_version_on_edit_gives_a_clear_message(shop, users, owner):
    order = make_order(owner)
    c = client_for(owner, "en")
    data = edit_data(order, recipient_name="Dari Tab Lama")
    services.order_tag(reference=order.reference, actor=owner, add=["someone-else"])  # bumps the version
    r = c.post(url(order, "edit/"), data)
    assert r.status_code == 409
    html = r.content.decode()
    assert "changed by someone else" in html and "data-reload" in html
    assert 'value="Dari Tab Lama"' in html  # what was typed is kept
    assert Order.objects.get(pk=order.pk).recipient_name == "Siti Rahayu"


# --- who sees what -------------------------------------------------------------------------


def test_agent_sees_only_their_orders(shop, users, owner):
    mine = make_order(owner, agent="agent")
    theirs = make_order(owner, agent="agent2")
    c = client_for(users["agent"])
    assert c.get(url(mine)).status_code == 200
    assert c.get(url(mine, "edit/")).status_code == 200
    for method, suffix, data in [
        ("get", "", None), ("get", "edit/", None), ("post", "edit/", edit_data(theirs)),
        ("post", "notes/", {"body": "x"}), ("post", "tags/", {"add": "x"}), ("post", "agent/", {"agent": "agent"}),
        ("post", "whatsapp/", None), ("post", "actions/confirm/", {"display": "detail"}),
    ]:
        r = getattr(c, method)(url(theirs, suffix), data or {})
        assert r.status_code == 404, (method, suffix, r.status_code)
    assert not OrderEvent.objects.filter(order=theirs).exclude(kind="created").exists()
    assert not theirs.notes.exists()


def test_agent_has_no_change_agent_select(shop, users, owner):
    order = make_order(owner, agent="agent")
    html = client_for(users["agent"]).get(url(order)).content.decode()
    assert 'id="agent"' not in html and 'data-action="confirm"' in html and "note-form" in html


def test_viewer_sees_no_buttons(shop, users, owner):
    order = order_in("confirmed", owner)
    c = client_for(users["viewer"])
    r = c.get(url(order))
    assert r.status_code == 200
    html = r.content.decode()
    assert "data-action=" not in html.split('data-section="timeline"')[0]
    for marker in ("note-form", "data-edit", "data-whatsapp", "tag-form", 'id="agent"', "hx-post"):
        assert marker not in html, marker
    assert c.post(url(order, "notes/"), {"body": "x"}).status_code == 403
    assert c.get(url(order, "edit/")).status_code == 403
    assert c.post(url(order, "whatsapp/")).status_code == 403
    assert c.post(url(order, "tags/"), {"add": "x"}).status_code == 403
    assert not OrderEvent.objects.filter(order=order, kind__in=["chat", "note_added", "tag_added"]).exists()


def test_anonymous_is_sent_to_login(shop, users, owner):
    order = make_order(owner)
    r = Client().get(url(order))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
