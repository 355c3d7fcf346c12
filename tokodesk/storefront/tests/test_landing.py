"""The public landing page (/p/<slug>/): what it shows, the order it makes, and every way
a submit is refused (invalid fields, honeypot, rate limit, stock, double submit)."""

from __future__ import annotations

import html
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Stock
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.storefront import services
from tokodesk.storefront.links import order_link_token, order_link_url
from tokodesk.storefront.models import LandingPage, LandingSubmission

PHONE = "081234567890"


# --- helpers (the other landing test modules import these) ----------------------------


def make_page(shop, *, slug="kaos", agents=(), methods=("cod", "bank_transfer"), warehouse="jkt", **extra):
    from tokodesk.catalog.models import Product

    page = LandingPage.objects.create(
        name=extra.pop("name", "Kaos Polos – Promo"), slug=slug,
        product=extra.pop("product", None) or Product.objects.get(slug="kaos-polos"),
        warehouse=shop[warehouse] if warehouse else None, payment_methods=list(methods), **extra)
    page.agents.set(agents)
    return page


def make_agents(n=3):
    return [user_create(username=f"lp-agent{i}", role="agent", password="pw-123456") for i in range(1, n + 1)]


def buyer(ip="10.0.0.1", lang="en") -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=lang)


def form_token(client: Client, slug: str) -> str:
    response = client.get(reverse("storefront:landing", kwargs={"slug": slug}))
    assert response.status_code == 200, response.status_code
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def order_data(token: str, **overrides) -> dict:
    data = {"form_token": token, "name": "Siti Rahayu", "phone": PHONE, "address": "Jl. Melati 5, Coblong",
            "city": "Bandung", "variant": "KAOS-M", "qty": "2", "payment_method": "bank_transfer",
            "note": "Tolong dibungkus rapi", "website": ""}
    data.update(overrides)
    return data


def submit(client: Client, slug: str, token: str | None = None, **overrides):
    token = token or form_token(client, slug)
    return client.post(reverse("storefront:landing", kwargs={"slug": slug}), order_data(token, **overrides))


def text(response) -> str:
    """The page's visible text, whitespace collapsed (for message checks)."""
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


# --- the page ------------------------------------------------------------------------


@pytest.mark.django_db
class TestPage:
    def test_shows_product_variants_prices_and_form(self, shop):
        from tokodesk.catalog.models import Product

        Product.objects.filter(slug="kaos-polos").update(description="Bahan adem.\nJahitan rapi.")
        Stock.objects.filter(variant=shop["kaos_l"]).update(on_hand=0)
        make_page(shop)
        response = buyer().get("/p/kaos/")
        assert response.status_code == 200
        body = response.content.decode()
        page_text = text(response)
        assert "Kaos Polos – Promo" in page_text and "Bahan adem." in page_text
        assert "Rp 75.000" in page_text
        # in stock: selectable; out of stock: shown, disabled, marked
        m = re.search(r'<input type="radio" name="variant" value="KAOS-M"[^>]*>', body).group(0)
        assert "disabled" not in m
        out = re.search(r'<label class="sf-variant is-out">.*?</label>', body, re.S).group(0)
        assert 'value="KAOS-L"' in out and "disabled" in out and "Out of stock" in out
        for name in ("name", "phone", "address", "city", "qty", "note", "form_token", "website"):
            assert f'name="{name}"' in body, name
        assert 'value="cod"' in body and 'value="bank_transfer"' in body
        assert response["Cache-Control"].count("no-store") == 1  # every rendering has a fresh token

    def test_out_of_stock_label_in_indonesian_layout(self, shop):
        Stock.objects.filter(variant=shop["kaos_l"]).update(on_hand=3, reserved=3)
        make_page(shop)
        body = buyer(lang="id").get("/p/kaos/").content.decode()
        assert '<html lang="id">' in body
        assert re.search(r'value="KAOS-L"[^>]*disabled', body)

    def test_product_image_when_the_page_has_one(self, shop):
        make_page(shop, image_url="https://cdn.example/kaos.jpg")
        body = buyer().get("/p/kaos/").content.decode()
        assert '<img src="https://cdn.example/kaos.jpg"' in body
        assert '<meta property="og:image" content="https://cdn.example/kaos.jpg">' in body

    def test_only_the_pages_payment_methods(self, shop):
        make_page(shop, methods=["cod"])
        body = buyer().get("/p/kaos/").content.decode()
        assert 'name="payment_method" value="cod"' in body
        assert 'value="bank_transfer"' not in body

    def test_variants_from_the_pages_warehouse_only(self, shop):
        # Kaos is stocked only in Jakarta: a Surabaya page offers nothing to order.
        make_page(shop, warehouse="sby")
        response = buyer().get("/p/kaos/")
        assert "out of stock right now" in text(response)
        assert re.search(r'class="sf-submit"[^>]*disabled', response.content.decode())

    def test_unknown_and_inactive_pages_are_404(self, shop):
        page = make_page(shop)
        assert buyer().get("/p/nope/").status_code == 404
        page.active = False
        page.save()
        assert buyer().get("/p/kaos/").status_code == 404
        page.active = True
        page.save()
        page.product.active = False
        page.product.save()
        assert buyer().get("/p/kaos/").status_code == 404

    def test_post_to_an_inactive_page_is_404_and_makes_nothing(self, shop):
        page = make_page(shop)
        client = buyer()
        token = form_token(client, "kaos")
        LandingPage.objects.filter(pk=page.pk).update(active=False)
        assert submit(client, "kaos", token).status_code == 404
        assert not Order.objects.exists()


# --- an order, end to end ------------------------------------------------------------


@pytest.mark.django_db
class TestOrder:
    def test_form_to_order_to_thank_you_to_customer_link(self, shop):
        agents = make_agents(2)
        page = make_page(shop, agents=agents, payment_instructions="BCA 523-081-2245 a.n. Toko Berkah Jaya")
        client = buyer()
        response = submit(client, "kaos", phone="0812-3456-7890")
        assert response.status_code == 303
        order = Order.objects.get()
        assert response["Location"] == reverse("storefront:thanks", kwargs={
            "slug": "kaos", "token": services.thanks_token(order)})
        assert order.status == "new" and order.channel == "landing_page"
        assert order.landing_page == page and order.warehouse == shop["jkt"]
        assert order.assigned_agent == agents[0]
        assert order.created_by is None
        assert order.recipient_phone == "+6281234567890" and order.recipient_name == "Siti Rahayu"
        assert order.destination_city == "Bandung" and order.customer_note == "Tolong dibungkus rapi"
        assert order.payment_method == "bank_transfer"
        assert [(line.sku, line.qty, line.unit_price) for line in order.lines.all()] == [("KAOS-M", 2, 75000)]
        assert order.total == 150000
        event = OrderEvent.objects.get(order=order)
        assert event.kind == "created" and event.source == "customer" and event.actor is None

        thanks = client.get(response["Location"])
        assert thanks.status_code == 200
        page_text = text(thanks)
        assert order.reference in page_text
        assert "Rp 150.000" in page_text
        assert "BCA 523-081-2245 a.n. Toko Berkah Jaya" in page_text  # the page's payment instructions
        link = "http://testserver" + order_link_url(order)
        assert f'href="{link}"' in thanks.content.decode()
        assert thanks["Cache-Control"].count("no-store") == 1

    def test_cod_thank_you_has_no_bank_details(self, shop):
        make_page(shop, payment_instructions="BCA 523-081-2245")
        client = buyer()
        response = client.get(submit(client, "kaos", payment_method="cod")["Location"])
        assert "BCA 523-081-2245" not in text(response)
        assert "Cash on delivery" in text(response)

    def test_no_agents_leaves_the_order_unassigned(self, shop):
        make_page(shop)
        assert submit(buyer(), "kaos").status_code == 303
        assert Order.objects.get().assigned_agent is None

    def test_inactive_agents_are_skipped(self, shop):
        a1, a2, a3 = make_agents(3)
        a2.is_active = False
        a2.save()
        make_page(shop, agents=[a1, a2, a3])
        for i in range(4):
            submit(buyer(f"10.0.1.{i}"), "kaos")
        assert [o.assigned_agent for o in Order.objects.order_by("pk")] == [a1, a3, a1, a3]

    def test_default_payment_instructions_when_the_owner_wrote_none(self, shop):
        page = make_page(shop)
        assert "WhatsApp" in page.payment_instructions  # a sensible default, not empty
        client = buyer()
        thanks = client.get(submit(client, "kaos")["Location"])
        assert "transfer" in text(thanks).lower()


# --- refusals ------------------------------------------------------------------------


@pytest.mark.django_db
class TestRefused:
    def test_double_submit_makes_one_order_and_the_same_thank_you_page(self, shop):
        make_page(shop, agents=make_agents(2))
        client = buyer()
        token = form_token(client, "kaos")
        first = submit(client, "kaos", token)
        again = submit(client, "kaos", token)  # refresh / double click / retry
        changed = submit(client, "kaos", token, qty="5")  # even with other data: the form was sent
        assert first.status_code == again.status_code == changed.status_code == 303
        assert first["Location"] == again["Location"] == changed["Location"]
        assert Order.objects.count() == 1 and LandingSubmission.objects.count() == 1
        assert Order.objects.get().lines.get().qty == 2
        assert LandingPage.objects.get().last_agent_index == 0  # the agent turn was used once

    def test_the_service_answers_a_resent_token_with_the_first_order(self, shop):
        page = make_page(shop)
        token = services.new_form_token(page)
        data = services.LandingOrderInput(name="Siti", phone=PHONE, address="Jl. Melati 5, Bandung",
                                          sku="KAOS-M", qty=1, payment_method="cod")
        first = services.landing_order_submit(page_id=page.pk, form_token=token, ip="1.2.3.4", data=data)
        second = services.landing_order_submit(page_id=page.pk, form_token=token, ip="1.2.3.4", data=data)
        assert first.created and not second.created and first.order == second.order

    def test_honeypot_is_refused_with_a_message(self, shop):
        make_page(shop)
        response = submit(buyer(), "kaos", website="http://spam.example")
        assert response.status_code == 400
        assert "must stay empty" in text(response)
        assert not Order.objects.exists()
        body = response.content.decode()
        assert re.search(r'name="website" id="id_website" value=""', body)  # a person can send again
        assert 'value="Siti Rahayu"' in body

    def test_forged_or_missing_token_is_refused(self, shop):
        make_page(shop)
        other = make_page(shop, slug="kaos-2")
        client = buyer()
        for token in ("", "abc", "abc.def", services.new_form_token(other)):
            response = client.post("/p/kaos/", order_data(token))
            assert response.status_code == 400, token
            assert "expired" in text(response)
        assert not Order.objects.exists()

    def test_invalid_fields_come_back_inline_with_nothing_written(self, shop):
        make_page(shop, methods=["cod"])
        client = buyer()
        token = form_token(client, "kaos")
        response = submit(client, "kaos", token, name=" ", phone="12345", address="Jl", variant="",
                          qty="0", payment_method="bank_transfer")
        assert response.status_code == 422
        body = response.content.decode()
        errors = dict(re.findall(r'id="id_(\w+)-error">([^<]+)<', body))
        assert set(errors) >= {"name", "phone", "address"}
        assert "not a valid phone number" in html.unescape(errors["phone"])
        page_text = text(response)
        assert "Choose a variant." in page_text and "at least 1" in page_text
        assert "Choose one of the payment methods shown." in page_text
        assert f'value="{token}"' in body  # same form: the token stays
        assert not Order.objects.exists()

    def test_out_of_stock_variant_is_refused(self, shop):
        make_page(shop)
        client = buyer()
        token = form_token(client, "kaos")
        Stock.objects.filter(variant=shop["kaos_m"]).update(on_hand=0)  # sold out meanwhile
        response = submit(client, "kaos", token)
        assert response.status_code == 422
        assert "out of stock" in text(response)
        assert not Order.objects.exists()

    def test_more_than_available_is_refused(self, shop):
        make_page(shop)
        Stock.objects.filter(variant=shop["kaos_m"]).update(on_hand=10, reserved=7)
        response = submit(buyer(), "kaos", qty="4")
        assert response.status_code == 422
        assert "Only 3 left in stock." in text(response)
        assert not Order.objects.exists()
        assert submit(buyer(), "kaos", qty="3").status_code == 303

    def test_the_service_checks_stock_and_payment_method_itself(self, shop):
        page = make_page(shop, methods=["cod"])
        Stock.objects.filter(variant=shop["kaos_m"]).update(on_hand=2)
        data = services.LandingOrderInput(name="Siti", phone=PHONE, address="Jl. Melati 5, Bandung",
                                          sku="KAOS-M", qty=3, payment_method="bank_transfer")
        with pytest.raises(services.ValidationFailed) as exc:
            services.landing_order_submit(page_id=page.pk, form_token="t1", ip="", data=data)
        assert set(exc.value.fields) == {"qty", "payment_method"}
        data.sku = "MADU-500"  # another product's variant
        with pytest.raises(services.ValidationFailed) as exc:
            services.landing_order_submit(page_id=page.pk, form_token="t1", ip="", data=data)
        assert "variant" in exc.value.fields
        assert not Order.objects.exists() and LandingPage.objects.get().last_agent_index == -1

    def test_rate_limit_per_ip_and_page(self, shop, settings):
        settings.TOKODESK_LANDING_RATE_LIMIT = 5
        settings.TOKODESK_LANDING_RATE_WINDOW = 600
        make_page(shop)
        make_page(shop, slug="kaos-2")
        with time_machine.travel("2026-03-02 10:00 +0700", tick=False) as traveller:
            for _i in range(5):
                assert submit(buyer("10.9.9.9"), "kaos").status_code == 303
            refused = submit(buyer("10.9.9.9"), "kaos")
            assert refused.status_code == 429
            assert "Too many orders" in text(refused) and "10 minutes" in text(refused)
            assert Order.objects.count() == 5
            assert submit(buyer("10.9.9.10"), "kaos").status_code == 303  # another buyer
            assert submit(buyer("10.9.9.9"), "kaos-2").status_code == 303  # another page
            traveller.shift(601)
            assert submit(buyer("10.9.9.9"), "kaos").status_code == 303  # the window moved on
        assert Order.objects.count() == 8

    def test_a_rate_limited_buyer_still_reaches_the_order_already_made(self, shop, settings):
        settings.TOKODESK_LANDING_RATE_LIMIT = 1
        make_page(shop)
        client = buyer()
        token = form_token(client, "kaos")
        first = submit(client, "kaos", token)
        assert submit(client, "kaos").status_code == 429
        assert submit(client, "kaos", token)["Location"] == first["Location"]


# --- the thank-you page --------------------------------------------------------------


@pytest.mark.django_db
class TestThankYou:
    def _order(self, shop):
        make_page(shop)
        make_page(shop, slug="kaos-2")
        submit(buyer(), "kaos")
        return Order.objects.get()

    def test_forged_tokens_are_404(self, shop):
        order = self._order(shop)
        good = services.thanks_token(order)
        pk, sig = good.split(".", 1)
        tampered = ("y" if sig[0] == "x" else "x") + sig[1:]  # always a different character
        for token in (f"{order.pk + 1}.{sig}", pk, f"{pk}.{tampered}", order_link_token(order), "x" * 300):
            assert buyer().get(f"/p/kaos/thanks/{token}/").status_code == 404, token

    def test_another_slug_redirects_to_the_orders_page(self, shop):
        order = self._order(shop)
        token = services.thanks_token(order)
        response = buyer().get(f"/p/kaos-2/thanks/{token}/")
        assert response.status_code == 302 and response["Location"] == f"/p/kaos/thanks/{token}/"

    def test_token_is_not_the_order_number(self, shop):
        order = self._order(shop)
        token = services.thanks_token(order)
        assert order.reference not in token and len(token) > 30
