from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tokodesk.core.models import TimeStampedModel


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.TextField(_("address"), blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    district = models.CharField(_("district"), max_length=100, blank=True, default="")
    phone = models.CharField(_("contact phone"), max_length=30, blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Category(models.Model):
    """The shop's own list of product categories (Madu, Kosmetik …)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Product(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products",
        verbose_name=_("category"),
    )
    active = models.BooleanField(default=True)
    # Optimistic concurrency for PATCH (If-Match / version), as for orders.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name", "id"], name="product_name_id"),
            # The few inactive products: the nav's low-stock count leaves their stock out
            # by reading this, not every product (selectors.low_stock_count).
            models.Index(fields=["id"], condition=Q(active=False), name="product_inactive"),
        ]

    def __str__(self):
        return self.name


class ProductImage(models.Model):
    """A picture of a product, stored through core/uploads.clean_upload (type from its
    content, re-encoded, no metadata) with a small JPEG thumbnail made by Pillow."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("image"), upload_to="product-images/%Y/%m/", max_length=200)
    thumbnail = models.FileField(upload_to="product-images/thumbs/%Y/%m/", blank=True, max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["product_id", "position", "id"]

    def __str__(self):
        return self.image.name


class Variant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("variant"), max_length=200, blank=True, default="")
    price = models.BigIntegerField(_("price"))  # minor units of the shop currency
    # Shown struck through beside the price; must be above it when set.
    compare_at_price = models.BigIntegerField(_("compare-at price"), null=True, blank=True)
    # Option values, e.g. {"size": "M", "colour": "red"}.
    options = models.JSONField(_("options"), default=dict, blank=True)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True, default="")
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    # Serial-tracked (issue 17, InvenTree): shipping records each unit's serial number and a
    # return of it names the serials sold on its order.
    serial_tracked = models.BooleanField(_("serial numbers tracked"), default=False)
    # A variant that has orders is never deleted, only deactivated.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["product_id", "sku"]
        # The few inactive variants (see Product's product_inactive).
        indexes = [models.Index(fields=["id"], condition=Q(active=False), name="variant_inactive")]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_gte_0"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=0),
                name="variant_compare_at_gte_0",
            ),
        ]

    def __str__(self):
        return f"{self.product.name} {self.name}".strip()

    @property
    def display_name(self) -> str:
        return f"{self.product.name} – {self.name}" if self.name else self.product.name


class Stock(models.Model):
    """Stock of one variant in one warehouse. The database itself refuses a reservation
    above what is on hand or a negative count."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    # Below (or at) this many available the stock row counts as running low.
    reorder_point = models.PositiveIntegerField(_("reorder point"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "warehouse"], name="stock_variant_warehouse"
            ),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_lte_on_hand"
            ),
        ]
        # The low-stock count on every page's nav reads only the rows with a reorder point
        # (18 → 3 ms at 50,000 stock rows on SQLite, bench/measure_catalog.py).
        indexes = [
            models.Index(
                fields=["variant"], condition=Q(reorder_point__gt=0), name="stock_reorder_point"
            )
        ]

    def __str__(self):
        return f"{self.variant_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


# --- The stock ledger --------------------------------------------------------------------
# Every change of Stock.on_hand / Stock.reserved is a StockMovement written in the same
# transaction (catalog/services/ledger.py). on_hand of a stock row == the sum of its
# movements' on_hand_change, and reserved == the sum of reserved_change
# (`tokodesk check_stock` verifies it).


class AdjustmentReason(models.Model):
    """Owner-managed list of reasons for a manual adjustment (damaged, lost, found, sample …)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class StockReceipt(models.Model):
    """Goods received into a warehouse (from a supplier, or opening stock)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    supplier = models.CharField(_("supplier"), max_length=200, blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"RCV-{self.pk:06d}"


class StockReceiptLine(models.Model):
    receipt = models.ForeignKey(StockReceipt, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    qty = models.PositiveIntegerField(_("quantity"))
    unit_cost = models.BigIntegerField(_("unit cost"), null=True, blank=True)  # minor units

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="receipt_line_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(unit_cost__isnull=True) | Q(unit_cost__gte=0),
                name="receipt_line_cost_gte_0",
            ),
        ]

    def __str__(self):
        return f"{self.receipt_id}: {self.variant_id}"


class StockAdjustment(models.Model):
    """A manual correction of on hand, with a reason from the list."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    qty_change = models.IntegerField(_("quantity change"))
    reason = models.ForeignKey(AdjustmentReason, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"ADJ-{self.pk:06d}"


class StockTransfer(models.Model):
    """Goods moved from one warehouse to another. Transfers are immediate: the goods leave
    one warehouse and arrive in the other in the same transaction (no in-transit state)."""

    from_warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    to_warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_warehouse=F("to_warehouse")), name="transfer_distinct_warehouses"
            )
        ]

    def __str__(self):
        return f"TRF-{self.pk:06d}"


class StockTransferLine(models.Model):
    transfer = models.ForeignKey(StockTransfer, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    qty = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="transfer_line_qty_gt_0")
        ]

    def __str__(self):
        return f"{self.transfer_id}: {self.variant_id}"


class Stocktake(models.Model):
    """A count of one warehouse. Each line keeps the on hand the system had when the count
    was entered (`expected`); posting applies counted − expected to on hand as it is at
    posting time, so goods shipped or received meanwhile, and reservations made meanwhile,
    are not lost."""

    class Status(models.TextChoices):
        OPEN = "open", _("Counting")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", pgettext_lazy("stocktake status", "Cancelled")

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("note"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"STK-{self.pk:06d}"


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    counted = models.PositiveIntegerField(_("counted"), null=True, blank=True)
    expected = models.IntegerField(null=True, blank=True)  # on hand when the count was entered
    counted_at = models.DateTimeField(null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_change = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "variant"], name="stocktake_line_variant"),
        ]

    def __str__(self):
        return f"{self.stocktake_id}: {self.variant_id}"

    @property
    def difference(self) -> int | None:
        if self.counted is None or self.expected is None:
            return None
        return self.counted - self.expected


class StockMovement(models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening balance")
        RECEIPT = "receipt", _("Receipt")
        ADJUSTMENT = "adjustment", _("Adjustment")
        RESERVATION = "reservation", _("Reservation")
        RELEASE = "release", _("Release")
        SHIPMENT = "shipment", _("Shipment")
        UNSHIPMENT = "unshipment", _("Shipment cancelled")
        RTS = "rts", _("Returned to sender")
        RETURN_RESTOCK = "return_restock", _("Customer return restocked")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        STOCKTAKE = "stocktake", _("Stocktake")

    class Doc(models.TextChoices):
        NONE = "", "—"
        ORDER = "order", _("Order")
        RETURN = "return", _("Return")
        RECEIPT = "receipt", _("Receipt")
        TRANSFER = "transfer", _("Transfer")
        STOCKTAKE = "stocktake", _("Stocktake")
        ADJUSTMENT = "adjustment", _("Adjustment")

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    on_hand_change = models.IntegerField(default=0)
    reserved_change = models.IntegerField(default=0)
    on_hand_after = models.IntegerField()  # the balance after this movement
    reserved_after = models.IntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    doc_type = models.CharField(max_length=12, choices=Doc.choices, blank=True, default="")
    doc_id = models.BigIntegerField(null=True, blank=True)
    doc_ref = models.CharField(max_length=40, blank=True, default="")  # ORD-000123, RCV-000001 …

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["variant", "warehouse", "-created_at", "-id"], name="stockmove_stock_time"
            ),
            models.Index(fields=["warehouse", "-created_at", "-id"], name="stockmove_wh_time"),
            models.Index(fields=["-created_at", "-id"], name="stockmove_time"),
            models.Index(fields=["doc_type", "doc_id"], name="stockmove_doc"),
        ]

    def __str__(self):
        return f"{self.kind} {self.variant_id}@{self.warehouse_id} {self.on_hand_change:+}/{self.reserved_change:+}"

    @property
    def reason_label(self) -> str:
        """The reason in the reader's words: the system's own reasons are stored as codes
        (SYSTEM_REASONS), a person's as they typed or chose them."""
        code = LEGACY_SYSTEM_REASONS.get(self.reason, self.reason)
        return str(SYSTEM_REASONS[code]) if code in SYSTEM_REASONS else self.reason


# Reasons the system writes on movements, stored as codes and shown translated.
SYSTEM_REASONS = {
    "refused_returned": _("Refused at inspection: sent back to the customer"),
}
# What earlier versions stored as text (in English) for those codes.
LEGACY_SYSTEM_REASONS = {"refused: back to the customer": "refused_returned"}
