"""Issue 17's whole walk, in French: a shop made from nothing with `tokodesk setup` (EUR, fr,
Europe/Paris, FR phones) and its first-login page; the owner adds a carrier, a payment method,
two return reasons in French and English and a product with stock, all through the pages; a
French customer's order (her language kept on it) is paid and delivered; she asks for a return
from the order link (her browser reads English), the owner approves it (status and e-mail),
sets a target date, receives the goods and completes it (status and e-mail). Every artifact
the customer gets — the e-mails, the slip PDF, the order link — and the return's ICS entry are
read as text: French words, French formats ("1 395,00 €", "4 déc. 2026", a no-break space
before ":"), never Indonesian or English.

With TOKODESK_SHOTS=<dir> the first-login page, the settings page and the French return page
are saved there at 1440 px (docs/screenshots/first-run.png, settings-region.png,
return-detail-fr.png)."""

import re
from email.header import decode_header, make_header

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, open_page
from tests.browser.steps import (
    FRENCH_OWNER,
    FRENCH_PASSWORD,
    add_carrier,
    add_payment_method,
    add_return_reasons,
    fill_first_run,
    finish_first_run,
    log_in,
    make_french_shop,
    shoot,
)
from tokodesk.catalog.models import Stock, Warehouse
from tokodesk.notifications import feeds
from tokodesk.notifications.emails import notification_send
from tokodesk.notifications.models import Notification
from tokodesk.orders.services import CustomerInput, LineInput, OrderInput, order_create
from tokodesk.orders.tests.factories import run
from tokodesk.returns.models import Return, ReturnReason
from tokodesk.storefront.links import order_link_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NBSP, NNBSP = "\u00a0", "\u202f"
# CLDR fr: a narrow no-break space between thousands, a no-break space before the symbol.
PRICE = f"697,50{NBSP}€"
TWO = f"1{NNBSP}395,00{NBSP}€"
# A French date, its month in lower case, abbreviated (CLDR medium: "4 déc. 2026") or not.
FRENCH_DATE = re.compile(
    r"\b\d{1,2} (janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\."
    r"|janvier|février|avril|juillet|septembre|octobre|novembre|décembre) 20\d\d\b"
)
# Words that must never reach this shop's customer: Indonesian and English ones the same
# artifacts say in those languages.
FOREIGN = ("Retur", "Pesanan", "Alasan", "Halo", "Return slip", "Reason", "Dear", "Hello", "Order ")

# A French address needs its postcode once addresses have one (issue 17; being added this session).
POSTCODE = {"postcode": "69003"} if "postcode" in CustomerInput.__dataclass_fields__ else {}


def flat(text: str) -> str:
    """Text with its no-break spaces as plain ones (PDF text extraction drops the kind)."""
    return text.replace(NBSP, " ").replace(NNBSP, " ")


def assert_french(text: str, where: str):
    for word in FOREIGN:
        assert word not in text, f"{where} says {word!r}:\n{text}"


def send_queued_emails() -> list:
    """What the worker does: send every queued e-mail (into Django's test outbox)."""
    for pk in Notification.objects.filter(status="queued").values_list("pk", flat=True):
        notification_send(pk)
    return list(mail.outbox)


def slip_text(browser, live_server, link: str, reference: str, tmp_path) -> str:
    """The text of the slip PDF the customer downloads from her order link (English browser)."""
    from pypdf import PdfReader

    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 1000}, locale="en-US"
    ) as customer:
        customer.goto(link)
        listed = customer.locator(f"#return-{reference}")
        expect(listed.locator("[data-testid=return-status]")).to_have_text(
            "En attente des articles"
        )
        slip = customer.request.get(
            customer.base + listed.locator("[data-slip]").get_attribute("href")
        )
        assert slip.ok and slip.headers["content-type"] == "application/pdf"
        pdf = tmp_path / "slip.pdf"
        pdf.write_bytes(slip.body())
    return flat("\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages))


def test_a_french_shop_from_nothing_walks_a_return_in_french(
    browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_french_shop()
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 1000}, locale="fr-FR"
    ) as page:
        # The server's first request imports every URL and API schema: slow on a loaded machine.
        log_in(page, FRENCH_OWNER, FRENCH_PASSWORD, then="**/welcome/", timeout=120_000)

        # 1. The first-login page: what setup filled in, and the rest.
        first = page.locator("[data-page=first-run]")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(first.locator("select[name=currency]")).to_have_value("EUR")
        expect(first.locator("select[name=time_zone]")).to_have_value("Europe/Paris")
        expect(first.locator("input[name=phone_region]")).to_have_value("FR")
        fill_first_run(page, "sav@example.fr", "Entrepôt Lyon", "Lyon")
        shoot(page, "first-run.png", env="TOKODESK_SHOTS")
        finish_first_run(page)
        expect(page.locator("section#region select[name=staff_language]")).to_have_value("fr")
        expect(page.locator("section#customer_email select[name=customer_language]")).to_have_value(
            "fr"
        )
        expect(page.locator("h1")).to_have_text("Paramètres")
        shoot(page, "settings-region.png", env="TOKODESK_SHOTS")
        warehouse = Warehouse.objects.get()

        # 2. A carrier of the country.
        add_carrier(
            page, "colissimo", "Colissimo", "Domicile sans signature, Point retrait",
            "https://www.laposte.fr/outils/suivre-vos-envois?code={awb}",
        )  # fmt: skip

        # 2b. A payment method of its own (a bank-transfer flow), in French and English.
        add_payment_method(
            page, "sepa", "Virement SEPA instantané", "SEPA instant transfer", "bank_transfer",
            "IBAN FR76 3000 6000 0112 3456 7890 189",
        )  # fmt: skip

        # 3. Two return reasons, each in French and English.
        add_return_reasons(
            page,
            (
                ("colis_abime", "Colis abîmé à la livraison", "Parcel damaged in transit"),
                ("retard", "Livré trop tard", "Delivered too late"),
            ),
        )

        # 4. A product, priced in euros, and its stock received in the warehouse.
        page.goto(page.base + "/catalog/new/")
        page.fill("#id_name", "Lampe Lumière")
        page.fill("#id_v-0-sku", "LAMPE-1")
        page.fill("#id_v-0-price", "697,50")
        page.click("#save-product")
        page.wait_for_url(re.compile(r".*/catalog/\d+/$"))
        expect(page.locator("#variants")).to_contain_text(PRICE)
        page.goto(page.base + "/stock/receive/")
        page.select_option("select[name=warehouse]", warehouse.code)
        page.fill("input[name=supplier]", "Atelier Dupont")
        page.fill("input[name=sku-0]", "LAMPE-1")
        page.fill("input[name=qty-0]", "5")
        page.click("#receive-form button[type=submit]")
        page.wait_for_url(f"**/stock/?warehouse={warehouse.code}")
        assert Stock.objects.get(variant__sku="LAMPE-1", warehouse=warehouse).on_hand == 5

        # 5. A French customer's order (her phone typed as the shop's region writes it, her
        # language kept on the order), paid and delivered through the order's actions.
        marie = get_user_model().objects.get(username="marie")
        order = order_create(
            data=OrderInput(
                customer=CustomerInput(name="Camille Martin", phone="06 12 34 56 78",
                                       address="12 rue des Lilas", city="Lyon",
                                       email="camille@example.fr", **POSTCODE),
                lines=[LineInput(sku="LAMPE-1", qty=2)], payment_method_code="sepa",
                warehouse=warehouse.code, courier="colissimo", shipping_cost=690,
                language="fr",  # the buyer's language, as staff set it on the order
            ),
            actor=marie,
        )  # fmt: skip
        assert order.customer.phone == "+33612345678"  # read with the shop's phone region
        assert (order.payment_method, order.payment_option.code) == ("bank_transfer", "sepa")
        for action in ("confirm", "confirm_payment", "mark_ready"):
            order = run(order, action, marie)
        order = run(order, "ship", marie, courier="colissimo", awb="6A12345678901")
        for action in ("picked_up", "delivered"):
            order = run(order, action, marie)
        link = page.base + order_link_url(order)

    # 6. The customer asks for a return from the order link, in French (her browser says English).
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 1000}, locale="en-US"
    ) as customer:
        customer.goto(link)
        expect(customer.locator("html")).to_have_attribute("lang", "fr")
        expect(customer.locator("#status")).to_have_attribute("data-status", "delivered")
        expect(customer.locator("#return-window")).to_contain_text(
            "Vous pouvez demander un retour jusqu'au"
        )
        assert FRENCH_DATE.search(customer.locator("#return-window").inner_text())
        customer.locator("#request-return").click()
        form = customer.locator("#return-form")
        line = form.locator(f".rr-line[data-line='{order.lines.get().pk}']")
        line.locator("[data-step='1']").click()
        line.locator("[data-step='1']").click()
        expect(line.locator("input[type=number]")).to_have_value("2")
        reasons = form.locator("#rr-reason")
        expect(reasons).to_contain_text("Livré trop tard")
        expect(reasons).not_to_contain_text("Delivered too late")
        form.locator("label.sf-variant", has_text="Colis abîmé à la livraison").click()
        form.locator("label.sf-method", has_text="Avoir").click()
        form.locator("textarea[name=message]").fill("L'abat-jour est fendu.")
        form.locator("button[type=submit]").click()
        customer.wait_for_url(f"**{order_link_url(order)}#return-*")
        ret = Return.objects.get()
        listed = customer.locator(f"#return-{ret.reference}")
        expect(listed.locator("[data-testid=return-status]")).to_have_text("Demandé")
        assert ret.reason == ReturnReason.objects.get(code="colis_abime")

    # 7. The owner approves it with the e-mail, sets a target date, receives and completes it.
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 1000}, locale="fr-FR"
    ) as page:
        log_in(page, FRENCH_OWNER, FRENCH_PASSWORD)
        page.goto(page.base + f"/returns/{ret.reference}/")
        detail = page.locator(".return-detail")
        badge = detail.locator(".detail-title .badge")
        expect(badge).to_have_text("Demandé")
        modal = page.locator("#modal")
        detail.locator("[data-action=approve]").click()
        modal.locator("textarea[name=message]").fill(
            "Renvoyez la lampe avec le bon de retour, merci."
        )
        modal.get_by_role("button", name="Accepter le retour").click()
        expect(modal.locator("#email-preview")).to_contain_text("camille@example.fr")
        modal.get_by_role("button", name="Changer le statut et envoyer l'e-mail").click()
        expect(badge).to_have_text("En attente des articles")
        # The slip the customer prints from her order link: French words and formats.
        text = slip_text(browser, live_server, link, ret.reference, tmp_path)
        assert "BON DE RETOUR" in text.upper() and ret.reference in text, text
        assert "Colis abîmé à la livraison" in text and "Lampe Lumière" in text, text
        assert flat(PRICE) in text and FRENCH_DATE.search(text), text
        assert_french(text, "the slip PDF")

        edit = page.locator("#return-edit")
        edit.locator("input[name=target_date]").fill("2030-03-01")
        edit.locator("button[type=submit]").click()
        htmx_settled(page)
        expect(page.locator(".return-detail [data-target-date]")).to_contain_text("1 mars 2030")

        page.locator(".return-detail [data-action=receive]").click()
        expect(modal.locator("[data-form=receive]")).to_be_visible()
        modal.get_by_role("button", name="Réceptionner les articles").click()
        modal.get_by_role("button", name="Changer uniquement le statut").click()
        expect(page.locator(".return-detail .detail-title .badge")).to_have_text("Articles reçus")

        page.locator(".return-detail [data-action=complete]").click()
        expect(modal.locator("[data-form=complete]")).to_be_visible()
        expect(modal.locator("[data-form=complete]")).to_contain_text("Accepté")
        modal.get_by_role("button", name="Terminer le retour").click()
        modal.get_by_role("button", name="Changer le statut et envoyer l'e-mail").click()
        detail = page.locator(".return-detail")
        expect(detail.locator(".detail-title .badge")).to_have_text("Terminé")
        expect(detail.locator("[data-store-credit]")).to_contain_text(TWO)
        # The line's decision reads as an outcome, not as the verb of the form's choice.
        expect(detail.locator(".rt-decision")).to_have_text(["Accepté"])
        shoot(page, "return-detail-fr.png", env="TOKODESK_SHOTS")
        ret.refresh_from_db()
        assert ret.status == "completed"

        # The return's calendar entry through its token URL (a calendar app: no cookie, no
        # language): the shop's staff language, the return's words in French.
        token = feeds.calendar_token(get_user_model().objects.get(username="marie"))
        calendar_app = browser.new_context()  # its own cookie jar: no session, no language
        try:
            ics = calendar_app.request.get(
                page.base + f"/api/v1/returns/calendar.ics?include_completed=true&token={token}",
                headers={"Accept-Language": ""},
            )
            assert ics.ok, ics.status
            body = ics.text().replace("\r\n ", "")  # unfold the ICS lines
        finally:
            calendar_app.close()
        entry = body.split("BEGIN:VEVENT", 1)[1]
        assert ret.reference in entry and "DTSTART;VALUE=DATE:20300301" in entry
        assert f"Statut{NBSP}: Terminé" in entry and "Colis abîmé à la livraison" in entry, entry
        assert f"Résolution{NBSP}: Avoir" in entry, entry
        assert_french(entry.split("DESCRIPTION", 1)[1], "the ICS entry")

    # 8. The e-mails the customer got: French words, French money, French typography.
    emails = send_queued_emails()
    assert [m.to for m in emails] == [["camille@example.fr"], ["camille@example.fr"]]
    approved, completed = emails
    sender = str(make_header(decode_header(approved.from_email)))
    assert (
        approved.reply_to == ["sav@example.fr"]
        and sender == "Boutique Lumière <boutique@example.fr>"
    )
    for message in emails:
        text = message.subject + "\n" + message.body
        assert_french(text, f"the e-mail {message.subject!r}")
        assert message.subject.startswith(f"Boutique Lumière{NBSP}: votre retour {ret.reference}")
        assert " :" not in text.replace("://", ""), text  # a no-break space before each colon
    assert f"Motif{NBSP}: Colis abîmé à la livraison{NBSP}: L'abat-jour est fendu." in approved.body
    assert "Renvoyez la lampe avec le bon de retour" in approved.body
    assert f"Résolution{NBSP}: Avoir" in approved.body and "accepté" in approved.subject
    # Completed: the line's outcome and the credit in French money.
    assert f"2 × Lampe Lumière{NBSP}: accepté" in completed.body, completed.body
    assert f"{TWO} ont été ajoutés à votre avoir" in completed.body, completed.body

    # 9. The order link, where the customer follows her return.
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 1000}, locale="en-US"
    ) as customer:
        customer.goto(link)
        listed = customer.locator(f"#return-{ret.reference}")
        expect(listed.locator("[data-testid=return-status]")).to_have_text("Terminé")
        page_text = customer.locator("body").inner_text()
        assert_french(page_text, "the order link")
        assert "votre commande" in page_text.lower() and TWO in page_text, page_text
        assert FRENCH_DATE.search(page_text), page_text
        assert "Virement SEPA instantané" in page_text, page_text
