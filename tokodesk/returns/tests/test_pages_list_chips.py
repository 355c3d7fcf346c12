"""The chips above a filtered returns list: choices by their label, dates in the user's
language (the value the URL carries is never shown)."""

import re

from django.test import Client
from django.utils import translation

from tokodesk.returns.states import Resolution


def chips(html: str) -> list[str]:
    return re.findall(r'<span class="chip">(.*?)</span>', html, re.S)


def test_chips_show_labels_and_local_dates(shop, users):
    c = Client()  # the app's language: Indonesian
    c.force_login(users["owner"])
    html = c.get(
        "/returns/",
        {
            "resolution": "refund",
            "date_from": "2026-03-05",
            "target_to": "2026-12-24",
            "responsible": "none",
        },
    ).content.decode()
    with translation.override("id"):
        refund = str(Resolution("refund").label)
    found = chips(html)
    assert len(found) == 4, found
    assert any(chip.endswith(f": {refund}") for chip in found), found
    assert any(chip.endswith(": 5 Maret 2026") for chip in found), found
    assert any(chip.endswith(": 24 Desember 2026") for chip in found), found
    assert not any(
        "2026-" in chip or chip.endswith(": none") or chip.endswith(": refund") for chip in found
    )


def test_chips_in_french_dates(shop, users):
    c = Client(HTTP_ACCEPT_LANGUAGE="fr")
    c.force_login(users["owner"])
    html = c.get("/returns/", {"date_to": "2026-02-01"}).content.decode()
    assert any(chip.endswith(": 1 février 2026") for chip in chips(html)), chips(html)
