"""The chips above a filtered orders list say each filter in the user's words."""

import re

from django.test import Client
from django.utils import translation

from tokodesk.core.models import ShopSettings
from tokodesk.orders.states import Status


def chips(html: str) -> list[str]:
    return re.findall(r'<span class="chip">(.*?)</span>', html, re.S)


def test_chips_show_names_labels_rupiah_and_local_dates(shop, users):
    agent = users["agent"]
    agent.first_name, agent.last_name = "Agen", "Satu"
    agent.save()
    c = Client()  # the app's language: Indonesian
    c.force_login(users["owner"])
    html = c.get(
        "/orders/",
        {
            "agent": "agent",
            "status": ["new", "confirmed"],
            "min_total": "100000",
            "max_total": "2500000",
            "date_from": "2026-03-05",
        },
    ).content.decode()
    with translation.override("id"):
        statuses = f"{Status.NEW.label}, {Status.CONFIRMED.label}"
        agent_label, status_label = "Agen", "Status"
    found = chips(html)
    assert f"{agent_label}: Agen Satu" in found
    assert f"{status_label}: {statuses}" in found
    assert any(chip.endswith(": Rp 100.000") for chip in found), found
    assert any(chip.endswith(": Rp 2.500.000") for chip in found), found
    assert any(
        chip.endswith(": 5 Mar. 2026") or chip.endswith(": 5 Maret 2026") for chip in found
    ), found
    for chip in found:
        assert (
            ", g, e" not in chip
            and "new" not in chip
            and "100000" not in chip
            and "2026-03-05" not in chip
        )


def test_chips_in_french_and_another_currency(shop, users):
    ShopSettings.objects.update_or_create(pk=1, defaults={"currency": "EUR"})
    c = Client(HTTP_ACCEPT_LANGUAGE="fr")
    c.force_login(users["owner"])
    html = c.get(
        "/orders/",
        {"payment_method": "cod", "min_total": "1250", "date_to": "2026-02-01"},
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    found = chips(html)
    # CLDR fr: a no-break space before €
    assert any(chip.endswith(": 12,50\u00a0€") for chip in found), found
    assert any(chip.endswith(": 1 février 2026") for chip in found), found
    assert not any(chip.endswith(": cod") for chip in found), found
