"""Landing page management (/landing-pages/): owner and admin only; list with order
counts; create and edit (agents, payment methods, instructions, active)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tokodesk.catalog.models import Product
from tokodesk.storefront.models import LandingPage
from tokodesk.storefront.tests.test_landing import buyer, make_page, submit

LIST = reverse("storefront:manage_list")
NEW = reverse("storefront:manage_new")


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def page_form(**overrides):
    data = {"name": "Madu Hutan – Promo", "slug": "madu-promo", "product": Product.objects.get(slug="madu-hutan").pk,
            "warehouse": "", "image_url": "", "payment_methods": ["cod", "bank_transfer"],
            "payment_instructions": "BCA 123 a.n. Toko", "active": "on"}
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("role", ["agent", "viewer", "warehouse", "finance"])
    def test_other_roles_get_403(self, shop, users, role):
        page = make_page(shop)
        client = client_for(users[role])
        edit = reverse("storefront:manage_edit", kwargs={"slug": page.slug})
        for url in (LIST, NEW, edit):
            assert client.get(url).status_code == 403, url
        assert client.post(edit, page_form(warehouse=shop["jkt"].pk, name="Hacked")).status_code == 403
        assert client.post(NEW, page_form(warehouse=shop["jkt"].pk)).status_code == 403
        page.refresh_from_db()
        assert page.name != "Hacked" and LandingPage.objects.count() == 1

    def test_anonymous_is_sent_to_login(self, shop):
        response = Client().get(LIST)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize("role", ["owner", "admin"])
    def test_owner_and_admin_may_manage(self, shop, users, role):
        make_page(shop)
        client = client_for(users[role])
        assert client.get(LIST).status_code == 200
        assert client.get(NEW).status_code == 200


@pytest.mark.django_db
class TestList:
    def test_lists_pages_with_their_order_counts(self, shop, users):
        make_page(shop, agents=[users["agent"]])
        make_page(shop, slug="kaos-2", name="Kaos Kedua", active=False)
        for i in range(3):
            assert submit(buyer(f"10.5.0.{i}"), "kaos").status_code == 303
        body = client_for(users["owner"]).get(LIST).content.decode()
        rows = dict(re.findall(r'<tr data-slug="([\w-]+)">(.*?)</tr>', body, re.S))
        assert set(rows) == {"kaos", "kaos-2"}
        assert 'data-orders="3"' in rows["kaos"] and 'data-orders="0"' in rows["kaos-2"]
        assert "Inactive" in rows["kaos-2"] and "/p/kaos/" in rows["kaos"]
        assert "?tab=all&amp;landing_page=kaos" in rows["kaos"]

    def test_queries_do_not_grow_with_pages(self, shop, users, django_assert_max_num_queries):
        client = client_for(users["owner"])
        for i in range(8):
            make_page(shop, slug=f"kaos-{i}", agents=[users["agent"], users["agent2"]])
        with django_assert_max_num_queries(12):
            assert client.get(LIST).status_code == 200


@pytest.mark.django_db
class TestEdit:
    def test_create_a_page(self, shop, users):
        client = client_for(users["owner"])
        form = client.get(NEW).content.decode()
        assert "Our admin will contact you on WhatsApp" in form  # the default instructions, ready to edit
        response = client.post(NEW, page_form(warehouse=shop["jkt"].pk,
                                              agents=[users["agent"].pk, users["agent2"].pk]))
        assert response.status_code == 302 and response["Location"] == LIST
        page = LandingPage.objects.get(slug="madu-promo")
        assert page.name == "Madu Hutan – Promo" and page.warehouse == shop["jkt"]
        assert page.payment_methods == ["cod", "bank_transfer"]
        assert set(page.agents.all()) == {users["agent"], users["agent2"]}
        assert page.payment_instructions == "BCA 123 a.n. Toko" and page.active
        assert buyer().get("/p/madu-promo/").status_code == 200

    def test_slug_made_from_the_name_when_empty(self, shop, users):
        client = client_for(users["admin"])
        response = client.post(NEW, page_form(slug="", name="Madu Super Murah", warehouse=shop["jkt"].pk))
        assert response.status_code == 302
        assert LandingPage.objects.filter(slug="madu-super-murah").exists()

    def test_edit_agents_methods_instructions_and_deactivate(self, shop, users):
        page = make_page(shop, agents=[users["agent"]])
        client = client_for(users["admin"])
        url = reverse("storefront:manage_edit", kwargs={"slug": "kaos"})
        body = client.get(url).content.decode()
        assert re.search(r'name="payment_methods" value="cod"[^>]*checked', body)
        response = client.post(url, {
            "name": "Kaos Baru", "slug": "kaos", "product": page.product_id, "warehouse": shop["jkt"].pk,
            "payment_methods": ["cod"], "agents": [users["agent2"].pk], "payment_instructions": "",
        })
        assert response.status_code == 302
        page.refresh_from_db()
        assert page.name == "Kaos Baru" and page.payment_methods == ["cod"] and not page.active
        assert list(page.agents.all()) == [users["agent2"]]
        assert buyer().get("/p/kaos/").status_code == 404  # inactive: gone for buyers

    def test_invalid_input_is_shown_and_nothing_saved(self, shop, users):
        make_page(shop)
        client = client_for(users["owner"])
        response = client.post(NEW, page_form(slug="kaos", warehouse=shop["sby"].pk, payment_methods=[],
                                              agents=[users["viewer"].pk], image_url="not a url"))
        assert response.status_code == 422
        body = response.content.decode()
        assert "Another landing page already uses this address." in body
        assert "Allow at least one payment method." in body
        assert "Gudang Surabaya does not stock Madu Hutan." in body
        assert "Select a valid choice" in body  # the viewer is not an agent
        assert "Enter a valid URL." in body
        assert LandingPage.objects.count() == 1

    def test_unknown_page_is_404(self, shop, users):
        response = client_for(users["owner"]).get(reverse("storefront:manage_edit", kwargs={"slug": "nope"}))
        assert response.status_code == 404
