"""The landing page editor shows, per variant of the chosen product, what the chosen
warehouse has available — the same numbers the manual order offers (both read
catalog.selectors.stocked_variants), and they follow a reservation."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tokodesk.catalog.models import Product, Stock
from tokodesk.catalog.services.stock import stock_reserve
from tokodesk.storefront.tests.test_landing import make_page

AVAILABILITY = reverse("storefront:manage_availability")


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def editor_numbers(html: str) -> dict[str, int]:
    rows = re.findall(r'<tr data-sku="([^"]+)">.*?data-available="(-?\d+)"', html, re.S)
    return {sku: int(n) for sku, n in rows}


def manual_order_numbers(client, warehouse_code: str) -> dict[str, int]:
    html = client.get(
        reverse("orders:create"), {"part": "line", "warehouse": warehouse_code}
    ).content.decode()
    found = re.findall(r'<option value="([^"]+)"[^>]*data-available="(-?\d+)"', html, re.S)
    return {sku: int(n) for sku, n in found}


@pytest.mark.django_db
def test_editor_and_manual_order_read_the_same_availability(shop, users):
    client = client_for(users["owner"])
    kaos = Product.objects.get(slug="kaos-polos")
    stock_reserve(warehouse_id=shop["jkt"].pk, lines=[(shop["kaos_m"].pk, 3)], doc=None, actor=None)

    response = client.get(AVAILABILITY, {"product": kaos.pk, "warehouse": shop["jkt"].pk})
    assert response.status_code == 200
    editor = editor_numbers(response.content.decode())
    assert editor == {"KAOS-L": 100, "KAOS-M": 97}
    manual = manual_order_numbers(client, "jkt")
    assert {sku: manual[sku] for sku in editor} == editor
    assert (
        editor["KAOS-M"]
        == Stock.objects.get(variant=shop["kaos_m"], warehouse=shop["jkt"]).available
    )


@pytest.mark.django_db
def test_the_edit_page_shows_its_products_availability(shop, users):
    page = make_page(shop)
    html = client_for(users["admin"]).get(
        reverse("storefront:manage_edit", kwargs={"slug": page.slug})
    )
    assert editor_numbers(html.content.decode()) == {"KAOS-L": 100, "KAOS-M": 100}
    assert f'hx-get="{AVAILABILITY}"' in html.content.decode()


@pytest.mark.django_db
def test_a_warehouse_without_the_product_or_no_choice(shop, users):
    client = client_for(users["owner"])
    kaos = Product.objects.get(slug="kaos-polos")
    empty = client.get(AVAILABILITY, {"product": kaos.pk, "warehouse": shop["sby"].pk})
    assert empty.status_code == 200 and editor_numbers(empty.content.decode()) == {}
    assert 'class="field-error"' in empty.content.decode()
    for params in ({}, {"product": "x", "warehouse": ""}, {"product": kaos.pk}):
        response = client.get(AVAILABILITY, params)
        assert (
            response.status_code == 200 and 'class="field-error"' not in response.content.decode()
        )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "warehouse", "viewer"])
def test_other_roles_may_not_read_it(shop, users, role):
    kaos = Product.objects.get(slug="kaos-polos")
    response = client_for(users[role]).get(
        AVAILABILITY, {"product": kaos.pk, "warehouse": shop["jkt"].pk}
    )
    assert response.status_code == 403
