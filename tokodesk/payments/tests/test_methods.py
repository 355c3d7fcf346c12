"""The shop's payment methods (issue 17): the service, the page (owner and admin; others 403),
the API (Idempotency-Key, If-Match), `tokodesk setup` presets; an order paid with PayPal goes
through the payment-gateway flow and shows "PayPal"; a deactivated method leaves the landing
form and the new orders, its old orders keep it; a French customer reads French labels."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tokodesk.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from tokodesk.orders.models import Order
from tokodesk.payments.methods import payment_method_save
from tokodesk.payments.models import PaymentMethod
from tokodesk.storefront.tests.test_landing import buyer, form_token, make_page, submit, text

pytestmark = pytest.mark.django_db
PAGE = "/payments/methods/"
API = "/api/v1/payments/methods"
ORDERS = "/api/v1/orders"
PAYPAL = {"id": "PayPal", "en": "PayPal", "fr": "PayPal"}
CARD = {"id": "Kartu kredit", "en": "Card", "fr": "Carte bancaire"}


def client_for(user, lang="en"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def paypal(owner, **extra):
    return payment_method_save(actor=owner, code="paypal", flow="payment_gateway", labels=PAYPAL, create=True,
                               **extra)


def order_body(**overrides):
    from conftest import order_payload

    body = order_payload(**overrides)
    if "payment_method_code" in overrides and "payment_method" not in overrides:
        body.pop("payment_method")
    return body


# --- the service ----------------------------------------------------------------------


def test_service_adds_changes_and_refuses(users):
    owner = users["owner"]
    m = paypal(owner, instructions={"en": "Pay with the link\nwe send  you."})
    assert (m.code, m.flow, m.active, m.label, m.version) == ("paypal", "payment_gateway", True, "PayPal", 1)
    assert m.instructions == {"en": "Pay with the link\nwe send you."}  # lines kept, spaces tidied
    m = payment_method_save(actor=users["admin"], code="paypal", active=False, expected_version=1)
    assert (m.active, m.version) == (False, 2)
    with pytest.raises(StaleVersion):
        payment_method_save(actor=owner, code="paypal", active=True, expected_version=1)
    for kwargs, field in (
        ({"code": "paypal", "flow": "payment_gateway", "labels": PAYPAL}, "code"),
        ({"code": "bad code!", "flow": "payment_gateway", "labels": PAYPAL}, "code"),
        ({"code": "klarna", "flow": "later", "labels": PAYPAL}, "flow"),
        ({"code": "klarna", "flow": "invoice", "labels": {}}, "labels"),
        ({"code": "klarna", "flow": "invoice", "labels": {"de": "Klarna"}}, "labels.de"),
        ({"code": "klarna", "flow": "invoice", "labels": {"en": "K" * 101}}, "labels.en"),
    ):
        with pytest.raises(ValidationFailed) as err:
            payment_method_save(actor=owner, create=True, **kwargs)
        assert field in err.value.fields, (kwargs, err.value.fields)
    assert not PaymentMethod.objects.filter(code="klarna").exists()
    with pytest.raises(PermissionDenied):
        payment_method_save(actor=users["agent"], code="klarna", flow="invoice", labels=PAYPAL, create=True)


def test_a_method_with_orders_keeps_its_flow(users, shop, api_as):
    api = api_as("owner")
    paypal(users["owner"])
    assert api.post(ORDERS, order_body(payment_method_code="paypal")).status_code == 201
    with pytest.raises(Conflict):
        payment_method_save(actor=users["owner"], code="paypal", flow="bank_transfer")
    assert PaymentMethod.objects.get(code="paypal").flow == "payment_gateway"


# --- the page -------------------------------------------------------------------------


def test_page_owner_adds_paypal_as_a_gateway(users):
    c = client_for(users["owner"])
    assert c.get(PAGE).status_code == 200
    r = c.post(PAGE, {"new": "1", "code": "paypal", "flow": "payment_gateway", "label_en": "PayPal",
                      "label_fr": "PayPal", "label_id": "PayPal", "instructions_en": "A link follows."})
    assert r.status_code == 302, r.content.decode()[:2000]
    m = PaymentMethod.objects.get(code="paypal")
    assert (m.flow, m.labels["en"], m.instructions, m.active) == ("payment_gateway", "PayPal",
                                                                   {"en": "A link follows."}, True)
    page = c.get(PAGE).content.decode()
    assert 'data-method="paypal"' in page
    # Deactivated from its row (the checkbox unticked), never deleted.
    r = c.post(PAGE, {"code": "paypal", "flow": "payment_gateway", "label_en": "PayPal"})
    assert r.status_code == 302 and not PaymentMethod.objects.get(code="paypal").active
    # A refusal: 422 with the field named, nothing written.
    r = c.post(PAGE, {"new": "1", "code": "klarna", "flow": "invoice"})
    assert r.status_code == 422 and b"data-errors" in r.content
    assert not PaymentMethod.objects.filter(code="klarna").exists()
    # Moved up: first in the order customers see.
    assert c.post(PAGE, {"code": "paypal", "direction": "up"}).status_code == 302
    order = list(PaymentMethod.objects.order_by("position", "id").values_list("code", flat=True))
    assert order.index("paypal") == len(order) - 2
    assert b'data-link="payment-methods"' in c.get("/orders/settings/").content


def test_admin_may_manage_methods(users):
    r = client_for(users["admin"]).post(PAGE, {"new": "1", "code": "card", "flow": "payment_gateway",
                                              "label_fr": "Carte bancaire"})
    assert r.status_code == 302 and PaymentMethod.objects.get(code="card").label


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "viewer"])
def test_other_roles_cannot_manage_methods(users, role):
    c = client_for(users[role])
    assert c.get(PAGE).status_code == 403
    assert c.post(PAGE, {"new": "1", "code": "paypal", "flow": "payment_gateway", "label_en": "PayPal"}).status_code == 403
    assert not PaymentMethod.objects.filter(code="paypal").exists()


# --- the API --------------------------------------------------------------------------


def test_api_add_with_idempotency_and_patch_with_if_match(users, api_as):
    owner_api = api_as("owner")
    body = {"code": "paypal", "flow": "payment_gateway", "labels": PAYPAL}
    first = owner_api.post(API, body, headers={"Idempotency-Key": "pm-1"})
    assert first.status_code == 201, first.content
    again = owner_api.post(API, body, headers={"Idempotency-Key": "pm-1"})
    assert again.status_code == 201 and again.json() == first.json()
    assert PaymentMethod.objects.filter(code="paypal").count() == 1
    etag = first["ETag"]
    assert etag == '"1"'
    stale = owner_api.patch(f"{API}/paypal", {"active": False}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412 and PaymentMethod.objects.get(code="paypal").active
    r = owner_api.patch(f"{API}/paypal", {"active": False}, headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["active"] is False and r["ETag"] == '"2"'
    assert "paypal" not in [m["code"] for m in owner_api.get(API).json()]
    assert "paypal" in [m["code"] for m in owner_api.get(API, {"include_inactive": True}).json()]
    bad = owner_api.post(API, {"code": "x", "flow": "payment_gateway", "labels": {"de": "X"}})
    assert bad.status_code == 422 and "labels.de" in bad.json()["fields"]
    assert owner_api.patch(f"{API}/nope", {"active": False}).status_code == 404
    # Agents read the list (the codes an order is made with) but change nothing.
    assert api_as("agent").get(API).status_code == 200
    assert api_as("agent").post(API, {"code": "y", "flow": "invoice", "labels": PAYPAL}).status_code == 403
    assert api_as("agent").patch(f"{API}/paypal", {"active": True}).status_code == 403
    assert not PaymentMethod.objects.filter(code__in=["x", "y"]).exists()


def test_api_label_in_the_callers_language(users, api_as):
    payment_method_save(actor=users["owner"], code="card", flow="payment_gateway", labels=CARD, create=True)
    r = api_as("owner").get(f"{API}/card", headers={"Accept-Language": "fr"})
    assert r.status_code == 200 and r.json()["label"] == "Carte bancaire"


# --- orders paid with a method --------------------------------------------------------


def test_an_order_with_paypal_goes_through_the_gateway_flow(users, shop, api_as):
    api = api_as("owner")
    paypal(users["owner"])
    r = api.post(ORDERS, order_body(payment_method_code="paypal"))
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["payment_method"], body["payment_method_code"], body["payment_method_label"]) == (
        "payment_gateway", "paypal", "PayPal")
    ref = body["reference"]
    for action, status in (("confirm", "confirmed"), ("request_payment", "awaiting_payment"),
                           ("payment_pending", "payment_processing"), ("payment_succeeded", "payment_completed")):
        r = api.post(f"{ORDERS}/{ref}/actions/{action}", {})
        assert r.status_code == 200, (action, r.content)
        assert r.json()["status"] == status
    # The bank-transfer action does not apply to a gateway order.
    assert api.post(f"{ORDERS}/{ref}/actions/confirm_payment", {"amount": 1}).status_code in (409, 422)
    page = client_for(users["owner"]).get(reverse("orders:detail", args=[ref]))
    assert "PayPal" in text(page)
    listed = api.get(ORDERS, {"payment_method": "paypal"}).json()
    assert [o["reference"] for o in listed["items"]] == [ref]
    assert listed["items"][0]["payment_method_label"] == "PayPal"
    assert "PayPal" in text(client_for(users["owner"]).get("/orders/", {"payment_method": "paypal"}))


def test_method_and_flow_must_agree_and_unknown_is_refused(users, shop, api_as):
    api = api_as("owner")
    paypal(users["owner"])
    r = api.post(ORDERS, order_body(payment_method_code="paypal", payment_method="cod"))
    assert r.status_code == 422 and "payment_method" in r.json()["fields"]
    r = api.post(ORDERS, order_body(payment_method_code="klarna"))
    assert r.status_code == 422 and "payment_method_code" in r.json()["fields"]
    # A bare flow takes the shop's starting method of that flow.
    r = api.post(ORDERS, order_body(payment_method="cod"))
    assert r.status_code == 201 and r.json()["payment_method_code"] == "cod"


def test_patch_changes_the_method_of_a_new_order(users, shop, api_as):
    api = api_as("owner")
    paypal(users["owner"])
    ref = api.post(ORDERS, order_body()).json()["reference"]
    r = api.patch(f"{ORDERS}/{ref}", {"payment_method_code": "paypal"})
    assert r.status_code == 200, r.content
    assert (r.json()["payment_method"], r.json()["payment_method_code"]) == ("payment_gateway", "paypal")


def test_a_deactivated_method_leaves_the_landing_form_but_old_orders_keep_it(users, shop, api_as):
    api = api_as("owner")
    paypal(users["owner"])
    make_page(shop, methods=("cod", "paypal"))
    client = buyer()
    r = submit(client, "kaos", payment_method="paypal")
    assert r.status_code == 303, text(r)[:500]
    order = Order.objects.get(channel="landing_page")
    assert (order.payment_method, order.payment_option.code) == ("payment_gateway", "paypal")
    payment_method_save(actor=users["owner"], code="paypal", active=False)
    page = client.get(reverse("storefront:landing", kwargs={"slug": "kaos"})).content.decode()
    assert 'value="paypal"' not in page and 'value="cod"' in page
    refused = submit(buyer("10.0.0.2"), "kaos", payment_method="paypal")
    assert refused.status_code == 422
    assert api.post(ORDERS, order_body(payment_method_code="paypal")).status_code == 422
    order.refresh_from_db()
    assert order.payment_option.code == "paypal"
    assert api.get(f"{ORDERS}/{order.reference}").json()["payment_method_label"] == "PayPal"
    assert "PayPal" in text(client_for(users["owner"]).get(reverse("orders:detail", args=[order.reference])))


def test_a_french_customer_reads_the_french_label_and_instructions(users, shop):
    payment_method_save(actor=users["owner"], code="card", flow="payment_gateway", labels=CARD, create=True,
                        instructions={"fr": "Le lien de paiement arrive par e-mail.", "en": "The link comes by e-mail."})
    make_page(shop, methods=("card", "bank_transfer"))
    french = buyer(lang="fr")
    page = text(french.get(reverse("storefront:landing", kwargs={"slug": "kaos"})))
    assert "Carte bancaire" in page and "Virement bancaire" in page
    r = submit(french, "kaos", token=form_token(french, "kaos"), payment_method="card")
    assert r.status_code == 303, text(r)[:500]
    thanks = text(french.get(r["Location"]))
    assert "Carte bancaire" in thanks and "Le lien de paiement arrive par e-mail." in thanks
    with translation.override("en"):
        assert Order.objects.get(channel="landing_page").payment_method_label == "Card"


def test_landing_editor_offers_the_active_methods(users, shop):
    paypal(users["owner"])
    payment_method_save(actor=users["owner"], code="invoice", active=False)
    form = client_for(users["owner"]).get(reverse("storefront:manage_new")).content.decode()
    assert 'value="paypal"' in form and 'value="cod"' in form and 'value="invoice"' not in form
    make_page(shop, methods=("cod", "paypal"))
    listed = text(client_for(users["owner"]).get(reverse("storefront:manage_list")))
    assert "PayPal" in listed and "paypal" not in listed


def test_manual_order_offers_the_shops_methods(users, shop):
    paypal(users["owner"])
    page = client_for(users["owner"]).get(reverse("orders:create")).content.decode()
    assert 'value="paypal"' in page


# --- tokodesk setup -------------------------------------------------------------------


@pytest.mark.parametrize("country,codes", [("FR", ["card", "paypal", "bank_transfer"]),
                                           ("ID", ["cod", "bank_transfer", "payment_gateway"])])
def test_setup_presets_the_methods_of_the_country(db, country, codes):
    from tokodesk.ops.setup import ShopInput, create_shop

    create_shop(ShopInput(owner_username="marie", owner_password="Un-mot-de-passe-2026", shop_name="Boutique",
                          country=country))
    active = PaymentMethod.objects.filter(active=True).order_by("position", "id")
    assert list(active.values_list("code", flat=True)) == codes
    assert {m.flow for m in active if m.code in ("card", "paypal")} <= {"payment_gateway"}


def test_without_any_method_row_the_flows_stand_for_themselves(users, shop, api_as):
    # A database whose starting rows are gone (a transactional test's flush): the four flows are
    # still offered and orders still made; a deactivated row is not brought back.
    PaymentMethod.objects.all().delete()
    from tokodesk.orders.payment_options import method_choices

    assert [code for code, _label in method_choices()] == ["cod", "bank_transfer", "payment_gateway", "invoice"]
    r = api_as("owner").post(ORDERS, order_body(payment_method="cod"))
    assert r.status_code == 201 and r.json()["payment_method_code"] is None
    paypal(users["owner"])
    payment_method_save(actor=users["owner"], code="paypal", active=False)
    payment_method_save(actor=users["owner"], code="cod", flow="cod", labels={"en": "COD"}, create=True)
    payment_method_save(actor=users["owner"], code="cod", active=False)
    assert "cod" not in [code for code, _label in method_choices()]
