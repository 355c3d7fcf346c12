"""The manual order's two notes (issue 12, item 18): the note for the courier and the buyer
goes on the order (customer_note: the buyer's page, the courier export), the internal note
becomes an OrderNote on the timeline and never reaches the buyer."""

import pytest
from django.test import Client
from django.urls import reverse

from tokodesk.orders.models import Order, OrderNote
from tokodesk.orders.tests.test_pages_create import client_for, form_data
from tokodesk.storefront.links import order_link_url

URL = reverse("orders:create")
COURIER_NOTE = "Antar setelah jam 5 sore"
INTERNAL_NOTE = "Pelanggan rewel, cek ulang alamat"

pytestmark = pytest.mark.django_db


def test_the_form_offers_both_notes_labelled(shop, users):
    html = client_for(users["agent"]).get(URL).content.decode()
    assert 'name="note"' in html and 'name="internal_note"' in html
    assert "Note for the courier and the buyer" in html
    assert "Internal note (team only)" in html


def test_each_note_goes_where_it_belongs(shop, users):
    client = client_for(users["agent"])
    response = client.post(URL, form_data(note=COURIER_NOTE, internal_note=INTERNAL_NOTE))
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.customer_note == COURIER_NOTE
    note = OrderNote.objects.get(order=order)
    assert note.body == INTERNAL_NOTE and note.author == users["agent"]
    assert order.events.filter(kind="note_added", source="web", data__body=INTERNAL_NOTE).exists()
    # The team sees both on the order page; the buyer only the courier's.
    detail = client.get(reverse("orders:detail", args=[order.reference])).content.decode()
    assert COURIER_NOTE in detail and INTERNAL_NOTE in detail
    assert "Note for the courier" in detail  # labelled as what it is, on the team's page too
    buyer = Client(HTTP_ACCEPT_LANGUAGE="en").get(order_link_url(order)).content.decode()
    assert COURIER_NOTE in buyer
    assert INTERNAL_NOTE not in buyer


def test_no_internal_note_no_order_note(shop, users):
    client_for(users["agent"]).post(URL, form_data(internal_note="   "))
    order = Order.objects.get()
    assert not OrderNote.objects.filter(order=order).exists()
    assert not order.events.filter(kind="note_added").exists()


def test_a_too_long_internal_note_comes_back_next_to_its_field(shop, users):
    response = client_for(users["agent"]).post(URL, form_data(internal_note="x" * 2001))
    assert response.status_code == 422
    assert not Order.objects.exists()
    assert 'data-field="internal_note"' in response.content.decode()
    assert response.context["form"].errors["internal_note"]


def test_the_summary_says_a_bank_transfer_gets_a_unique_code_when_codes_are_on(shop, users):
    from tokodesk.orders.order_settings import OrderSettings

    client = client_for(users["agent"])
    summary = URL + "?part=summary"
    assert 'id="transfer-code-note"' not in client.post(summary, form_data()).content.decode()
    OrderSettings.get()
    OrderSettings.objects.filter(pk=1).update(unique_transfer_code=True)
    assert 'id="transfer-code-note"' in client.post(summary, form_data()).content.decode()
    cod = client.post(summary, form_data(payment_method="cod")).content.decode()
    assert 'id="transfer-code-note"' not in cod
