"""The customer's bank details go with a bank-transfer refund only: typed and then the
method switched to cash (or store credit), the forms drop them, so a cash refund is not
stored with an account; a bank transfer still needs them. (The page hides the fields for
the other methods: tests/browser/test_refund_bank_fields.py.)"""

from __future__ import annotations

from django.test import Client

from tokodesk.returns.forms import CompleteForm, GoodwillForm
from tokodesk.returns.models import Refund
from tokodesk.returns.tests.factories import BANK, paid_order, return_in


def test_goodwill_cash_drops_the_bank_details(shop, users):
    order = paid_order(users["owner"])
    c = Client()
    c.force_login(users["finance"])
    c.cookies["django_language"] = "en"
    r = c.post(
        "/returns/goodwill/", {"order": order.reference, "amount": "5000", "method": "cash", **BANK}
    )
    assert r.status_code == 302
    refund = Refund.objects.get()
    assert (refund.method, refund.bank_name, refund.account_number, refund.account_holder) == (
        "cash",
        "",
        "",
        "",
    )

    form = GoodwillForm({"amount": "5000", "method": "bank_transfer", **BANK}, order=order)
    assert form.is_valid()
    assert {k: form.inputs()[k] for k in BANK} == BANK


def test_complete_with_cash_drops_the_bank_details(shop, users):
    owner = users["owner"]
    ret = return_in("item_received", owner)
    data = dict(BANK)
    for line in ret.lines.all():
        data.update({f"decision_{line.pk}": "accept", f"qty_{line.pk}": str(line.qty_received)})
    cash = CompleteForm({**data, "refund_method": "cash"}, ret=ret)
    assert cash.is_valid(), cash.errors
    inputs = cash.to_inputs()
    assert inputs["refund_method"] == "cash" and not set(BANK) & set(inputs)
    bank = CompleteForm({**data, "refund_method": "bank_transfer"}, ret=ret)
    assert bank.is_valid(), bank.errors
    assert {k: bank.to_inputs()[k] for k in BANK} == BANK
