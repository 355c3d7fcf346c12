"""The return's timeline names a refused line by the quantity refused ("Tolak: 1 ×
KOPI-BJ-250"), not by the 0 accepted; a line partly accepted shows both parts; events
recorded before the completion kept the received quantity read it from the return."""

from __future__ import annotations

import html as html_module
import re

from django.test import Client

from tokodesk.returns.models import ReturnEvent
from tokodesk.returns.services import return_apply_action, return_create
from tokodesk.returns.tests.factories import BANK, act, paid_order, return_data


def _completed(owner):
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1)))
    ret = return_create(data=return_data(order, resolution="refund"), actor=owner)
    ret = act(act(ret, "approve", owner), "receive", owner)
    kaos, madu = ret.lines.order_by("id")
    assert (kaos.qty_received, madu.qty_received) == (2, 1)
    return return_apply_action(
        reference=ret.reference,
        action="complete",
        actor=owner,
        inputs={
            "lines": [
                {"line": kaos.pk, "decision": "accept", "qty": 1},
                {"line": madu.pk, "decision": "refuse"},
            ],
            **BANK,
        },
    )


def _timeline_text(owner, ret, language) -> str:
    c = Client()
    c.force_login(owner)
    c.cookies["django_language"] = language
    page = c.get(f"/returns/{ret.reference}/").content.decode()
    section = re.search(r'data-section="timeline".*', page, re.S).group(0)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)))


def test_a_refused_line_reads_as_the_quantity_refused(shop, users):
    owner = users["owner"]
    ret = _completed(owner)
    text = _timeline_text(owner, ret, "en")
    assert "Accept: 1 × KAOS-M; Refuse: 1 × KAOS-M" in text
    assert "Refuse: 1 × MADU-500" in text
    assert "0 ×" not in text
    indonesian = _timeline_text(owner, ret, "id")
    assert "Tolak: 1 × MADU-500" in indonesian and "0 ×" not in indonesian


def test_a_completion_recorded_without_the_received_quantity(shop, users):
    owner = users["owner"]
    ret = _completed(owner)
    event = ReturnEvent.objects.get(return_order=ret, action="complete")
    assert {line["sku"]: line["qty_received"] for line in event.data["lines"]} == {
        "KAOS-M": 2,
        "MADU-500": 1,
    }
    for line in event.data["lines"]:
        del line["qty_received"]
    event.save(update_fields=["data"])
    text = _timeline_text(owner, ret, "en")
    assert "Refuse: 1 × MADU-500" in text and "Accept: 1 × KAOS-M; Refuse: 1 × KAOS-M" in text
