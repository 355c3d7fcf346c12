"""The owner's page of return reasons and custom states (issue 17): labels per language,
deactivate, reorder, refusals (422, nothing written), roles; and the customer's return form
in the customer's language."""

import pytest
from django.test import Client

from tokodesk.returns.models import CustomState, ReturnReason

pytestmark = pytest.mark.django_db
URL = "/returns/lists/"


def client_for(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_owner_adds_reasons_and_states_with_labels(users):
    c = client_for(users["owner"])
    page = c.get(URL)
    assert page.status_code == 200 and b'data-reason="size_too_small"' in page.content
    assert b'value="Taille trop petite"' in page.content
    r = c.post(URL, {"op": "reason", "new": "1", "active": "on", "code": "late",
                     "label_fr": "Colis en retard", "label_en": "Parcel late", "label_id": ""})
    assert r.status_code == 302
    late = ReturnReason.objects.get(code="late")
    assert late.labels == {"fr": "Colis en retard", "en": "Parcel late"} and late.active
    assert ReturnReason.objects.last() == late
    # Deactivate (no "active" box) and move up.
    c.post(URL, {"op": "reason", "code": "late", "label_fr": "Colis en retard", "label_en": "Parcel late"})
    assert not ReturnReason.objects.get(code="late").active
    c.post(URL, {"op": "reason_move", "code": "late", "direction": "up"})
    assert list(ReturnReason.objects.values_list("code", flat=True))[-2] == "late"
    r = c.post(URL, {"op": "state", "status": "on_hold", "label_fr": "Attente pièce", "label_en": "Awaiting part"})
    assert r.status_code == 302
    state = CustomState.objects.get()
    assert state.labels == {"fr": "Attente pièce", "en": "Awaiting part"} and state.status == "on_hold"
    assert b"Awaiting part" in c.get(URL).content
    c.post(URL, {"op": "state_delete", "id": state.pk})
    assert not CustomState.objects.exists()


def test_refusals_are_422_and_write_nothing(users):
    c = client_for(users["owner"])
    r = c.post(URL, {"op": "reason", "new": "1", "code": "late", "label_fr": "x" * 201})
    assert r.status_code == 422 and b"data-errors" in r.content
    r = c.post(URL, {"op": "reason", "new": "1", "code": "late"})
    assert r.status_code == 422
    r = c.post(URL, {"op": "reason", "new": "1", "code": "size_too_small", "label_en": "Small"})
    assert r.status_code == 422 and b"Already used." in r.content
    assert ReturnReason.objects.get(code="size_too_small").labels["en"] == "Size too small"
    r = c.post(URL, {"op": "state", "status": "nope", "label_en": "X"})
    assert r.status_code == 422
    assert not ReturnReason.objects.filter(code="late").exists() and not CustomState.objects.exists()


@pytest.mark.parametrize("role", ["agent", "warehouse", "viewer", "finance"])
def test_other_roles_cannot_edit(users, role):
    c = client_for(users[role])
    assert c.get(URL).status_code == 403
    assert c.post(URL, {"op": "reason", "new": "1", "code": "late", "label_en": "Late"}).status_code == 403
    assert not ReturnReason.objects.filter(code="late").exists()


def test_settings_page_links_the_lists(users):
    page = client_for(users["owner"]).get("/orders/settings/")
    assert b'data-link="return-lists"' in page.content


@pytest.mark.parametrize("header,language,expected,hidden", [
    ("fr", "fr", "Colis en retard", "Parcel late"),
    ("en", "en", "Parcel late", "Colis en retard"),
])
def test_the_customers_return_form_reads_their_language(shop, owner, header, language, expected, hidden):
    from tokodesk.returns.lists import return_reason_save
    from tokodesk.returns.tests.factories import paid_order
    from tokodesk.storefront.links import order_link_url

    return_reason_save(actor=owner, code="late", labels={"fr": "Colis en retard", "en": "Parcel late"})
    order = paid_order(owner, status="delivered", lines=(("KAOS-M", 1),))
    order.language = language
    order.save(update_fields=["language"])
    html = Client(HTTP_ACCEPT_LANGUAGE=header).get(order_link_url(order) + "return/").content.decode()
    assert expected in html and hidden not in html
    assert {"fr": "Taille trop petite", "en": "Size too small"}[language] in html
    assert "Ukuran kekecilan" not in html
