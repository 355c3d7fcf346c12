"""Products, variants, categories, pictures and warehouses: every write of the catalog.

The API (catalog/api.py), the pages (catalog/views/) and the CSV import
(catalog/services/importing.py) call these with plain values; bad input is refused with
422 naming the field ("variants.0.sku"), a taken SKU/slug/code and a warehouse still in
use with 409. What the seller sees:
- a product always has at least one variant; its slug is made from its name when none is
  given, and stays when the name changes;
- a variant that has orders is never deleted, only deactivated (so old orders keep it);
- a warehouse with stock (on hand or reserved) or open orders cannot be deactivated.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Category, Product, ProductImage, Stock, Variant, Warehouse
from tokodesk.core import shop_locale
from tokodesk.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)

MAX_PRICE = 10**13  # minor units; far above any real price, far below BIGINT
MAX_WEIGHT = 1_000_000  # grams
MAX_OPTIONS = 10
MAX_VARIANTS = 500
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
BARCODE_RE = re.compile(r"^[A-Za-z0-9-]*$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,30}$")
THUMB_SIZE = (320, 320)


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied("permission_denied", _("You are not allowed to change the catalog."))


# --- input ------------------------------------------------------------------------------


@dataclass
class VariantInput:
    sku: str
    price: int
    name: str = ""
    weight_grams: int = 0
    options: dict = field(default_factory=dict)
    compare_at_price: int | None = None
    barcode: str = ""
    active: bool = True
    id: int | None = None
    # Issue 17: shipping records each unit's serial number; returns pick among them.
    serial_tracked: bool = False


@dataclass
class ProductInput:
    name: str
    variants: list[VariantInput]
    slug: str = ""
    description: str = ""
    category: str = ""  # the category's name; made when new
    active: bool = True


def _clean_text(value, limit: int) -> str:
    return str(value or "").strip()[:limit] if value is not None else ""


def _clean_variant(v: VariantInput, prefix: str, errors: dict) -> None:
    """Normalise v in place; messages into errors under prefix + field."""
    v.sku = str(v.sku or "").strip()
    if not v.sku:
        errors[f"{prefix}sku"] = _("Enter a SKU.")
    elif len(v.sku) > 64:
        errors[f"{prefix}sku"] = _("At most 64 characters.")
    elif not SKU_RE.match(v.sku):
        errors[f"{prefix}sku"] = _("Use letters, digits and . _ / - only.")
    v.name = _clean_text(v.name, 200)
    if type(v.price) is not int or not 0 <= v.price <= MAX_PRICE:
        errors[f"{prefix}price"] = _("Enter a price of 0 or more.")
    if v.compare_at_price is not None:
        if type(v.compare_at_price) is not int or not 0 <= v.compare_at_price <= MAX_PRICE:
            errors[f"{prefix}compare_at_price"] = _("Enter a price of 0 or more.")
        elif type(v.price) is int and v.compare_at_price <= v.price:
            errors[f"{prefix}compare_at_price"] = _("The compare-at price must be above the price.")
    if type(v.weight_grams) is not int or not 0 <= v.weight_grams <= MAX_WEIGHT:
        errors[f"{prefix}weight_grams"] = _("Enter a weight between 0 and 1,000,000 grams.")
    v.barcode = _clean_text(v.barcode, 100)
    if len(v.barcode) > 64 or not BARCODE_RE.match(v.barcode):
        errors[f"{prefix}barcode"] = _("Use at most 64 letters and digits.")
    options = v.options or {}
    if not isinstance(options, dict) or len(options) > MAX_OPTIONS:
        errors[f"{prefix}options"] = _("At most 10 options, each a name and a value.")
    else:
        clean = {}
        for key, value in options.items():
            k, val = str(key).strip()[:50], str(value if value is not None else "").strip()[:100]
            if not k or not val or isinstance(value, (dict, list)):
                errors[f"{prefix}options"] = _("Each option needs a name and a value.")
                break
            clean[k] = val
        v.options = clean
    if not v.name and v.options and f"{prefix}options" not in errors:
        v.name = " / ".join(v.options.values())[:200]


def _clean_variants(variants: list[VariantInput], errors: dict, *, prefix="variants") -> None:
    if len(variants) > MAX_VARIANTS:
        errors[prefix] = _("At most 500 variants.")
        return
    seen: dict[str, int] = {}
    for i, v in enumerate(variants):
        _clean_variant(v, f"{prefix}.{i}.", errors)
        key = v.sku.upper()
        if v.sku and key in seen and f"{prefix}.{i}.sku" not in errors:
            errors[f"{prefix}.{i}.sku"] = _("This SKU appears twice.")
        seen.setdefault(key, i)


def _check_skus_free(
    variants: list[VariantInput], *, product_id: int | None, prefix="variants"
) -> None:
    skus = [v.sku for v in variants if v.sku]
    taken = Variant.objects.filter(sku__in=skus)
    if product_id is not None:
        taken = taken.exclude(product_id=product_id)
    taken = set(taken.values_list("sku", flat=True))
    if taken:
        fields = {
            f"{prefix}.{i}.sku": _("SKU %(sku)s is already used by another product.")
            % {"sku": v.sku}
            for i, v in enumerate(variants)
            if v.sku in taken
        }
        raise Conflict("sku_taken", _("A SKU is already used by another product."), fields=fields)


def _category(name: str) -> Category | None:
    name = _clean_text(name, 100)
    if not name:
        return None
    found = Category.objects.filter(name__iexact=name).first()
    return found or Category.objects.create(name=name)


def _unique_slug(base: str, *, exclude_id: int | None = None) -> str:
    base = slugify(base)[:90].strip("-") or "product"
    qs = Product.objects.all()
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    taken = set(
        qs.filter(Q(slug=base) | Q(slug__startswith=f"{base}-")).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _clean_slug(slug: str, errors: dict) -> str:
    slug = str(slug or "").strip()
    if slug and (len(slug) > 100 or slugify(slug) != slug):
        errors["slug"] = _("Use lower-case letters, digits and hyphens only.")
    return slug


# --- products ---------------------------------------------------------------------------


@transaction.atomic
def product_create(*, data: ProductInput, actor) -> Product:
    """A new product with its variants (at least one)."""
    _require(actor, "catalog.add_product")
    errors: dict = {}
    name = _clean_text(data.name, 300)
    if not name:
        errors["name"] = _("Enter the product's name.")
    elif len(name) > 200:
        errors["name"] = _("At most 200 characters.")
    slug = _clean_slug(data.slug, errors)
    if not data.variants:
        errors["variants"] = _("Add at least one variant.")
    _clean_variants(data.variants, errors)
    if errors:
        raise ValidationFailed("invalid_input", _("Check the highlighted fields."), fields=errors)
    if slug and Product.objects.filter(slug=slug).exists():
        raise Conflict(
            "slug_taken",
            _("Another product already has this address."),
            fields={"slug": _("Already used.")},
        )
    _check_skus_free(data.variants, product_id=None)
    product = Product.objects.create(
        name=name,
        slug=slug or _unique_slug(name),
        description=_clean_text(data.description, 20000),
        category=_category(data.category),
        active=bool(data.active),
    )
    try:
        with transaction.atomic():
            Variant.objects.bulk_create([_variant(product, v) for v in data.variants])
    except IntegrityError:  # a concurrent request took a SKU between the check and the insert
        raise Conflict("sku_taken", _("A SKU is already used by another product.")) from None
    return product


def _variant(product: Product, v: VariantInput) -> Variant:
    return Variant(
        product=product,
        sku=v.sku,
        name=v.name,
        price=v.price,
        compare_at_price=v.compare_at_price,
        options=v.options,
        barcode=v.barcode,
        weight_grams=v.weight_grams,
        active=bool(v.active),
        serial_tracked=bool(v.serial_tracked),
    )


PRODUCT_FIELDS = ("name", "slug", "description", "category", "active")


@transaction.atomic
def product_update(
    *,
    product_id: int,
    actor,
    changes: dict,
    expected_version: int | None = None,
    remove_variant_ids: tuple = (),
) -> Product:
    """Change a product's fields and its variants. `changes["variants"]` (VariantInput
    list) updates the variants it names (by id, else by SKU) and adds the others; variants
    it does not name stay as they are. `remove_variant_ids` are deleted when they have no
    orders, else deactivated."""
    _require(actor, "catalog.change_product")
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound("not_found", _("Product not found."))
    if expected_version is not None and expected_version != product.version:
        raise StaleVersion(
            "stale_version",
            _("Someone changed this product meanwhile; reload and try again."),
            fields={"version": _("Now %(version)s.") % {"version": product.version}},
        )
    errors: dict = {}
    if "name" in changes:
        name = _clean_text(changes["name"], 300)
        if not name:
            errors["name"] = _("Enter the product's name.")
        elif len(name) > 200:
            errors["name"] = _("At most 200 characters.")
        product.name = name
    if "slug" in changes:
        slug = _clean_slug(changes["slug"], errors)
        if not slug and "slug" not in errors:
            errors["slug"] = _("Enter an address.")
        elif (
            slug != product.slug
            and Product.objects.filter(slug=slug).exclude(pk=product.pk).exists()
        ):
            raise Conflict(
                "slug_taken",
                _("Another product already has this address."),
                fields={"slug": _("Already used.")},
            )
        product.slug = slug
    if "description" in changes:
        product.description = _clean_text(changes["description"], 20000)
    if "active" in changes:
        product.active = bool(changes["active"])
    variants = changes.get("variants")
    if variants is not None:
        _clean_variants(variants, errors)
    if errors:
        raise ValidationFailed("invalid_input", _("Check the highlighted fields."), fields=errors)
    if "category" in changes:
        product.category = _category(changes["category"] or "")
    product.version = F("version") + 1
    product.save()
    product.refresh_from_db(fields=["version"])
    if variants is not None:
        _save_variants(product, variants)
    for vid in remove_variant_ids:
        variant_remove(variant_id=vid, actor=None, product_id=product.pk)
    if not Variant.objects.filter(product=product).exists():
        raise ValidationFailed(
            "invalid_input",
            _("Add at least one variant."),
            fields={"variants": _("Add at least one variant.")},
        )
    return product


def _save_variants(product: Product, variants: list[VariantInput]) -> None:
    _check_skus_free(variants, product_id=product.pk)
    existing = {v.pk: v for v in Variant.objects.select_for_update().filter(product=product)}
    by_sku = {v.sku.upper(): v for v in existing.values()}
    new, changed = [], []
    for i, data in enumerate(variants):
        current = existing.get(data.id) if data.id else by_sku.get(data.sku.upper())
        if data.id and current is None:
            raise ValidationFailed(
                "invalid_input",
                _("Check the highlighted fields."),
                fields={f"variants.{i}.id": _("Not a variant of this product.")},
            )
        if current is None:
            new.append(_variant(product, data))
            continue
        if (
            current.sku != data.sku
            and data.sku.upper() in by_sku
            and by_sku[data.sku.upper()].pk != current.pk
        ):
            raise Conflict(
                "sku_taken",
                _("A SKU is already used by another variant."),
                fields={f"variants.{i}.sku": _("Already used.")},
            )
        for attr in (
            "sku",
            "name",
            "price",
            "compare_at_price",
            "options",
            "barcode",
            "weight_grams",
            "active",
            "serial_tracked",
        ):
            setattr(current, attr, getattr(data, attr))
        changed.append(current)
    try:
        with transaction.atomic():
            if changed:
                # Two variants swapping SKUs would collide on the unique index mid-update.
                Variant.objects.bulk_update(
                    changed,
                    [
                        "sku",
                        "name",
                        "price",
                        "compare_at_price",
                        "options",
                        "barcode",
                        "weight_grams",
                        "active",
                        "serial_tracked",
                    ],
                )
            if new:
                Variant.objects.bulk_create(new)
    except IntegrityError:
        raise Conflict("sku_taken", _("A SKU is already used by another variant.")) from None


@transaction.atomic
def variant_remove(*, variant_id: int, actor, product_id: int | None = None) -> str:
    """Delete a variant that never sold ("deleted"); one with orders, stock movements or
    stock is only deactivated ("deactivated")."""
    _require(actor, "catalog.change_product")
    qs = Variant.objects.select_for_update().filter(pk=variant_id)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    variant = qs.first()
    if variant is None:
        raise NotFound("not_found", _("Variant not found."))
    if Stock.objects.filter(variant=variant).filter(Q(on_hand__gt=0) | Q(reserved__gt=0)).exists():
        Variant.objects.filter(pk=variant.pk).update(active=False)
        return "deactivated"
    try:
        with transaction.atomic():
            Stock.objects.filter(variant=variant).delete()
            variant.delete()
            return "deleted"
    except (ProtectedError, IntegrityError):  # order lines, movements, receipts … keep it
        Variant.objects.filter(pk=variant.pk).update(active=False)
        return "deactivated"


@transaction.atomic
def variant_set_active(*, sku: str, active: bool, actor) -> Variant:
    _require(actor, "catalog.change_product")
    variant = Variant.objects.select_for_update().filter(sku=sku).first()
    if variant is None:
        raise NotFound("not_found", _("Unknown SKU %(sku)s.") % {"sku": str(sku)[:64]})
    variant.active = active
    variant.save(update_fields=["active"])
    Product.objects.filter(pk=variant.product_id).update(version=F("version") + 1)
    return variant


# --- pictures -------------------------------------------------------------------------


def _thumbnail(data: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        im.thumbnail(THUMB_SIZE)
        if im.mode not in ("RGB", "L"):
            background = Image.new("RGB", im.size, "white")
            im = im.convert("RGBA")
            background.paste(im, mask=im.split()[-1])
            im = background
        out = io.BytesIO()
        im.save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()


@transaction.atomic
def product_image_add(*, product_id: int, file, actor) -> ProductImage:
    """A picture of the product through the safe upload path, with a 320 px thumbnail."""
    from tokodesk.core.uploads import IMAGES, clean_upload

    _require(actor, "catalog.change_product")
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound("not_found", _("Product not found."))
    upload = clean_upload(file, field="image", allowed=IMAGES)
    data = upload.read()
    upload.seek(0)
    position = product.images.count()
    image = ProductImage(product=product, position=position)
    image.image.save(upload.name, upload, save=False)
    stem = upload.name.rsplit(".", 1)[0]
    image.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(_thumbnail(data)), save=False)
    image.save()
    return image


@transaction.atomic
def product_image_delete(*, image_id: int, product_id: int, actor) -> None:
    _require(actor, "catalog.change_product")
    image = ProductImage.objects.filter(pk=image_id, product_id=product_id).first()
    if image is None:
        raise NotFound("not_found", _("Not found."))
    names = [
        (image.image.storage, image.image.name),
        (image.thumbnail.storage, image.thumbnail.name),
    ]
    image.delete()

    def _remove():
        for storage, name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(_remove)


# --- warehouses -----------------------------------------------------------------------


WAREHOUSE_FIELDS = ("code", "name", "address", "city", "district", "phone", "active")


def _clean_warehouse(values: dict, errors: dict) -> dict:
    out = {}
    if "code" in values:
        code = str(values["code"] or "").strip().lower()
        if not code:
            errors["code"] = _("Enter a short code, like jkt.")
        elif len(code) > 30 or slugify(code) != code:
            errors["code"] = _("Use at most 30 lower-case letters, digits and hyphens.")
        out["code"] = code
    if "name" in values:
        name = _clean_text(values["name"], 200)
        if not name:
            errors["name"] = _("Enter the warehouse's name.")
        elif len(name) > 100:
            errors["name"] = _("At most 100 characters.")
        out["name"] = name
    for key, limit in (("address", 2000), ("city", 100), ("district", 100)):
        if key in values:
            out[key] = _clean_text(values[key], limit)
    if "phone" in values:
        phone = _clean_text(values["phone"], 40)
        if phone and not PHONE_RE.match(phone):
            errors["phone"] = _("Enter a phone number, like %(example)s.") % {
                "example": shop_locale.phone_example()
            }
        out["phone"] = phone
    if "active" in values:
        out["active"] = bool(values["active"])
    return out


@transaction.atomic
def warehouse_create(*, actor, **values) -> Warehouse:
    _require(actor, "catalog.add_warehouse")
    errors: dict = {}
    values.setdefault("code", "")
    values.setdefault("name", "")
    data = _clean_warehouse(values, errors)
    if errors:
        raise ValidationFailed("invalid_input", _("Check the highlighted fields."), fields=errors)
    if Warehouse.objects.filter(code=data["code"]).exists():
        raise Conflict(
            "code_taken",
            _("Another warehouse already has this code."),
            fields={"code": _("Already used.")},
        )
    return Warehouse.objects.create(**data)


# What else keeps a warehouse in use, registered by the apps built on the catalog (orders
# registers its open orders in OrdersConfig.ready): the catalog imports none of them.
WAREHOUSE_USES: dict[str, Callable[[Warehouse], int]] = {}


def register_warehouse_use(name: str, count: Callable[[Warehouse], int]) -> None:
    WAREHOUSE_USES[name] = count


def warehouse_in_use(warehouse: Warehouse) -> dict:
    """What keeps the warehouse from being deactivated: stock rows with goods, open orders."""
    stock = Stock.objects.filter(warehouse=warehouse).filter(Q(on_hand__gt=0) | Q(reserved__gt=0))
    use = {"stock": stock.count(), "orders": 0}
    use.update({name: count(warehouse) for name, count in WAREHOUSE_USES.items()})
    return use


@transaction.atomic
def warehouse_update(*, warehouse_id: int, actor, changes: dict) -> Warehouse:
    _require(actor, "catalog.change_warehouse")
    warehouse = Warehouse.objects.select_for_update().filter(pk=warehouse_id).first()
    if warehouse is None:
        raise NotFound("not_found", _("Warehouse not found."))
    errors: dict = {}
    data = _clean_warehouse({k: v for k, v in changes.items() if k in WAREHOUSE_FIELDS}, errors)
    if errors:
        raise ValidationFailed("invalid_input", _("Check the highlighted fields."), fields=errors)
    if (
        data.get("code")
        and data["code"] != warehouse.code
        and Warehouse.objects.filter(code=data["code"]).exists()
    ):
        raise Conflict(
            "code_taken",
            _("Another warehouse already has this code."),
            fields={"code": _("Already used.")},
        )
    if warehouse.active and data.get("active") is False:
        use = warehouse_in_use(warehouse)
        if any(use.values()):
            raise Conflict(
                "warehouse_in_use",
                _(
                    "This warehouse still holds stock of %(stock)s variants and %(orders)s open orders: "
                    "transfer the stock and finish or move the orders first."
                )
                % use,
                fields={"active": _("Still in use.")},
            )
    for key, value in data.items():
        setattr(warehouse, key, value)
    warehouse.save()
    return warehouse
