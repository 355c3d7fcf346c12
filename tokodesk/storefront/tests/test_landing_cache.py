"""The landing page's cached render (storefront.page_cache, issue 16): the same bytes as a
full render but for the request's own tokens, never a frozen token or nonce, and never
stale after the page, its product, prices, stock, payment methods, the shop or the
language change (some of them changed with queryset.update(), which sends no signal)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tokodesk.catalog.models import Product, Stock, Variant
from tokodesk.core.models import ShopSettings
from tokodesk.orders.models import Order
from tokodesk.storefront import page_cache
from tokodesk.storefront.models import LandingPage
from tokodesk.storefront.tests.test_landing import buyer, make_page, order_data
from tokodesk.storefront.views import landing

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_RE = re.compile(r'name="form_token" value="([^"]+)"')


def get(client, slug="kaos") -> str:
    response = client.get(reverse("storefront:landing", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


def without_tokens(html: str) -> str:
    return FORM_RE.sub(
        'name="form_token" value="T"', CSRF_RE.sub('name="csrfmiddlewaretoken" value="C"', html)
    )


@pytest.fixture(autouse=True)
def empty_cache():
    page_cache.clear()
    yield
    page_cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["id", "en", "fr"])
def test_cached_page_is_the_full_render_but_for_the_tokens(shop, monkeypatch, lang):
    make_page(shop)
    Stock.objects.filter(variant=shop["kaos_l"]).update(on_hand=3)  # "Only 3 left"
    client = buyer(lang=lang)
    miss, hit = get(client), get(client)
    assert page_cache.stats["hits"] >= 1

    def full_render(request, slug):
        page = landing._page_or_404(slug)
        return landing._render(request, page, landing._fresh_form(page))

    monkeypatch.setattr(landing, "_fresh_page", full_render)
    full = get(client)
    assert without_tokens(miss) == without_tokens(full)
    assert without_tokens(hit) == without_tokens(full)
    assert (
        'data-available="3"' in hit
        and page_cache.VARIANTS not in hit
        and page_cache.NEXT not in hit
    )


@pytest.mark.django_db
def test_each_request_gets_its_own_tokens_and_the_cached_form_orders(shop):
    page = make_page(shop)
    get(buyer())  # the cache is filled
    client = Client(REMOTE_ADDR="10.0.0.7", HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    first, second = get(client), get(client)
    assert FORM_RE.search(first).group(1) != FORM_RE.search(second).group(1)
    csrf = CSRF_RE.findall(second)
    assert len(csrf) == 2 and csrf[0] == csrf[1]  # the language form and the order form
    assert page_cache.CSRF not in second and page_cache.FORM_TOKEN not in second
    url = reverse("storefront:landing", kwargs={"slug": page.slug})
    data = {**order_data(FORM_RE.search(second).group(1)), "csrfmiddlewaretoken": csrf[1]}
    response = client.post(url, data)
    assert response.status_code == 303, response.content[:300]
    assert Order.objects.filter(landing_page=page).count() == 1
    # Its language form sends the buyer back to the page it was asked from (query string too).
    assert (
        'name="next" value="/p/kaos/?utm_source=tiktok&amp;x=1"'
        in client.get(url + "?utm_source=tiktok&x=1").content.decode()
    )


@pytest.mark.django_db
def test_never_stale_after_a_change(shop):
    from tokodesk.payments.models import PaymentMethod

    page = make_page(shop)
    client = buyer()
    before = get(client)
    assert "Kaos Polos – Promo" in before and 'data-available="100"' in before

    LandingPage.objects.filter(pk=page.pk).update(name="Kaos Flash Sale")
    assert "Kaos Flash Sale" in get(client)
    Product.objects.filter(pk=page.product_id).update(description="Bahan katun combed 30s.")
    assert "Bahan katun combed 30s." in get(client)
    Variant.objects.filter(sku="KAOS-M").update(price=59000)
    assert 'data-price="59000"' in get(client) and "59.000" in get(client)
    Stock.objects.filter(variant=shop["kaos_m"]).update(on_hand=2)
    html = get(client)
    assert 'data-available="2"' in html and "Only 2 left" in html
    Stock.objects.filter(variant__product_id=page.product_id).update(on_hand=0)
    html = get(client)
    assert "out of stock right now" in html and 'class="sf-cta"' not in html
    Stock.objects.filter(variant__product_id=page.product_id).update(on_hand=10)
    assert "out of stock right now" not in get(client)
    PaymentMethod.objects.filter(code="cod").update(label="Cash to the courier", labels={})
    assert "Cash to the courier" in get(client)
    LandingPage.objects.filter(pk=page.pk).update(payment_methods=["bank_transfer"])
    assert 'value="cod"' not in get(client)
    ShopSettings.get()  # (made if missing)
    ShopSettings.objects.filter(pk=1).update(shop_name="Toko Baru Jaya")
    assert "Toko Baru Jaya" in get(client)
    assert 'lang="fr"' in get(buyer(lang="fr"))


@pytest.mark.django_db
def test_a_nonce_in_a_cached_piece_is_the_requests_own():
    class Request:
        def __init__(self, nonce):
            self.csp_nonce = nonce

        def get_full_path(self):
            return "/p/x/?a=<b>"

    pieces = page_cache._SPLIT.split(
        f'<script nonce="{page_cache.NONCE}"></script><a href="{page_cache.NEXT}">{page_cache.VARIANTS}'
    )
    out = [
        page_cache.assemble(pieces, Request(n), form_token="f", variants="<i>v</i>")
        for n in ("n1", "n2")
    ]
    assert out == [
        '<script nonce="n1"></script><a href="/p/x/?a=&lt;b&gt;"><i>v</i>',
        '<script nonce="n2"></script><a href="/p/x/?a=&lt;b&gt;"><i>v</i>',
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("warehouse", ["jkt", None])
def test_read_gives_the_state_of_the_model_reads(shop, warehouse):
    """page_cache.read's two statements = services.variant_options over the model rows: the
    most available of one row, an inactive warehouse and an inactive variant left out, a
    variant without a stock row or with more reserved than on hand shown at 0."""
    from tokodesk.catalog.models import Warehouse
    from tokodesk.storefront import services

    page = make_page(shop, warehouse=warehouse)
    kaos_m, kaos_l = shop["kaos_m"], shop["kaos_l"]
    Stock.objects.create(variant=kaos_m, warehouse=shop["sby"], on_hand=250)
    closed = Warehouse.objects.create(code="old", name="Old", city="Medan", active=False)
    Stock.objects.create(variant=kaos_l, warehouse=closed, on_hand=900)
    Stock.objects.filter(variant=kaos_l, warehouse=shop["jkt"]).update(on_hand=4, reserved=4)
    Variant.objects.create(
        product=kaos_m.product, sku="KAOS-XL", name="", price=80000
    )  # no stock row
    Variant.objects.create(
        product=kaos_m.product, sku="KAOS-S", name="S", price=70000, active=False
    )
    page = services.public_page(page.slug)
    state = page_cache.read(page.slug)
    assert state == page_cache.state_of(page, services.variant_options(page))
    assert [(o.sku, o.available) for o in state.options] == [
        ("KAOS-L", 0),
        ("KAOS-M", 100 if warehouse else 250),
        ("KAOS-XL", 0),
    ]
    assert state.options[2].label == "Kaos Polos"
    LandingPage.objects.filter(pk=page.pk).update(active=False)
    assert page_cache.read(page.slug) is None
