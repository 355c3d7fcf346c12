"""A French shop's owner adds "Carte bancaire" as a payment-gateway method (issue 17) on the
payment methods page at 1440 px, offers it on a landing page from the page editor, and a
French customer finds it on that page's form and orders with it: the order takes the gateway
flow and the thank-you page names the method.

With TOKODESK_SCREENSHOTS=<dir> the methods page and the customer's form are saved there."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tests.browser.steps import add_payment_method, shoot
from tokodesk.orders.models import Order
from tokodesk.payments.models import PaymentMethod
from tokodesk.storefront.tests.test_landing import make_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_french_owner_adds_carte_bancaire_and_a_customer_pays_with_it(browser, live_server, shop, owner):
    # The starting transfer method, as migration payments 0003 leaves it (a transactional test
    # before this one in the worker may have flushed the migration's rows).
    PaymentMethod.objects.update_or_create(code="bank_transfer", defaults={
        "flow": "bank_transfer", "label": "Transfer bank", "active": True,
        "labels": {"id": "Transfer bank", "en": "Bank transfer", "fr": "Virement bancaire"}})
    make_page(shop, slug="tshirt", methods=("bank_transfer",))
    with open_page(browser, live_server, viewport={"width": 1440, "height": 900}, locale="fr-FR") as page:
        login(page, "owner")
        add_payment_method(page, "carte", "Carte bancaire", "Card", "payment_gateway",
                           "Vous recevez le lien de paiement par e-mail.")
        shoot(page, "payment-methods.png")
        carte = PaymentMethod.objects.get(code="carte")
        assert (carte.flow, carte.active, carte.labels) == ("payment_gateway", True,
                                                           {"fr": "Carte bancaire", "en": "Card"})

        page.goto(page.base + "/landing-pages/tshirt/")
        page.locator("input[name=payment_methods][value=carte]").check()
        page.locator("form button[type=submit].primary").click()
        page.wait_for_url("**/landing-pages/")

    with open_page(browser, live_server, viewport={"width": 1440, "height": 900}, locale="fr-FR") as customer:
        customer.goto(live_server.url + "/p/tshirt/")
        choice = customer.locator("input[name=payment_method][value=carte]")
        expect(choice).to_have_count(1)
        expect(customer.locator("#order-form")).to_contain_text("Carte bancaire")
        expect(customer.locator("#order-form")).to_contain_text("Virement bancaire")
        shoot(customer, "landing-carte-bancaire.png")
        customer.locator("label.sf-variant", has=customer.locator("input[value=KAOS-M]")).click()
        customer.fill("#id_name", "Camille Martin")
        customer.fill("#id_phone", "0812 3456 7890")
        customer.fill("#id_address", "12 rue des Lilas")
        customer.fill("#id_city", "Lyon")
        customer.locator("label.sf-method", has=choice).click()
        customer.click("button.sf-submit")
        customer.wait_for_url("**/thanks/**")
        expect(customer.locator("body")).to_contain_text("Carte bancaire")
        expect(customer.locator("body")).to_contain_text("Vous recevez le lien de paiement par e-mail.")
        shoot(customer, "thanks-carte-bancaire.png")
    order = Order.objects.get(recipient_name="Camille Martin")
    assert (order.payment_method, order.payment_option.code) == ("payment_gateway", "carte")
