"""French done right (issue 17): the fr catalog and the built-in French texts of the code
follow French typography, keep their placeholders, and agree with the noun they describe.

French puts a no-break space (U+00A0, or the narrow U+202F) before ":", ";", "?" and "!",
and inside « ». A plain space there lets the sign wrap alone onto the next line; no space at
all is English typography. Code-like text (URLs, times, HTTP headers, JSON samples,
placeholders) keeps its own spelling and is left out of the check.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from tokodesk.core.tests.test_i18n import _placeholders, _sample, po_path, read_po
from tokodesk.orders import wa_templates, whatsapp
from tokodesk.orders.states import Status as OrderStatus
from tokodesk.returns.states import Decision, RefundStatus
from tokodesk.returns.states import Status as ReturnStatus

NO_BREAK = "\u00a0\u202f"

# Text that is code, not French: left out before the typography is checked.
_CODE = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]"  # %(name)s
    r"|\{[^{}\s]*\}"  # {name}, {seq:06d}
    r"|\b[a-z][a-z0-9+.-]*://\S*"  # https://…
    r"|\bdata:"  # a data: URI
    r"|\|\w+:\w+"  # a template filter with its argument, |money:currency
    r"|\d:\d"  # 10:30
    r"|\b[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)+:"  # Content-Type:, Tokodesk-Signature:
    r'|"\w+":'  # a JSON sample {"fr": "…"}
    r"|<[^<>]*>"  # markup, <time>
)


def typography_faults(text: str) -> list[str]:
    """Where `text` breaks French typography, each with a few characters around it."""
    prose = _CODE.sub("X", text)
    faults = []
    for match in re.finditer(r"(.{0,20})([:;?!])", prose):
        before, sign = match.groups()
        if before.endswith(" "):
            faults.append(f"plain space before {sign!r}: …{before}{sign}")
        elif before and before[-1] not in NO_BREAK and not before[-1].isspace():
            faults.append(f"no space before {sign!r}: …{before}{sign}")
    for match in re.finditer(r"«(?![" + NO_BREAK + r"])|(?<![" + NO_BREAK + r"])»", prose):
        faults.append(
            f"no no-break space inside « »: …{prose[max(0, match.start() - 15) : match.end() + 15]}"
        )
    return faults


def test_the_check_catches_what_it_should():
    assert typography_faults("Total : 5 €") and typography_faults("Total: 5 €")
    assert typography_faults("Merci !") and typography_faults("Pourquoi ?")
    assert typography_faults("«\u00a0Oui »") and typography_faults("«Oui\u00a0»")
    assert not typography_faults("Total\u00a0: %(total)s. Merci\u202f!")
    assert not typography_faults(
        "«\u00a0Oui\u00a0» à 10:30 sur https://toko.example/o/ ({seq:06d})"
    )
    assert not typography_faults('Content-Type: application/json, {"fr": "…"}')
    assert not typography_faults("une URI data: pour |money:currency")


def _fr_entries():
    _header, entries = read_po(po_path("fr"))
    assert len(entries) > 1000
    return entries


def test_every_french_message_follows_french_typography():
    faults = [
        f"{entry}: {fault}"
        for entry in _fr_entries()
        for form in entry.msgstr
        for fault in typography_faults(form)
    ]
    assert not faults, f"French typography broken in the fr catalog:{_sample(faults)}"


def test_every_french_message_keeps_its_placeholders():
    broken = []
    for entry in _fr_entries():
        expected = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
        for form in entry.msgstr:
            if _placeholders(form) != expected:
                broken.append(f"{entry}: {form!r}")
    assert not broken, f"placeholders lost or added in the fr catalog:{_sample(broken)}"


def test_one_apostrophe_in_the_french_catalog():
    curly = [str(e) for e in _fr_entries() if any("\u2019" in form for form in e.msgstr)]
    assert not curly, f"the fr catalog writes the straight apostrophe (') only:{_sample(curly)}"


def _builtin_french_texts():
    for purpose, texts in wa_templates.DEFAULTS.items():
        name, body = texts["fr"]
        yield f"wa_templates {purpose} name", name
        yield f"wa_templates {purpose}", body
    yield "whatsapp.BUILTIN_TEMPLATES", whatsapp.BUILTIN_TEMPLATES["fr"]
    for key, words in whatsapp.PHRASES.items():
        yield f"whatsapp.PHRASES {key}", words["fr"]


@pytest.mark.parametrize(("where", "text"), list(_builtin_french_texts()))
def test_built_in_french_whatsapp_texts_follow_french_typography(where, text):
    assert not typography_faults(text), (where, typography_faults(text))


FR_EMAILS = sorted(
    (Path(__file__).resolve().parents[2] / "notifications/templates/notifications/email/fr").glob(
        "*.txt"
    )
)


@pytest.mark.parametrize("path", FR_EMAILS, ids=lambda p: p.name)
def test_the_french_e_mails_follow_french_typography(path):
    """The customer's e-mails (first line the subject): their own words, tags left out."""
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "X", path.read_text(encoding="utf-8"))
    assert not typography_faults(text), (path.name, typography_faults(text))


def test_every_french_e_mail_is_checked():
    assert {p.name for p in FR_EMAILS} >= {
        "return_approve.txt",
        "return_receive.txt",
        "return_complete.txt",
        "return_reject.txt",
    }


def test_the_french_ask_for_payment_reads_with_no_break_spaces():
    body = wa_templates.DEFAULTS[wa_templates.Purpose.ASK_PAYMENT]["fr"][1]
    assert "ici\u00a0: {order_link}. Merci\u00a0!" in body
    assert whatsapp.PHRASES["transfer"]["fr"].endswith("ces comptes\u00a0:")


# --- agreement: "retour" is masculine, "commande" feminine -------------------------------------


def test_a_return_s_statuses_agree_with_retour_and_an_order_s_with_commande():
    with translation.override("fr"):
        returns = {s.value: str(s.label) for s in ReturnStatus}
        orders = {s.value: str(s.label) for s in OrderStatus}
        refund_paid = str(RefundStatus.PAID.label)
    assert (returns["completed"], returns["rejected"], returns["cancelled"]) == (
        "Terminé",
        "Refusé",
        "Annulé",
    )
    assert (returns["awaiting_item"], returns["item_received"]) == (
        "En attente des articles",
        "Articles reçus",
    )
    assert (orders["completed"], orders["cancelled"], orders["paid"]) == (
        "Terminée",
        "Annulée",
        "Payée",
    )
    assert refund_paid == "Payé"


def test_a_line_s_decision_reads_as_an_outcome_not_a_verb():
    with translation.override("fr"):
        assert [str(d.label) for d in Decision] == ["Accepté", "Refusé"]


# --- pages: a label's colon written by a template or a view (not by the catalog) --------------

_GLUED_COLON = re.compile(r"[^\W\d_][:;?!](?=\s)")


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_a_french_return_and_its_order_put_a_no_break_space_before_every_colon(shop, owner):
    """Templates and views join a label and its value with {% colon %} / l10n.colon():
    "Accepté : 2 × KAOS-M" on a return's history, "Justificatif : …" on an order."""
    from django.test import Client

    from tokodesk.core.l10n import colon
    from tokodesk.returns.tests.factories import return_in

    ret = return_in("completed", owner)
    c = Client()
    c.force_login(owner)
    c.cookies["django_language"] = "fr"
    for url in (f"/returns/{ret.reference}/", f"/orders/{ret.order.reference}/"):
        text = _visible_text(c.get(url).content.decode())
        glued = [text[max(0, m.start() - 30): m.end() + 10] for m in _GLUED_COLON.finditer(text)]
        assert not glued, f"{url}: a colon without its no-break space: {glued}"
    assert colon("fr") == "\u00a0:" and colon("id") == ":" and colon("en") == ":"
    with translation.override("fr"):
        assert colon() == "\u00a0:"
