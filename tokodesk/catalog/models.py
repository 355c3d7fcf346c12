from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tokodesk.core.models import TimeStampedModel


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.TextField(_("address"), blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Product(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Variant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("variant"), max_length=200, blank=True, default="")
    price = models.BigIntegerField(_("price"))  # minor units of the shop currency
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["product_id", "sku"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_gte_0")]

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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="stock_variant_warehouse"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_gte_0"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_lte_on_hand"),
        ]

    def __str__(self):
        return f"{self.variant_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved
