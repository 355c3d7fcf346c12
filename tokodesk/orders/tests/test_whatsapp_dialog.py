"""The order page's WhatsApp dialog and the buyer's order link (issue 12, item 13): the agent
picks the purpose and the template, sees the text in the buyer's language, opens wa.me with
it (URL-encoded) or copies it; the buyer's data is never executable."""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qs, urlparse

from django.test import Client

from tokodesk.core.models import BankAccount
from tokodesk.orders.links import order_link_url
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in


def client_for(user, language=None) -> Client:
    c = Client()
    c.force_login(user)
    if language:
        c.cookies["django_language"] = language
    return c


def _textarea(html: str) -> str:
    return htmllib.unescape(
        re.search(r"<textarea[^>]*data-wa-text[^>]*>(.*?)</textarea>", html, re.S).group(1)
    )


def test_dialog_offers_purposes_and_builds_the_link_in_the_orders_language(shop, users):
    BankAccount.objects.create(
        bank_name="BCA", account_number="5230812245", account_holder="Toko Berkah"
    )
    order = order_in("confirmed", users["owner"])
    Order.objects.filter(pk=order.pk).update(language="en")
    c = client_for(users["owner"], "id")  # the user reads Indonesian, the buyer English
    html = c.get(f"/orders/{order.reference}/whatsapp/dialog/").content.decode()
    # A confirmed bank transfer waits for its money: "ask for payment" comes first.
    assert re.search(r'<option value="ask_payment" selected>', html)
    for purpose in ("confirm_order", "ask_payment", "shipped", "follow_up"):
        assert f'<option value="{purpose}"' in html
    text = _textarea(html)
    assert (
        text.startswith("Hello Siti Rahayu") and "BCA 5230812245" in text and "Rp 318.000" in text
    )
    link = f"http://testserver{order_link_url(order)}"
    assert link in text  # the buyer's order link, absolute
    form = re.search(r"<form[^>]*data-wa-dialog[^>]*>", html).group(0)
    assert 'action="/orders/' in form and 'target="_blank"' in form and 'method="post"' in form
    assert "data-copy-text" in html

    chosen = re.search(r'name="template".*?<option value="([^"]+)" selected', html, re.S).group(1)
    r = c.post(
        f"/orders/{order.reference}/whatsapp/", {"purpose": "ask_payment", "template": chosen}
    )
    target = urlparse(r["Refresh"].removeprefix("0; url="))
    assert (target.netloc, target.path) == ("wa.me", "/6281234567890")
    assert parse_qs(target.query)["text"][0] == text


def test_the_buyers_data_is_text_in_the_dialog_and_encoded_in_the_link(shop, users):
    order = make_order(users["owner"])
    Order.objects.filter(pk=order.pk).update(
        recipient_name='<script>alert(1)</script> & "Siti"', language="id"
    )
    c = client_for(users["owner"])
    html = c.get(
        f"/orders/{order.reference}/whatsapp/dialog/?purpose=confirm_order"
    ).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Siti&quot;" in html
    r = c.post(f"/orders/{order.reference}/whatsapp/", {"template": "builtin-confirm_order"})
    url = r["Refresh"].removeprefix("0; url=")
    assert "<" not in url and " " not in url and "&amp;" not in url
    assert parse_qs(urlparse(url).query)["text"][0].startswith(
        'Halo Kak <script>alert(1)</script> & "Siti"'
    )


def test_order_page_has_the_copy_link_and_the_buyers_language(shop, users):
    order = make_order(users["owner"])
    Order.objects.filter(pk=order.pk).update(language="fr")
    html = client_for(users["owner"]).get(f"/orders/{order.reference}/").content.decode()
    link = f"http://testserver{order_link_url(order)}"
    field = re.search(r"<input[^>]*data-order-link[^>]*>", html).group(0)
    assert f'value="{link}"' in field and "readonly" in field and "data-select-on-click" in field
    button = re.search(r"<button[^>]*data-copy-link[^>]*>", html).group(0)
    field_id = re.search(r'id="([^"]+)"', field).group(1)
    assert f'data-copy-text="#{field_id}"' in button
    assert "/static/orders/copy.js" in html and "onclick" not in html
    assert re.search(r'<option value="fr" selected>', html)  # the buyer's language, to change
    assert "data-whatsapp-open" in html


def test_viewer_gets_no_dialog(shop, users):
    order = make_order(users["owner"])
    c = client_for(users["viewer"])
    assert c.get(f"/orders/{order.reference}/whatsapp/dialog/").status_code == 403
    assert "data-whatsapp-open" not in c.get(f"/orders/{order.reference}/").content.decode()


def test_row_menu_opens_the_dialog_without_redrawing_the_order_page(shop, users):
    order = make_order(users["owner"])
    c = client_for(users["owner"])
    menu = c.get(f"/orders/{order.reference}/menu/").content.decode()
    button = re.search(r"<button[^>]*data-whatsapp-open[^>]*>", menu).group(0)
    assert f'hx-get="/orders/{order.reference}/whatsapp/dialog/?display=list"' in button
    html = c.get(f"/orders/{order.reference}/whatsapp/dialog/?display=list").content.decode()
    assert "data-wa-dialog" in html and "data-refresh-url" not in html
    assert (
        "data-refresh-url" in c.get(f"/orders/{order.reference}/whatsapp/dialog/").content.decode()
    )
    assert "/static/orders/copy.js" in c.get("/orders/").content.decode()
