"""The Indonesian and French catalogs (tokodesk/locale): every string translated, the
committed .mo files compiled from the committed .po files, every gettext string of the code
in the catalogs, and the pages and the API really speaking the user's language.

English is the source language (the msgids): it has no catalog. After adding or changing a
UI string, run `make messages`, translate the new entries and commit the .po and .mo files.
"""

from __future__ import annotations

import gettext as gettext_module
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tokodesk.orders.states import Status
from tokodesk.orders.tests.factories import make_order, order_in

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
SOURCE_DIR = LOCALE_DIR.parent  # the `tokodesk` package: what `make messages` scans
LANGS = ("id", "fr")
PLURAL_FORMS = {"id": "nplurals=1; plural=0;", "fr": "nplurals=2; plural=(n > 1);"}
FIX = "run `make messages`, translate the new or fuzzy entries and commit the .po and .mo files"

# SPEC 2.1: the labels of the 21 statuses.
STATUS_LABELS = {
    "en": {
        "new": "New",
        "confirmed": "Confirmed",
        "paid": "Paid",
        "partially_paid": "Partially paid",
        "ready_to_ship": "Ready to ship",
        "cancellation_requested": "Cancellation requested",
        "cancelled": "Cancelled",
        "awaiting_pickup": "Awaiting pickup",
        "in_transit": "In transit",
        "delivered": "Delivered",
        "delivery_problem": "Delivery problem",
        "lost_or_damaged": "Lost or damaged",
        "returning": "Returning to seller",
        "returned": "Returned to seller",
        "awaiting_payment": "Awaiting payment",
        "payment_processing": "Payment processing",
        "payment_completed": "Payment completed",
        "invoice_pending": "Invoice pending",
        "invoice_issued": "Invoice issued",
        "invoice_paid": "Invoice paid",
        "completed": "Completed",
    },
    "id": {
        "new": "Baru",
        "confirmed": "Dikonfirmasi",
        "paid": "Dibayar",
        "partially_paid": "Dibayar Sebagian",
        "ready_to_ship": "Siap Dikirim",
        "cancellation_requested": "Meminta Pembatalan",
        "cancelled": "Dibatalkan",
        "awaiting_pickup": "Menunggu Pengiriman",
        "in_transit": "Dalam Pengiriman",
        "delivered": "Terkirim",
        "delivery_problem": "Kiriman Bermasalah",
        "lost_or_damaged": "Paket Hilang/Rusak",
        "returning": "Dalam Pengembalian",
        "returned": "Dikembalikan",
        "awaiting_payment": "Menunggu Pembayaran",
        "payment_processing": "Pembayaran Diproses",
        "payment_completed": "Pembayaran Selesai",
        "invoice_pending": "Tagihan Tertunda",
        "invoice_issued": "Tagihan Diterbitkan",
        "invoice_paid": "Tagihan Dibayar",
        "completed": "Selesai",
    },
    "fr": {
        "new": "Nouvelle",
        "confirmed": "Confirmée",
        "paid": "Payée",
        "partially_paid": "Partiellement payée",
        "ready_to_ship": "Prête à expédier",
        "cancellation_requested": "Annulation demandée",
        "cancelled": "Annulée",
        "awaiting_pickup": "En attente d'enlèvement",
        "in_transit": "En transit",
        "delivered": "Livrée",
        "delivery_problem": "Problème de livraison",
        "lost_or_damaged": "Perdue ou endommagée",
        "returning": "En retour vers le vendeur",
        "returned": "Retournée au vendeur",
        "awaiting_payment": "En attente de paiement",
        "payment_processing": "Paiement en cours",
        "payment_completed": "Paiement effectué",
        "invoice_pending": "Facture en attente",
        "invoice_issued": "Facture émise",
        "invoice_paid": "Facture payée",
        "completed": "Terminée",
    },
}
# The orders page's tabs (SPEC 2.3; TikTok Shop's Indonesian names).
TAB_LABELS_ID = {
    "all": "Semua",
    "pending": "Tertunda",
    "to_ship": "Perlu Dikirim",
    "shipped": "Dikirim",
    "completed": "Selesai",
    "cancelled": "Dibatalkan",
    "action_needed": "Perlu Tindakan",
}


# --- a small .po reader --------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    line: int
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """(header fields, entries) of a .po file; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    plural_forms: dict[int, str] = {}
    flags: set[str] = set()
    key = None
    start = 0

    def flush():
        nonlocal fields, plural_forms, flags, key
        if "msgid" in fields:
            forms = (
                [plural_forms[i] for i in sorted(plural_forms)]
                if plural_forms
                else [fields.get("msgstr", "")]
            )
            entries.append(
                Entry(
                    msgid=fields["msgid"],
                    line=start,
                    msgctxt=fields.get("msgctxt"),
                    msgid_plural=fields.get("msgid_plural"),
                    msgstr=forms,
                    flags=flags,
                )
            )
        fields, plural_forms, flags, key = {}, {}, set(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := _KEYWORD.match(line):
            keyword, index, value = match.groups()
            if keyword in ("msgctxt", "msgid") and ("msgstr" in fields or plural_forms):
                flush()  # a new entry without a blank line before it
            if keyword in ("msgctxt", "msgid") and not fields:
                start = number
            if index is not None:
                plural_forms[int(index)] = _unquote(value)
                key = ("plural", int(index))
            else:
                fields[keyword] = _unquote(value)
                key = keyword
        elif line.startswith('"') and key is not None:
            if isinstance(key, tuple):
                plural_forms[key[1]] += _unquote(line)
            else:
                fields[key] += _unquote(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    flush()

    header_entries = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header_entries) == 1, f"{path}: no header entry"
    header = dict(
        line.split(": ", 1) for line in header_entries[0].msgstr[0].splitlines() if ": " in line
    )
    header["__flags__"] = ",".join(sorted(header_entries[0].flags))
    return header, [e for e in entries if e is not header_entries[0]]


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"


def _sample(items, limit=25) -> str:
    items = [str(i) for i in items]
    more = f"\n  … and {len(items) - limit} more" if len(items) > limit else ""
    return "\n  " + "\n  ".join(items[:limit]) + more


# --- (a) complete catalogs ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_header(lang):
    assert po_path(lang).exists() and mo_path(lang).exists(), (
        f"the {lang} catalog is missing: {FIX}"
    )
    header, _entries = read_po(po_path(lang))
    assert header.get("Language") == lang
    assert header.get("Plural-Forms") == PLURAL_FORMS[lang]
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert "fuzzy" not in header["__flags__"], (
        "a fuzzy header is skipped by msgfmt: remove its '#, fuzzy'"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_every_msgid_is_translated_and_not_fuzzy(lang):
    _header, entries = read_po(po_path(lang))
    nplurals = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[lang]).group(1))
    assert len(entries) > 300
    fuzzy = [e for e in entries if "fuzzy" in e.flags]
    empty = [e for e in entries if not all(s.strip() for s in e.msgstr)]
    wrong_forms = [e for e in entries if e.msgid_plural is not None and len(e.msgstr) != nplurals]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {po_path(lang)}:{_sample(fuzzy)}\n{FIX}"
    assert not empty, (
        f"{len(empty)} untranslated entries in {po_path(lang)}:{_sample(empty)}\n{FIX}"
    )
    assert not wrong_forms, (
        f"plural entries need {nplurals} form(s) in {lang}:{_sample(wrong_forms)}"
    )
    keys = [e.key for e in entries]
    assert len(keys) == len(set(keys)), "duplicate msgids"


_PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"  # %(name)s, %(days)d
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"  # %s
    r"|\{[^{}\s]*\}"  # {seq}, {seq:06d}
    r"|</?[a-z][a-z0-9]*(?:\s[^<>]*)?>"  # <strong>, </strong>
)


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_and_markup_are_kept(lang):
    _header, entries = read_po(po_path(lang))
    broken = []
    for e in entries:
        expected = _placeholders(e.msgid) | _placeholders(e.msgid_plural or "")
        for form in e.msgstr:
            if _placeholders(form) != expected:
                broken.append(f"{e} → {form!r}")
    assert not broken, f"placeholders or markup changed in {lang}:{_sample(broken)}"


# --- (b) the committed .mo files are the compiled .po files --------------------------------


def _mo_catalog(path: Path) -> dict:
    with path.open("rb") as fp:
        return dict(gettext_module.GNUTranslations(fp)._catalog)


@pytest.mark.parametrize("lang", LANGS)
def test_committed_mo_is_compiled_from_the_po(lang, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip(
            "msgfmt (GNU gettext) is not installed: cannot check that the .mo files are up to date"
        )
    compiled = tmp_path / "django.mo"
    # The same call as `compilemessages`.
    subprocess.run(
        [msgfmt, "--check-format", "-o", str(compiled), str(po_path(lang))],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if compiled.read_bytes() == mo_path(lang).read_bytes():
        return
    # Another gettext version may lay the file out differently: then compare what it says.
    assert _mo_catalog(compiled) == _mo_catalog(mo_path(lang)), (
        f"{mo_path(lang)} is out of date with its .po: {FIX}"
    )


# --- (c) every gettext string of the code is in the catalogs ---------------------------------


def test_catalogs_cover_every_string_of_the_code(tmp_path):
    """`makemessages` over a copy of the code, compared with the committed catalogs."""
    missing = [
        tool
        for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib")
        if shutil.which(tool) is None
    ]
    if missing:
        pytest.skip(
            f"GNU gettext tools missing ({', '.join(missing)}): cannot extract the strings of the code"
        )
    source = tmp_path / "tokodesk"
    skip_cache = shutil.ignore_patterns("__pycache__", "*.pyc")

    def ignore(directory, names):
        # Only the main catalogs are left out: an app with its own locale dir (exports)
        # keeps its strings there, as `make messages` does.
        ignored = set(skip_cache(directory, names))
        if os.path.samefile(directory, SOURCE_DIR):
            ignored.add("locale")
        return ignored

    shutil.copytree(SOURCE_DIR, source, ignore=ignore)
    (source / "locale").mkdir()
    app_catalogs = sorted(
        p for p in source.glob("*/locale/id/LC_MESSAGES/django.po")
    )
    committed_app = {p: {e.key for e in read_po(p)[1]} for p in app_catalogs}
    # Without settings, makemessages writes to ./locale only (never to the real catalogs).
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "django",
            "makemessages",
            "-l",
            "id",
            "--ignore",
            "tests/*",
            "--no-location",
        ],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = {e.key: e for e in read_po(source / "locale" / "id" / "LC_MESSAGES" / "django.po")[1]}
    assert len(fresh) > 300, "makemessages found too few strings: is the copy complete?"
    for lang in LANGS:
        committed = {e.key for e in read_po(po_path(lang))[1]}
        new = [fresh[key] for key in fresh if key not in committed]
        assert not new, (
            f"{len(new)} string(s) of the code are not in the {lang} catalog:"
            f"{_sample(repr(e.msgid) for e in new)}\n{FIX}"
        )
    for path, before in committed_app.items():
        after = {e.key for e in read_po(path)[1]}
        assert after <= before, (
            f"{path.relative_to(source)}: {len(after - before)} string(s) missing from the app's catalog\n{FIX}"
        )


# --- (d) the product speaks the user's language ----------------------------------------------


@pytest.mark.parametrize("lang", ["en", "id", "fr"])
def test_status_labels_are_the_spec_s(lang):
    with translation.override(lang):
        labels = {status.value: str(status.label) for status in Status}
    assert labels == STATUS_LABELS[lang]


def test_a_few_labels_by_name():
    with translation.override("id"):
        assert [
            str(Status.NEW.label),
            str(Status.CONFIRMED.label),
            str(Status.READY_TO_SHIP.label),
        ] == ["Baru", "Dikonfirmasi", "Siap Dikirim"]
        assert gettext("Confirm order") == "Konfirmasi Pesanan"
        assert gettext("Edit order") == "Ubah Pesanan"
    with translation.override("fr"):
        assert str(Status.NEW.label) == "Nouvelle"
        assert gettext("Confirm order") == "Confirmer la commande"


def test_plural_forms():
    with translation.override("id"):
        assert (
            ngettext("%(n)s order changed", "%(n)s orders changed", 1) % {"n": 1}
            == "1 pesanan diubah"
        )
        assert (
            ngettext("%(n)s order changed", "%(n)s orders changed", 5) % {"n": 5}
            == "5 pesanan diubah"
        )
    with translation.override("fr"):
        assert (
            ngettext("%(n)s order changed", "%(n)s orders changed", 0) % {"n": 0}
            == "0 commande modifiée"
        )
        assert (
            ngettext("%(n)s order changed", "%(n)s orders changed", 1) % {"n": 1}
            == "1 commande modifiée"
        )
        assert (
            ngettext("%(n)s order changed", "%(n)s orders changed", 2) % {"n": 2}
            == "2 commandes modifiées"
        )


def _badges(html: str) -> dict[str, str]:
    return dict(re.findall(r'<span class="badge [^"]*" data-status="(\w+)">([^<]+)</span>', html))


def _tabs(html: str) -> dict[str, str]:
    return {
        key: label.strip()
        for key, label in re.findall(r'data-tab="(\w+)"[^>]*>\s*([^<]+?)\s*<span', html)
    }


@pytest.fixture
def three_orders(shop, users):
    owner = users["owner"]
    return [make_order(owner), order_in("confirmed", owner), order_in("ready_to_ship", owner)]


def owner_client(users) -> Client:
    client = Client()
    client.force_login(users["owner"])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["cookie", "accept-language"])
def test_orders_page_in_indonesian(three_orders, users, how):
    client = owner_client(users)
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
        response = client.get("/orders/", HTTP_ACCEPT_LANGUAGE="en")  # the chosen language wins
    else:
        response = client.get("/orders/", HTTP_ACCEPT_LANGUAGE="id,en;q=0.5")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert _badges(html) == {
        "new": "Baru",
        "confirmed": "Dikonfirmasi",
        "ready_to_ship": "Siap Dikirim",
    }
    assert _tabs(html) == TAB_LABELS_ID
    assert "<h1>Pesanan</h1>" in html
    assert "Tambah Pesanan" in html and "ID Pesanan" in html and "Nomor Resi/AWB" in html


@pytest.mark.django_db
def test_orders_page_follows_the_language_switch(three_orders, users):
    client = owner_client(users)
    english = client.get("/orders/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert _badges(english) == {
        "new": "New",
        "confirmed": "Confirmed",
        "ready_to_ship": "Ready to ship",
    }
    response = client.post(
        "/i18n/setlang/", {"language": "fr", "next": "/orders/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302 and response["Location"] == "/orders/"
    french = client.get("/orders/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="fr">' in french
    assert _badges(french) == {
        "new": "Nouvelle",
        "confirmed": "Confirmée",
        "ready_to_ship": "Prête à expédier",
    }
    tabs = _tabs(french)
    assert (tabs["all"], tabs["pending"], tabs["to_ship"], tabs["action_needed"]) == (
        "Toutes",
        "En attente",
        "À expédier",
        "Action requise",
    )


@pytest.mark.django_db
def test_api_errors_speak_the_caller_s_language(api, shop):
    response = api.post("/api/v1/orders", {}, headers={"Accept-Language": "id"})
    assert response.status_code == 422
    assert response.json()["message"] == "Permintaan tidak valid."
    response = api.post("/api/v1/orders", {}, headers={"Accept-Language": "fr"})
    assert response.json()["message"] == "La requête n'est pas valide."
    response = api.post("/api/v1/orders", {}, headers={"Accept-Language": "en"})
    assert response.json()["message"] == "The request is not valid."
    missing = api.get("/api/v1/orders/ORD-NOPE", headers={"Accept-Language": "id"})
    assert missing.status_code == 404
    assert "tidak ditemukan" in missing.json()["message"]


# --- (e) one short msgid, one meaning ----------------------------------------------------------

# Short English words that mean different things in different places, and so read wrong in
# one of them when they share one msgid (the e-mail preview's recipient "To" read "Sampai
# Tanggal", the date filter's "To"). Each use carries a context (pgettext / {% translate
# "To" context "…" %}), except in the files listed, which hold the word's plain meaning.
AMBIGUOUS_MSGIDS: dict[str, tuple[set[str], str]] = {
    "To": (set(), "a date range's end ('Sampai Tanggal') or an e-mail's recipient ('Kepada')"),
    "From": (set(), "a date range's start ('Dari Tanggal') or an e-mail's sender ('Dari')"),
    "Paid": (
        {
            "orders/states.py",
            "returns/states.py",
            "storefront/views/customer_link.py",
            "payments/models.py",  # a claim's status
        },
        "a status ('Payée') or the amount paid ('Montant payé')",
    ),
    "Confirmed": (
        {"orders/states.py", "storefront/views/customer_link.py"},
        "a status ('Dikonfirmasi') or the time of confirmation ('Waktu Konfirmasi')",
    ),
    "Completed": (
        {"orders/states.py", "returns/states.py", "storefront/views/customer_link.py"},
        "a status ('Selesai') or the time of completion ('Waktu Selesai')",
    ),
}
_PLAIN_PY = r"""\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*(["'])({words})\1\s*\)"""
_PLAIN_TEMPLATE = r"""\{{%-?\s*(?:translate|trans)\s+(["'])({words})\1(?![^%]*\bcontext\b)[^%]*%\}}"""


def test_ambiguous_short_msgids_carry_a_context():
    words = "|".join(re.escape(w) for w in AMBIGUOUS_MSGIDS)
    py = re.compile(_PLAIN_PY.format(words=words))
    template = re.compile(_PLAIN_TEMPLATE.format(words=words))
    found = []
    for path in sorted(SOURCE_DIR.rglob("*")):
        rel = path.relative_to(SOURCE_DIR).as_posix()
        if path.suffix not in (".py", ".html", ".txt") or "/tests/" in f"/{rel}" or "/migrations/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (py if path.suffix == ".py" else template,):
            for match in pattern.finditer(text):
                word = match.group(2)
                allowed, _meanings = AMBIGUOUS_MSGIDS[word]
                if rel not in allowed:
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{rel}:{line}: {word!r}")
    assert not found, (
        "a short msgid with several meanings is used without a context (pgettext_lazy(\"…\", "
        "\"To\") / {% translate \"To\" context \"…\" %}):\n"
        + "\n".join(f"  {f} ({AMBIGUOUS_MSGIDS[f.rsplit(chr(39), 2)[1]][1]})" for f in found)
    )
