"""The landing page's GET rendered once per process and content (issue 16: a flash sale).

Every buyer of a flash sale loads the page: its full render (the base layout, the form's
widgets, the shop's profile, the methods' hints) cost more CPU than the order itself. What
a fresh page shows depends only on the page, its product, the variants' names and prices,
whether any is in stock, the page's payment methods, the shop's settings and the language;
the rest is per request: the CSRF token, the form's one-time token, the language form's
`next` path, a CSP nonce if a template asks for one, and the variants' stock.

So the page is rendered once with sentinels in those places, cut at the sentinels, and kept
under a key made of the VALUES read by this request (never a version that a missed signal
could leave stale): a change to any of them is a new key. Each request reads the page and
its variants' availability (`read`: two plain statements) and the payment methods, takes the
shop's settings row of its process (core.shop_locale.request_row), renders the small variants list
(`_landing_variants.html`: stock, "Only 3 left", the first in stock checked) and joins the
pieces with its own tokens. A nonce is asked of django-csp only when a cached piece holds
one (as a template that prints it would), so the CSP header is the one the full render
sends."""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db import connection
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


@dataclass(frozen=True)
class Option:
    """A variant as the page shows it (services.VariantOption's shown fields)."""

    sku: str
    label: str
    price: int
    available: int

    @property
    def in_stock(self) -> bool:
        return self.available > 0


@dataclass
class State:
    """What the page shows of its rows, read by `read()` (two statements) or taken from the
    model instances a full render used (`state_of`): both give the same key."""

    pk: int
    slug: str
    name: str
    image_url: str
    payment_methods: tuple
    warehouse_city: str | None
    product_pk: int
    product_name: str
    product_description: str
    options: list

    def key_part(self) -> tuple:
        return (
            self.pk,
            self.slug,
            self.name,
            self.image_url,
            self.payment_methods,
            self.warehouse_city,
            self.product_pk,
            self.product_name,
            self.product_description,
            tuple((o.sku, o.label, o.price, o.in_stock) for o in self.options),
        )


def state_of(page, options) -> State:
    product, warehouse = page.product, page.warehouse
    return State(
        page.pk,
        page.slug,
        page.name,
        page.image_url,
        tuple(page.payment_methods or []),
        warehouse.city if warehouse is not None else None,
        product.pk,
        product.name,
        product.description,
        [Option(o.sku, o.label, o.price, o.available) for o in options],
    )


def read(slug: str) -> State | None:
    """The active page `slug` (of an active product) and its active variants with what each
    has available (services.variant_options: the most of one stock row in the page's
    warehouse, else in any active warehouse; never below 0), in two plain statements: the
    ORM's compiling of the same reads cost more CPU than the whole cached page."""
    from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
    from tokodesk.storefront.models import LandingPage

    q = connection.ops.quote_name
    page_t, product_t = q(LandingPage._meta.db_table), q(Product._meta.db_table)
    variant_t, stock_t, warehouse_t = (
        q(Variant._meta.db_table),
        q(Stock._meta.db_table),
        q(Warehouse._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.{q('id')}, p.{q('slug')}, p.{q('name')}, p.{q('image_url')}, p.{q('payment_methods')}, "
            f"p.{q('warehouse_id')}, w.{q('city')}, r.{q('id')}, r.{q('name')}, r.{q('description')} "
            f"FROM {page_t} p INNER JOIN {product_t} r ON r.{q('id')} = p.{q('product_id')} "
            f"LEFT OUTER JOIN {warehouse_t} w ON w.{q('id')} = p.{q('warehouse_id')} "
            f"WHERE p.{q('slug')} = %s AND p.{q('active')} AND r.{q('active')}",
            [slug],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        (
            page_id,
            slug,
            name,
            image_url,
            methods,
            warehouse_id,
            city,
            product_id,
            product_name,
            description,
        ) = row
        in_warehouse = f" AND s.{q('warehouse_id')} = %s" if warehouse_id else ""
        cursor.execute(
            f"SELECT v.{q('sku')}, v.{q('name')}, v.{q('price')}, "
            f"(SELECT MAX(s.{q('on_hand')} - s.{q('reserved')}) FROM {stock_t} s "
            f"INNER JOIN {warehouse_t} h ON h.{q('id')} = s.{q('warehouse_id')} "
            f"WHERE s.{q('variant_id')} = v.{q('id')} AND h.{q('active')}{in_warehouse}) "
            f"FROM {variant_t} v WHERE v.{q('product_id')} = %s AND v.{q('active')} "
            f"ORDER BY v.{q('price')}, v.{q('sku')}",
            [warehouse_id, product_id] if warehouse_id else [product_id],
        )
        variants = cursor.fetchall()
    methods = LandingPage._meta.get_field("payment_methods").from_db_value(
        methods, None, connection
    )
    return State(
        page_id,
        slug,
        name,
        image_url,
        tuple(methods or []),
        city if warehouse_id else None,
        product_id,
        product_name,
        description,
        [
            Option(sku, vname or product_name, price, max(available or 0, 0))
            for sku, vname, price, available in variants
        ],
    )


def key(state: State, methods, settings_row, language: str) -> tuple:
    return (language, state.key_part(), tuple(methods), settings_fingerprint(settings_row))


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
