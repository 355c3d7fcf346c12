"""The manual order takes the buyer's language (issue 12, item 13: "the order keeps the
language the buyer used"): an agent who takes a French buyer's order by phone chooses it, and
the messages to that buyer follow it; left empty, the shop's language for customers."""

import pytest
from django.urls import reverse

from tokodesk.orders.languages import order_language
from tokodesk.orders.models import Order
from tokodesk.orders.tests.test_pages_create import client_for, form_data

URL = reverse("orders:create")

pytestmark = pytest.mark.django_db


def test_the_form_offers_the_shop_languages(shop, users):
    html = client_for(users["agent"]).get(URL).content.decode()
    assert 'name="language"' in html
    for code in ("id", "en", "fr"):
        assert f'value="{code}"' in html


def test_the_chosen_language_is_kept_on_the_order(shop, users):
    response = client_for(users["agent"]).post(URL, form_data(language="fr"))
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.language == "fr" and order_language(order) == "fr"


def test_no_choice_follows_the_shop(shop, users):
    client_for(users["agent"]).post(URL, form_data())
    order = Order.objects.get()
    assert order.language == ""
    assert order_language(order) == "id"  # the demo shop's language for customers


def test_a_language_the_shop_does_not_speak_is_a_field_error(shop, users):
    response = client_for(users["agent"]).post(URL, form_data(language="de"))
    assert response.status_code == 422
    assert not Order.objects.exists()
    assert response.context["form"].errors["language"]
    assert 'data-field="language"' in response.content.decode()
