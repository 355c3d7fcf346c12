"""A French shop's owner sets up the lists a shop abroad needs (issue 17): adds Colissimo with
a service on the carriers page and two return reasons with French and English labels; a
French customer's return form shows the French labels (never the Indonesian ones).

With TOKODESK_SCREENSHOTS=<dir> the carriers page, the reasons page and the customer's form
are saved there at 1440 px."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tests.browser.steps import add_carrier, add_return_reasons, shoot
from tokodesk.returns.models import ReturnReason
from tokodesk.returns.tests.factories import paid_order
from tokodesk.shipping.models import Courier
from tokodesk.storefront.links import order_link_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_french_owner_adds_a_carrier_and_reasons_the_customer_reads_in_french(browser, live_server, shop, owner):
    # One of the shop's starting reasons, as migration returns 0012 leaves it (an earlier transactional
    # test in the same worker may have flushed the migration's rows).
    ReturnReason.objects.update_or_create(code="size_too_small", defaults={
        "label": "Ukuran kekecilan", "active": True,
        "labels": {"id": "Ukuran kekecilan", "en": "Size too small", "fr": "Taille trop petite"}})
    with open_page(browser, live_server, viewport={"width": 1440, "height": 900}, locale="fr-FR") as page:
        login(page, "owner")
        add_carrier(page, "colissimo", "Colissimo", "Domicile sans signature, Point retrait",
                    "https://www.laposte.fr/outils/suivre-vos-envois?code={awb}")
        shoot(page, "carriers.png")
        colissimo = Courier.objects.get(code="colissimo")
        assert colissimo.services == ["Domicile sans signature", "Point retrait"]
        assert colissimo.active

        add_return_reasons(page, (("colis_abime", "Colis abîmé à la livraison", "Parcel damaged in transit"),
                                  ("retard", "Livré trop tard", "Delivered too late")))
        page.goto(page.base + "/returns/lists/")
        shoot(page, "return-reasons.png")
        assert ReturnReason.objects.get(code="retard").labels == {"fr": "Livré trop tard", "en": "Delivered too late"}

    order = paid_order(owner, status="delivered", lines=(("KAOS-M", 1),))
    order.language = "fr"
    order.save(update_fields=["language"])
    with open_page(browser, live_server, viewport={"width": 1440, "height": 900}, locale="fr-FR") as customer:
        customer.goto(live_server.url + order_link_url(order) + "return/")
        reasons = customer.locator("#rr-reason")
        expect(reasons).to_contain_text("Colis abîmé à la livraison")
        expect(reasons).to_contain_text("Livré trop tard")
        expect(reasons).to_contain_text("Taille trop petite")
        expect(reasons).not_to_contain_text("Ukuran kekecilan")
        expect(reasons).not_to_contain_text("Delivered too late")
        shoot(customer, "customer-return-fr.png")
