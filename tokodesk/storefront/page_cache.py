"""The landing page's GET rendered once per process and content (issue 16: a flash sale).

Every buyer of a flash sale loads the page: its full render (the base layout, the form's
widgets, the shop's profile, the methods' hints) cost more CPU than the order itself. What
a fresh page shows depends only on the page, its product, the variants' names and prices,
whether any is in stock, the page's payment methods, the shop's settings and the language;
the rest is per request: the CSRF token, the form's one-time token, the language form's
`next` path, a CSP nonce if a template asks for one, and the variants' stock.

So the page is rendered once with sentinels in those places, cut at the sentinels, and kept
under a key made of the VALUES read by this request (never a version that a missed signal
could leave stale): a change to any of them is a new key. Each request reads the page, the
variants with their stock and the methods (as before), renders the small variants list
(`_landing_variants.html`: stock, "Only 3 left", the first in stock checked) and joins the
pieces with its own tokens. A nonce is asked of django-csp only when a cached piece holds
one (as a template that prints it would), so the CSP header is the one the full render
sends."""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict

from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import mark_safe

_SALT = secrets.token_hex(8)  # per process: no page text can hold it by chance
CSRF = f"tdcsrf{_SALT}"
FORM_TOKEN = f"tdform{_SALT}"
NEXT = f"tdnext{_SALT}"
NONCE = f"tdnonce{_SALT}"
VARIANTS = f"tdvariants{_SALT}"
_SPLIT = re.compile(f"({CSRF}|{FORM_TOKEN}|{NEXT}|{NONCE}|{VARIANTS})")

MAX_ENTRIES = 256  # pages × languages × settings versions; the oldest used goes first

_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()
stats = {"hits": 0, "misses": 0}


def clear() -> None:
    with _lock:
        _entries.clear()


def settings_fingerprint(row) -> tuple:
    """Every column of the shop's settings row (currency, name, logo, country …): the page's
    layout, money formats and address labels read them."""
    return tuple(getattr(row, f.attname) for f in row._meta.concrete_fields)


def key(page, options, methods, settings_row, language: str) -> tuple:
    product, warehouse = page.product, page.warehouse
    return (
        page.pk,
        language,
        page.slug,
        page.name,
        page.image_url,
        tuple(page.payment_methods or []),
        warehouse.city if warehouse is not None else None,
        product.pk,
        product.name,
        product.description,
        tuple((o.sku, o.label, o.price, o.in_stock) for o in options),
        tuple(methods),
        settings_fingerprint(settings_row),
    )


def variants_html(options, selected_sku: str, currency: str) -> str:
    """The variants' radio list with their stock (the part rendered for every request)."""
    return get_template("storefront/_landing_variants.html").render(
        {"options": options, "selected_sku": selected_sku, "currency": currency}
    )


class _PathSentinel:
    """The request as the template sees it, whose full path is a sentinel."""

    def __init__(self, request):
        self._request = request

    def get_full_path(self):
        return NEXT

    def __getattr__(self, name):
        return getattr(self._request, name)


def template_context(request) -> dict:
    """What the cached render gets instead of the request's own values."""
    return {
        "csrf_token": CSRF,
        "request": _PathSentinel(request),
        "CSP_NONCE": NONCE,
        "variants_html": mark_safe(VARIANTS),
    }


def get(cache_key):
    with _lock:
        pieces = _entries.get(cache_key)
        if pieces is not None:
            _entries.move_to_end(cache_key)
            stats["hits"] += 1
        return pieces


def put(cache_key, html: str) -> list[str]:
    pieces = _SPLIT.split(html)
    with _lock:
        stats["misses"] += 1
        _entries[cache_key] = pieces
        _entries.move_to_end(cache_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return pieces


def assemble(pieces: list[str], request, *, form_token: str, variants: str) -> str:
    """The cached pieces with this request's tokens, path, nonce and variants."""
    values = {CSRF: None, FORM_TOKEN: form_token, NEXT: None, NONCE: None, VARIANTS: variants}
    out = []
    for piece in pieces:
        if piece in values:
            value = values[piece]
            if value is None:
                if piece == CSRF:
                    value = values[CSRF] = get_token(
                        request
                    )  # one token for both forms, as a render
                elif piece == NEXT:
                    value = values[NEXT] = escape(request.get_full_path())
                else:
                    value = values[NONCE] = str(getattr(request, "csp_nonce", ""))
            out.append(value)
        else:
            out.append(piece)
    return "".join(out)
