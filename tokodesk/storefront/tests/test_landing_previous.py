"""A form sent again finds its first order in one plain statement (issue 16:
services.previous_thanks, asked by every submit): the same thank-you page as the model path
gave (the order's page's slug of now, the order's token), None for a form never sent."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokodesk.orders.models import Order
from tokodesk.storefront import services
from tokodesk.storefront.models import LandingPage, LandingSubmission
from tokodesk.storefront.tests.test_landing import buyer, form_token, make_page, submit


@pytest.mark.django_db
def test_a_resent_form_finds_its_order_in_one_statement(shop):
    page = make_page(shop)
    client = buyer()
    token = form_token(client, "kaos")
    first = submit(client, "kaos", token)
    assert first.status_code == 303
    order = Order.objects.get()
    with CaptureQueriesContext(connection) as queries:
        found = services.previous_thanks(page.pk, token)
        missing = services.previous_thanks(page.pk, token + "x")
    assert len(queries.captured_queries) == 2
    assert found == (page.pk, order.pk) and missing is None
    assert LandingSubmission.objects.get().order_id == order.pk


@pytest.mark.django_db
def test_the_view_sends_a_resent_form_where_the_model_path_did(shop):
    from tokodesk.storefront.views.landing import _thanks_redirect

    make_page(shop)
    client = buyer()
    token = form_token(client, "kaos")
    first = submit(client, "kaos", token)
    again = submit(client, "kaos", token)
    order = Order.objects.get()
    expected = _thanks_redirect(order)
    assert again.status_code == first.status_code == expected.status_code == 303
    assert again["Location"] == first["Location"] == expected["Location"]
    # The page renamed: the slug of now, as order.landing_page.slug read it.
    LandingPage.objects.filter(pk=order.landing_page_id).update(slug="kaos-baru")
    renamed = submit(client, "kaos-baru", token)
    assert renamed.status_code == 303
    assert renamed["Location"] == _thanks_redirect(Order.objects.get())["Location"]
    assert "/p/kaos-baru/thanks/" in renamed["Location"]
    # An order that has lost its page: the view reads it whole, as before.
    Order.objects.filter(pk=order.pk).update(landing_page=None)
    assert services.previous_thanks(order.landing_page_id, token) == (None, order.pk)
