"""The bank transfer on the buyer's order page (issue 12, item 14): the WhatsApp button to
the seller with a message naming the order and the amount, the proof upload (the one
upload check, a timeline event from the customer, CSRF, size and rate limits) and what the
team sees of it; the unique transfer code added to the total."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tokodesk.core.models import ShopSettings
from tokodesk.orders import proofs, transfer_codes
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.services import order_edit
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.storefront.links import order_link_url

pytestmark = pytest.mark.django_db

SHOP_WA = "0811 2233 4455"


@pytest.fixture
def buyer():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def shop_whatsapp(shop):
    ShopSettings.get()
    ShopSettings.objects.filter(pk=1).update(whatsapp=SHOP_WA)


def png(name="bukti.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def proof_url(order) -> str:
    return order_link_url(order) + "proof/"


def wa_href(html: str) -> str:
    start = html.index('id="whatsapp-seller"')
    tag = html[html.rindex("<a", 0, start) : html.index(">", start)]
    href = tag.split('href="', 1)[1].split('"', 1)[0]
    return href.replace("&amp;", "&")


# --- WhatsApp ------------------------------------------------------------------------------


def test_bank_transfer_page_has_a_whatsapp_button_naming_order_and_amount(
    shop_whatsapp, owner, buyer
):
    order = make_order(owner, method="bank_transfer")
    html = buyer.get(order_link_url(order)).content.decode()
    href = wa_href(html)
    parts = urlsplit(href)
    assert parts.scheme == "https" and parts.netloc == "wa.me"
    assert parts.path == "/6281122334455"  # the shop's number, international digits
    text = unquote(parse_qs(parts.query)["text"][0])
    assert order.reference in text
    assert "Rp 318.000" in text  # 2 × 150.000 + 18.000 shipping, what is still to pay
    assert 'target="_blank"' in html and 'rel="noopener noreferrer"' in html


def test_no_shop_number_no_button(shop, owner, buyer):
    order = make_order(owner, method="bank_transfer")
    html = buyer.get(order_link_url(order)).content.decode()
    assert 'id="whatsapp-seller"' not in html
    assert 'id="proof-form"' in html  # the upload works without a number


def test_cod_page_has_neither_button_nor_upload(shop_whatsapp, owner, buyer):
    order = make_order(owner, method="cod")
    html = buyer.get(order_link_url(order)).content.decode()
    assert 'id="whatsapp-seller"' not in html and 'id="proof-form"' not in html


# --- the proof -----------------------------------------------------------------------------


def test_the_buyer_sends_a_proof(shop, owner, buyer):
    order = make_order(owner, method="bank_transfer")
    version = order.version
    response = buyer.post(proof_url(order), {"proof": png()})
    assert response.status_code == 302
    assert response["Location"].endswith(order_link_url(order) + "#payment")
    order.refresh_from_db()
    assert order.customer_proof.name.startswith("payment-proofs/")
    assert order.customer_proof.name.endswith("/bukti.png")
    assert order.customer_proof_at is not None and order.version == version + 1
    event = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.PROOF_SENT)
    assert event.source == "customer" and event.actor is None
    assert event.data == {"proof": order.customer_proof.name}
    page = buyer.get(order_link_url(order)).content.decode()
    assert 'id="proof-sent"' in page
    assert "You sent a proof of transfer" in page  # the buyer's own timeline


def test_the_team_sees_and_opens_the_proof(shop, users, buyer):
    order = make_order(users["owner"], method="bank_transfer", agent="agent")
    buyer.post(proof_url(order), {"proof": png()})
    finance = Client(HTTP_ACCEPT_LANGUAGE="en")
    finance.force_login(users["finance"])
    detail = finance.get(reverse("orders:detail", args=[order.reference])).content.decode()
    assert 'data-section="customer_payment"' in detail and 'id="customer-proof-link"' in detail
    assert "Proof of transfer sent" in detail  # the team's timeline
    served = finance.get(reverse("storefront:customer_proof", args=[order.reference]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["Content-Security-Policy"] == "sandbox"
    # Scoped like the order: another agent does not see it, a stranger must log in.
    other = Client()
    other.force_login(users["agent2"])
    assert (
        other.get(reverse("storefront:customer_proof", args=[order.reference])).status_code == 404
    )
    assert (
        Client().get(reverse("storefront:customer_proof", args=[order.reference])).status_code
        == 302
    )


def test_a_disguised_file_is_refused_and_nothing_is_stored(shop, owner, buyer):
    order = make_order(owner, method="bank_transfer")
    fake = SimpleUploadedFile(
        "bukti.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )
    response = buyer.post(proof_url(order), {"proof": fake})
    assert response.status_code == 422
    assert 'id="proof-error"' in response.content.decode()
    order.refresh_from_db()
    assert not order.customer_proof
    assert not OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.PROOF_SENT).exists()


def test_no_file_says_what_to_choose(shop, owner, buyer):
    order = make_order(owner, method="bank_transfer")
    response = buyer.post(proof_url(order), {})
    assert response.status_code == 422
    assert "Choose the photo or PDF of your transfer receipt." in response.content.decode()


def test_a_too_large_request_is_refused_before_it_is_read(shop, owner, buyer):
    order = make_order(owner, method="bank_transfer")
    response = buyer.post(
        proof_url(order), {"proof": png()}, CONTENT_LENGTH=str(proofs.MAX_BYTES + 10**6)
    )
    assert response.status_code == 413
    order.refresh_from_db()
    assert not order.customer_proof


def test_rate_limited_per_order(shop, owner, buyer):
    order = make_order(owner, method="bank_transfer")
    for _ in range(proofs.PROOFS_PER_HOUR):
        assert buyer.post(proof_url(order), {"proof": png()}).status_code == 302
    response = buyer.post(proof_url(order), {"proof": png()})
    assert response.status_code == 429
    assert (
        OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.PROOF_SENT).count()
        == proofs.PROOFS_PER_HOUR
    )


def test_csrf_is_checked(shop, owner):
    order = make_order(owner, method="bank_transfer")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(proof_url(order), {"proof": png()}).status_code == 403
    order.refresh_from_db()
    assert not order.customer_proof


def test_no_proof_once_paid_or_for_cod(shop, owner, buyer):
    for order in (order_in("paid", owner), make_order(owner, method="cod")):
        response = buyer.post(proof_url(order), {"proof": png()})
        assert response.status_code == 302
        order.refresh_from_db()
        assert not order.customer_proof


def test_a_wrong_token_is_a_404(shop, owner, buyer):
    order = make_order(owner, method="bank_transfer")
    assert buyer.post(proof_url(order).replace(".", ".x", 1), {"proof": png()}).status_code == 404


# --- the unique transfer code -------------------------------------------------------------


@pytest.fixture
def codes_on(monkeypatch):
    monkeypatch.setattr(transfer_codes, "codes_enabled", lambda: True)


def test_codes_are_off_by_default(shop, owner):
    order = make_order(owner, method="bank_transfer")
    assert order.transfer_code == 0 and order.total == 318000


def test_a_bank_transfer_order_gets_a_code_in_its_total(shop, owner, buyer, codes_on):
    order = make_order(owner, method="bank_transfer")
    assert 1 <= order.transfer_code <= 999
    assert order.total == 318000 + order.transfer_code
    order.refresh_from_db()
    assert order.total == 318000 + order.transfer_code and order.outstanding == order.total
    html = buyer.get(order_link_url(order)).content.decode()
    assert 'id="transfer-code"' in html and 'data-testid="transfer-code"' in html
    cod = make_order(owner, method="cod")
    assert cod.transfer_code == 0 and cod.total == 318000


def test_the_code_stays_through_an_edit_and_goes_with_the_bank_transfer(shop, owner, codes_on):
    order = make_order(owner, method="bank_transfer")
    code = order.transfer_code
    order = order_edit(reference=order.reference, actor=owner, changes={"shipping_cost": 20000})
    assert order.transfer_code == code and order.total == 320000 + code
    order = order_edit(reference=order.reference, actor=owner, changes={"payment_method": "cod"})
    assert order.transfer_code == 0 and order.total == 320000


def test_codes_in_use_are_not_given_again(shop, owner, codes_on, monkeypatch):
    monkeypatch.setattr(transfer_codes, "code_range", lambda currency: range(1, 3))
    first = make_order(owner, method="bank_transfer")
    second = make_order(owner, method="bank_transfer")
    assert {first.transfer_code, second.transfer_code} == {1, 2}
    # A paid order's code is free again.
    assert Order.objects.count() == 2


def test_a_landing_page_order_gets_its_code_and_the_thank_you_page_shows_it(shop, codes_on):
    from tokodesk.storefront.tests.test_landing import buyer as landing_buyer
    from tokodesk.storefront.tests.test_landing import make_page, submit

    make_page(shop)
    client = landing_buyer()
    response = submit(client, "kaos")
    order = Order.objects.get()
    assert 1 <= order.transfer_code <= 999 and order.total == 150000 + order.transfer_code
    thanks = client.get(response["Location"]).content.decode()
    assert 'id="transfer-code"' in thanks
    assert f"Rp {order.total:,}".replace(",", ".") in thanks


def test_the_owner_turns_codes_on_in_the_order_settings(shop, users):
    from tokodesk.orders.order_settings import OrderSettings

    assert OrderSettings.get().unique_transfer_code is False  # off by default
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(users["owner"])
    page = owner.get("/orders/settings/").content.decode()
    assert 'name="unique_transfer_code"' in page
    assert "Add a unique code to bank transfer totals" in page
    response = owner.post(
        "/orders/settings/",
        {
            "section": "orders",
            "order_reference_pattern": "ORD-{seq:06d}",
            "shipping_deadline_hours": 48,
            "cancellation_window_hours": 48,
            "auto_complete_days": 7,
            "whatsapp_template": "",
            "unique_transfer_code": "on",
        },
    )
    assert response.status_code == 302
    assert OrderSettings.get().unique_transfer_code is True
    order = make_order(users["owner"], method="bank_transfer")
    assert 1 <= order.transfer_code <= 999 and order.total == 318000 + order.transfer_code


def test_the_api_gives_the_code(shop, users, codes_on):
    order = make_order(users["owner"], method="bank_transfer")
    api = Client()
    api.force_login(users["finance"])
    data = api.get(f"/api/v1/orders/{order.reference}").json()
    assert data["transfer_code"] == order.transfer_code > 0
    assert data["total"] == data["outstanding"] == 318000 + order.transfer_code
