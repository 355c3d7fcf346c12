"""Catalog import and export by CSV or Excel (.xlsx, the first sheet): one row per variant.

Columns (the export writes the same, so an exported file imports back):
product_name, product_slug, category, description, product_active, sku, variant_name,
options ("size=M, colour=red"), price, compare_at_price, weight_grams, barcode,
variant_active, and optionally warehouse + stock_qty (goods received into that warehouse
through the stock ledger's receipt, one receipt per warehouse).

A row's product is the one with its product_slug (or, without one, the slug of its
name): it is created when new, else changed. A row's SKU that exists is changed, else
added. `import_preview` checks every row and says what would happen, writing nothing;
`import_apply` writes it in one transaction — only when every row is valid, unless the
seller chose to import only the valid rows. Messages are in the seller's language (the
active one)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tokodesk.catalog.forms import format_options, major, parse_options
from tokodesk.catalog.models import Category, Product, Variant, Warehouse
from tokodesk.catalog.services.products import BARCODE_RE, MAX_PRICE, MAX_WEIGHT, SKU_RE, _require
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.money import parse_money
from tokodesk.core.uploads import ZIP_MAGIC

COLUMNS = [
    "product_name",
    "product_slug",
    "category",
    "description",
    "product_active",
    "sku",
    "variant_name",
    "options",
    "price",
    "compare_at_price",
    "weight_grams",
    "barcode",
    "variant_active",
]
STOCK_COLUMNS = ["warehouse", "stock_qty"]
REQUIRED = {"product_name", "sku", "price"}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_QTY = 1_000_000
TRUE = {"1", "true", "yes", "y", "ya", "aktif", "active", ""}
FALSE = {"0", "false", "no", "n", "tidak", "nonaktif", "inactive"}


@dataclass
class Row:
    line: int  # the line of the file (the header is line 1)
    product_name: str = ""
    product_slug: str = ""
    category: str = ""
    description: str = ""
    product_active: bool = True
    sku: str = ""
    variant_name: str = ""
    options: dict = field(default_factory=dict)
    price: int = 0
    compare_at_price: int | None = None
    weight_grams: int = 0
    barcode: str = ""
    variant_active: bool = True
    warehouse: str = ""
    stock_qty: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[Row]
    new_products: int = 0
    changed_products: int = 0
    new_variants: int = 0
    changed_variants: int = 0
    stock_lines: int = 0
    file_errors: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    @property
    def valid_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.bad_rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError


def _bool(value: str, errors: list, label: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    errors.append(_("%(column)s must be yes or no.") % {"column": label})
    return True


def _int(
    value: str, errors: list, label: str, *, low: int, high: int, default: int | None = 0
) -> int | None:
    v = value.strip().replace(".", "").replace(",", "") if value else ""
    if not v:
        return default
    if not v.lstrip("-").isdigit() or not low <= int(v) <= high:
        errors.append(
            _("%(column)s must be a whole number from %(low)s to %(high)s.")
            % {"column": label, "low": low, "high": f"{high:,}"}
        )
        return default
    return int(v)


def _money(value: str, errors: list, label: str, currency: str, *, required: bool) -> int | None:
    try:
        amount = parse_money(value, currency)
    except ValueError:
        amount = -1
    if amount is None:
        if required:
            errors.append(_("%(column)s is required.") % {"column": label})
        return None
    if not 0 <= amount <= MAX_PRICE:
        errors.append(_("%(column)s is not an amount, like 150000.") % {"column": label})
        return None
    return amount


def _csv_lines(data: bytes):
    """(header, rows) of a CSV file; a file error is a string."""
    try:
        text = _decode(data)
    except ValueError:
        return _("The file is not a text (CSV) file.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return _("The file is empty.")
    return header, enumerate(reader, start=2)


def _xlsx_text(value) -> str:
    """A cell as the CSV would hold it: whole numbers without ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return (value.date() if value.time() == dt.time.min else value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _xlsx_lines(data: bytes):
    """(header, rows) of the workbook's first sheet, cells as text (formulas' last
    computed values, never evaluated here); a file error is a string."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl cannot read is refused, never a 500
        return _("The file is not a valid Excel workbook (.xlsx).")
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        return _("The file is empty.")
    header, body = None, []
    try:  # read here, whole (at most MAX_ROWS + 1 rows with something in them)
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            texts = [_xlsx_text(v) for v in cells]
            if header is None:
                header = texts
            elif any(t.strip() for t in texts):
                body.append((number, texts))
                if len(body) > MAX_ROWS:
                    break
    except Exception:  # noqa: BLE001 - a broken sheet part is refused, never a 500
        return _("The file is not a valid Excel workbook (.xlsx).")
    finally:
        book.close()
    if header is None:
        return _("The file is empty.")
    return header, body


def parse(data: bytes, *, currency: str = "IDR") -> Preview:
    """Every row of the file (CSV, or an .xlsx workbook's first sheet) checked on its own
    and against the others (no database)."""
    if len(data) > MAX_BYTES:
        return Preview(rows=[], file_errors=[_("The file is larger than 5 MB.")])
    lines = _xlsx_lines(data) if data.startswith(ZIP_MAGIC) else _csv_lines(data)
    if isinstance(lines, str):
        return Preview(rows=[], file_errors=[lines])
    header, body = lines
    header = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c in REQUIRED and c not in header]
    if missing:
        return Preview(
            rows=[],
            file_errors=[_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}],
        )
    index = {name: i for i, name in enumerate(header) if name in COLUMNS or name in STOCK_COLUMNS}
    rows: list[Row] = []
    try:
        for number, cells in body:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                return Preview(
                    rows=[],
                    file_errors=[
                        _("At most %(count)s rows per file.") % {"count": f"{MAX_ROWS:,}"}
                    ],
                )
            rows.append(
                _row(
                    number,
                    {k: (cells[i] if i < len(cells) else "") for k, i in index.items()},
                    currency,
                )
            )
    except csv.Error:
        return Preview(rows=[], file_errors=[_("The file is not a valid CSV file.")])
    _cross_check(rows)
    return Preview(rows=rows)


def _row(number: int, cells: dict, currency: str) -> Row:
    r = Row(line=number)
    e = r.errors
    r.product_name = cells.get("product_name", "").strip()
    if not r.product_name:
        e.append(_("product_name is required."))
    elif len(r.product_name) > 200:
        e.append(_("product_name is longer than 200 characters."))
    r.product_slug = cells.get("product_slug", "").strip()
    if r.product_slug and (len(r.product_slug) > 100 or slugify(r.product_slug) != r.product_slug):
        e.append(_("product_slug may hold only lower-case letters, digits and hyphens."))
    r.product_slug = r.product_slug or slugify(r.product_name)[:90] or "product"
    r.category = cells.get("category", "").strip()[:100]
    r.description = cells.get("description", "").strip()[:20000]
    r.product_active = _bool(cells.get("product_active", ""), e, "product_active")
    r.sku = cells.get("sku", "").strip()
    if not r.sku:
        e.append(_("sku is required."))
    elif len(r.sku) > 64 or not SKU_RE.match(r.sku):
        e.append(
            _("SKU “%(sku)s” may hold only letters, digits and . _ / - (at most 64).")
            % {"sku": r.sku[:70]}
        )
    r.variant_name = cells.get("variant_name", "").strip()[:200]
    try:
        r.options = parse_options(cells.get("options", ""))
    except ValueError:
        e.append(_("options must be written as name=value, separated by commas."))
    r.price = _money(cells.get("price", ""), e, "price", currency, required=True) or 0
    r.compare_at_price = _money(
        cells.get("compare_at_price", ""), e, "compare_at_price", currency, required=False
    )
    if r.compare_at_price is not None and r.compare_at_price <= r.price:
        e.append(_("compare_at_price must be above the price."))
    r.weight_grams = _int(cells.get("weight_grams", ""), e, "weight_grams", low=0, high=MAX_WEIGHT)
    r.barcode = cells.get("barcode", "").strip()
    if len(r.barcode) > 64 or not BARCODE_RE.match(r.barcode):
        e.append(_("barcode may hold only letters and digits (at most 64)."))
    r.variant_active = _bool(cells.get("variant_active", ""), e, "variant_active")
    r.warehouse = cells.get("warehouse", "").strip().lower()
    r.stock_qty = _int(cells.get("stock_qty", ""), e, "stock_qty", low=0, high=MAX_QTY)
    if r.stock_qty and not r.warehouse:
        e.append(_("stock_qty needs a warehouse."))
    if not r.variant_name and r.options:
        r.variant_name = " / ".join(r.options.values())[:200]
    return r


def _cross_check(rows: list[Row]) -> None:
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
    for r in rows:
        if r.sku:
            key = r.sku.upper()
            if key in seen:
                r.errors.append(
                    _("SKU %(sku)s is also on line %(line)s.") % {"sku": r.sku, "line": seen[key]}
                )
            else:
                seen[key] = r.line
        if r.product_name and names.setdefault(r.product_slug, r.product_name) != r.product_name:
            r.errors.append(
                _("Product %(slug)s has another name on an earlier line.")
                % {"slug": r.product_slug}
            )


def check_against_database(preview: Preview) -> Preview:
    """Rows whose SKU belongs to another product or whose warehouse is unknown get an
    error; the counts say what the import would do."""
    rows = preview.rows
    skus = [r.sku for r in rows if r.sku]
    existing: dict[str, tuple[int, str]] = {}
    for i in range(0, len(skus), 900):
        for sku, pid, slug in Variant.objects.filter(sku__in=skus[i : i + 900]).values_list(
            "sku", "product_id", "product__slug"
        ):
            existing[sku.upper()] = (pid, slug)
    slugs = {r.product_slug for r in rows}
    products = set()
    slug_list = list(slugs)
    for i in range(0, len(slug_list), 900):
        products |= set(
            Product.objects.filter(slug__in=slug_list[i : i + 900]).values_list("slug", flat=True)
        )
    warehouses = dict(Warehouse.objects.values_list("code", "active"))
    new_products, changed_products = set(), set()
    preview.new_variants = preview.changed_variants = preview.stock_lines = 0
    for r in rows:
        found = existing.get(r.sku.upper())
        if found and found[1] != r.product_slug:
            r.errors.append(
                _("SKU %(sku)s belongs to another product (%(slug)s).")
                % {"sku": r.sku, "slug": found[1]}
            )
        if r.warehouse and r.warehouse not in warehouses:
            r.errors.append(_("Unknown warehouse “%(code)s”.") % {"code": r.warehouse[:30]})
        elif r.warehouse and not warehouses[r.warehouse]:
            r.errors.append(_("Warehouse “%(code)s” is inactive.") % {"code": r.warehouse})
        if r.errors:
            continue
        (changed_products if r.product_slug in products else new_products).add(r.product_slug)
        if found:
            preview.changed_variants += 1
        else:
            preview.new_variants += 1
        if r.stock_qty:
            preview.stock_lines += 1
    preview.new_products, preview.changed_products = len(new_products), len(changed_products)
    return preview


def import_preview(*, data: bytes, actor, currency: str = "IDR") -> Preview:
    """What the file would do; writes nothing."""
    _require(actor, "catalog.add_product")
    preview = parse(data, currency=currency)
    if not preview.file_errors:
        check_against_database(preview)
    return preview


def _receive(actor, warehouse: str, lines: list[dict]):
    try:
        from tokodesk.catalog.services.stock_ops import receive_stock
    except ImportError:  # the stock ledger's operations are not there: stock is skipped
        return None
    return receive_stock(actor=actor, warehouse=warehouse, lines=lines, note=_("Catalog import"))


@transaction.atomic
def import_apply(*, data: bytes, actor, only_valid: bool = False, currency: str = "IDR") -> Preview:
    """Write the file in one transaction. With a bad row and not only_valid: nothing is
    written and the preview comes back with its errors (ValidationFailed is not raised, the
    page shows the rows)."""
    _require(actor, "catalog.add_product")
    _require(actor, "catalog.change_product")
    preview = parse(data, currency=currency)
    if preview.file_errors:
        return preview
    check_against_database(preview)
    if preview.bad_rows and not only_valid:
        return preview
    rows = preview.valid_rows
    if not rows:
        return preview
    categories = {c.name.lower(): c for c in Category.objects.all()}

    def category(name):
        if not name:
            return None
        if name.lower() not in categories:
            categories[name.lower()] = Category.objects.create(name=name)
        return categories[name.lower()]

    by_slug: dict[str, list[Row]] = {}
    for r in rows:
        by_slug.setdefault(r.product_slug, []).append(r)
    products = {
        p.slug: p for p in Product.objects.select_for_update().filter(slug__in=list(by_slug))
    }
    for slug, group in by_slug.items():
        first = group[0]
        product = products.get(slug)
        if product is None:
            products[slug] = Product.objects.create(
                name=first.product_name,
                slug=slug,
                description=first.description,
                category=category(first.category),
                active=first.product_active,
            )
        else:
            product.name = first.product_name
            product.active = first.product_active
            if first.description:
                product.description = first.description
            if first.category:
                product.category = category(first.category)
            product.version += 1
            product.save()
    skus = [r.sku for r in rows]
    existing = {}
    for i in range(0, len(skus), 900):
        for v in Variant.objects.select_for_update().filter(sku__in=skus[i : i + 900]):
            existing[v.sku.upper()] = v
    new, changed = [], []
    for r in rows:
        v = existing.get(r.sku.upper())
        values = {
            "name": r.variant_name,
            "options": r.options,
            "price": r.price,
            "compare_at_price": r.compare_at_price,
            "weight_grams": r.weight_grams,
            "barcode": r.barcode,
            "active": r.variant_active,
        }
        if v is None:
            new.append(Variant(product=products[r.product_slug], sku=r.sku, **values))
        else:
            for k, val in values.items():
                setattr(v, k, val)
            changed.append(v)
    Variant.objects.bulk_create(new, batch_size=500)
    Variant.objects.bulk_update(
        changed,
        ["name", "options", "price", "compare_at_price", "weight_grams", "barcode", "active"],
        batch_size=500,
    )
    receipts: dict[str, list[dict]] = {}
    for r in rows:
        if r.stock_qty:
            receipts.setdefault(r.warehouse, []).append({"sku": r.sku, "qty": r.stock_qty})
    for code, lines in receipts.items():
        _receive(actor, code, lines)
    return preview


# --- export -----------------------------------------------------------------------------

FORMULA_STARTS = frozenset("=+-@\t\r")


def safe_text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text and text[0] in FORMULA_STARTS else text


def export_values(currency: str = "IDR"):
    """The header then one row per variant, in the import's columns, as values: text,
    whole numbers (weight), amounts as typed (text, e.g. "150000" or "12.50")."""
    yield COLUMNS
    variants = (
        Variant.objects.select_related("product__category")
        .order_by("product__name", "product_id", "sku")
        .iterator(chunk_size=2000)
    )
    for v in variants:
        p = v.product
        yield [
            p.name,
            p.slug,
            p.category.name if p.category_id else "",
            p.description,
            "yes" if p.active else "no",
            v.sku,
            v.name,
            format_options(v.options),
            major(v.price, currency),
            major(v.compare_at_price, currency),
            v.weight_grams,
            v.barcode,
            "yes" if v.active else "no",
        ]


AMOUNT_COLUMNS = (COLUMNS.index("price"), COLUMNS.index("compare_at_price"))


def export_rows(currency: str = "IDR"):
    """The CSV's cells: every value as text, a formula-looking one prefixed with "'"."""
    for row in export_values(currency):
        yield [safe_text(x) for x in row]


def export_xlsx(currency: str = "IDR"):
    """The same rows as an .xlsx workbook (a temporary file): amounts and weights as
    numbers, text as text (never a formula)."""
    from tokodesk.catalog import xlsx

    def typed():
        rows = export_values(currency)
        yield next(rows)
        for row in rows:
            for i in AMOUNT_COLUMNS:
                row[i] = decimal.Decimal(row[i]) if row[i] not in ("", None) else None
            yield row

    return xlsx.workbook_file(typed(), title="catalog")


def export_csv(currency: str = "IDR") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in export_rows(currency):
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def validation_error(preview: Preview) -> ValidationFailed:
    """For callers that want an exception (the API)."""
    fields = {f"line.{r.line}": " ".join(r.errors) for r in preview.bad_rows[:50]}
    return ValidationFailed(
        "invalid_input",
        preview.file_errors[0]
        if preview.file_errors
        else _("%(count)s rows are not valid.") % {"count": len(preview.bad_rows)},
        fields=fields,
    )
