"""WhatsApp templates (issue 12, item 13): several per purpose and language, managed by the
owner (list, create/edit with a live preview, delete), an unknown {variable} refused with a
message, rendered with the order's values in the buyer's language whoever sends it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.core.models import BankAccount
from tokodesk.orders import wa_templates, whatsapp
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.orders.wa_templates import Purpose, WhatsAppTemplate


def client_for(user, language=None) -> Client:
    c = Client()
    c.force_login(user)
    if language:
        c.cookies["django_language"] = language
    return c


@pytest.fixture
def accounts(db):
    BankAccount.objects.create(
        bank_name="BCA", account_number="5230812245", account_holder="Toko Berkah", position=1
    )
    BankAccount.objects.create(
        bank_name="Mandiri",
        account_number="1300099",
        account_holder="Toko Berkah",
        position=2,
        active=False,
    )  # no longer offered


def test_defaults_are_seeded_for_every_purpose_in_id_en_fr(db):
    seeded = set(WhatsAppTemplate.objects.values_list("purpose", "language"))
    assert seeded == {(p, lang) for p in Purpose.values for lang in ("id", "en", "fr")}
    for template in WhatsAppTemplate.objects.all():
        assert wa_templates.unknown_variables(template.body) == [], template


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "id",
            [
                "Halo Kak Siti Rahayu",
                "Silakan transfer Rp 318.000",
                "BCA 5230812245 a.n. Toko Berkah",
            ],
        ),
        (
            "en",
            [
                "Hello Siti Rahayu",
                "Please transfer Rp 318.000",
                "BCA 5230812245 in the name of Toko Berkah",
            ],
        ),
        (
            "fr",
            [
                "Bonjour Siti Rahayu",
                "Merci de virer 318\u202f000\u00a0IDR",  # CLDR fr: French customer, rupiah shop
                "BCA 5230812245 au nom de Toko Berkah",
            ],
        ),
    ],
)
def test_ask_for_payment_in_the_orders_language(shop, users, accounts, language, words):
    order = order_in("confirmed", users["owner"], method="bank_transfer")
    Order.objects.filter(pk=order.pk).update(language=language)
    order.refresh_from_db()
    dialog = whatsapp.chat_dialog(
        order, purpose=Purpose.ASK_PAYMENT, base_url="https://toko.example/"
    )
    text = dialog["text"]
    for word in words + [order.reference, "https://toko.example/o/"]:
        assert word in text, (word, text)
    assert "Mandiri" not in text  # an account no longer offered
    assert "{" not in text  # every variable filled


def test_every_variable_is_filled(shop, users, accounts):
    order = order_in("in_transit", users["owner"])  # shipped: an AWB with JNE
    order.courier.tracking_url = "https://jne.example/track?awb={awb}"
    order.courier.save()
    Order.objects.filter(pk=order.pk).update(language="en", destination_city="Bandung Barat")
    order.refresh_from_db()
    body = " | ".join("{" + name + "}" for name in wa_templates.VARIABLES)
    values = whatsapp.order_values(order, base_url="https://toko.example")
    text = wa_templates.fill(body, values)
    parts = text.split(" | ")
    assert parts[0] == "Siti Rahayu" and parts[1] == order.reference
    assert "2 × Madu Hutan" in parts[2]
    assert parts[3] == "Jl. Melati 5, Bandung, Bandung Barat"
    assert parts[4] == "Rp 18.000" and parts[5] == "Rp 318.000"
    assert parts[6].startswith("Pay Rp 318.000 in cash")  # COD: to the courier
    assert parts[7].startswith("https://toko.example/o/")
    assert parts[8] == order.awb and parts[9] == f"https://jne.example/track?awb={order.awb}"
    assert parts[10] == "Our shop"  # no shop name set yet: never the software's


def test_unique_transfer_code_is_in_the_instructions(shop, users, accounts, monkeypatch):
    from tokodesk.orders import transfer_codes

    monkeypatch.setattr(transfer_codes, "codes_enabled", lambda: True)
    order = make_order(users["owner"], method="bank_transfer")
    assert order.transfer_code > 0
    text = whatsapp.payment_instructions(order, "id")
    assert (
        f"Rp {order.total:,}".replace(",", ".") in text
        and f"kode unik {order.transfer_code}" in text
    )


def test_unknown_variable_is_refused_by_the_service(users):
    with pytest.raises(ValidationFailed) as caught:
        wa_templates.template_save(
            actor=users["owner"],
            purpose="confirm_order",
            language="id",
            name="Typo",
            body="Halo {nmae}, total {total} {order_link}",
        )
    assert "{nmae}" in str(caught.value.fields["body"]) and "{name}" in str(
        caught.value.fields["body"]
    )
    assert not WhatsAppTemplate.objects.filter(name="Typo").exists()
    with pytest.raises(PermissionDenied):
        wa_templates.template_save(
            actor=users["agent"],
            purpose="confirm_order",
            language="id",
            name="X",
            body="Halo {name}",
        )


def test_owner_creates_a_second_template_and_the_order_page_offers_it(shop, users):
    owner = users["owner"]
    c = client_for(owner)
    html = c.get("/orders/settings/").content.decode()
    assert 'href="/orders/settings/whatsapp/"' in html  # the settings page's section
    html = c.get("/orders/settings/whatsapp/").content.decode()
    assert (
        "Konfirmasi pesanan" in html and "Minta pembayaran" in html
    )  # the seeded ones, in their language
    r = c.post(
        "/orders/settings/whatsapp/new/",
        {
            "purpose": "confirm_order",
            "language": "id",
            "name": "Singkat",
            "body": "Kak {name}, {total} ya. {bogus}",
        },
    )
    assert r.status_code == 422
    error = re.search(
        r'data-field="body">.*?<span class="field-error">(.*?)</span>', r.content.decode(), re.S
    )
    assert (
        error and "{bogus}" in error.group(1) and "{name}" in error.group(1)
    )  # names the typo and the choice
    assert "Kak {name}, {total} ya. {bogus}" in r.content.decode()  # what was typed is kept
    r = c.post(
        "/orders/settings/whatsapp/new/",
        {
            "purpose": "confirm_order",
            "language": "id",
            "name": "Singkat",
            "body": "Kak {name}, totalnya {total} ya.",
        },
    )
    assert r.status_code == 302
    created = WhatsAppTemplate.objects.get(name="Singkat")
    order = make_order(owner)
    Order.objects.filter(pk=order.pk).update(language="id")
    dialog = client_for(owner, "en").get(
        f"/orders/{order.reference}/whatsapp/dialog/?purpose=confirm_order"
    )
    html = dialog.content.decode()
    assert f'<option value="{created.pk}"' in html and "Konfirmasi pesanan" in html
    html = (
        client_for(owner, "en")
        .get(
            f"/orders/{order.reference}/whatsapp/dialog/?purpose=confirm_order&template={created.pk}"
        )
        .content.decode()
    )
    assert "Kak Siti Rahayu, totalnya Rp 318.000 ya." in html
    # Edit, then delete.
    r = c.post(
        f"/orders/settings/whatsapp/{created.pk}/",
        {"purpose": "confirm_order", "language": "id", "name": "Singkat", "body": "Kak {name}!"},
    )
    assert (
        r.status_code == 302 and WhatsAppTemplate.objects.get(pk=created.pk).body == "Kak {name}!"
    )
    assert c.post(f"/orders/settings/whatsapp/{created.pk}/delete/").status_code == 302
    assert not WhatsAppTemplate.objects.filter(pk=created.pk).exists()


def test_live_preview_fills_a_sample_and_names_unknown_variables(users):
    c = client_for(users["owner"])
    r = c.post(
        "/orders/settings/whatsapp/preview/",
        {"language": "id", "body": "Halo {name}, total {total}"},
    )
    assert r.status_code == 200
    assert "Halo Siti Rahayu, total Rp 318.000" in r.content.decode()
    r = c.post(
        "/orders/settings/whatsapp/preview/", {"language": "id", "body": "Halo {nama} <b>x</b>"}
    )
    html = r.content.decode()
    assert "data-preview-error" in html and "{nama}" in html and "<b>x</b>" not in html


def test_templates_pages_are_the_owners(users):
    for role in ("agent", "finance", "warehouse"):
        c = client_for(users[role])
        assert c.get("/orders/settings/whatsapp/").status_code == 403
        assert (
            c.post(
                "/orders/settings/whatsapp/new/",
                {"purpose": "confirm_order", "language": "id", "name": "X", "body": "Hi"},
            ).status_code
            == 403
        )
    assert not WhatsAppTemplate.objects.filter(name="X").exists()


def test_built_in_text_when_a_purpose_has_no_template(shop, users):
    WhatsAppTemplate.objects.filter(purpose="follow_up", language="fr").delete()
    order = order_in("completed", users["owner"])
    Order.objects.filter(pk=order.pk).update(language="fr")
    order.refresh_from_db()
    dialog = whatsapp.chat_dialog(order)
    assert dialog["purpose"] == "follow_up"  # the step a completed order calls for
    assert dialog["template"].pk is None and dialog["text"].startswith("Bonjour Siti Rahayu")


def test_the_chat_is_logged_with_its_template(shop, users, accounts):
    order = order_in("confirmed", users["owner"])
    template = wa_templates.template_save(
        actor=users["owner"],
        purpose="ask_payment",
        language="id",
        name="Tagih sopan",
        body="Halo Kak {name}.\n{payment_instructions}",
    )
    link = whatsapp.order_open_chat(
        reference=order.reference,
        actor=users["finance"],
        template=str(template.pk),
        base_url="https://toko.example/",
    )
    text = parse_qs(urlparse(link).query)["text"][0]
    assert text.startswith("Halo Kak Siti Rahayu") and "BCA 5230812245" in text
    event = order.events.filter(kind="chat").get()
    assert event.data["purpose"] == "ask_payment" and event.data["template"] == template.name
    html = client_for(users["owner"]).get(f"/orders/{order.reference}/").content.decode()
    chat = re.search(r'<li data-kind="chat".*?</li>', html, re.S).group(0)
    assert "Tagih sopan" in chat  # the timeline says which template was sent
    with pytest.raises(ValidationFailed):
        whatsapp.order_open_chat(reference=order.reference, actor=users["owner"], template="999999")
