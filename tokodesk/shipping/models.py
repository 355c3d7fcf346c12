from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tokodesk.core.validators import validate_http_url


class Courier(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    services = models.JSONField(_("services"), default=list, blank=True)
    tracking_url = models.CharField(
        _("tracking URL"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("With {awb} where the tracking number goes."),
        validators=[validate_http_url],
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CourierAccount(models.Model):
    """The shop's credentials for one courier adapter (shipping/couriers/), set by the owner
    in the courier settings page. The secret values are never shown back, logged or put in
    an error; the page shows only whether each is set."""

    adapter = models.SlugField(_("adapter"), max_length=30, unique=True)
    credentials = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return self.adapter


# --- Destinations: Indonesia's administrative regions (shipping/regions.py loads them) ---
# Ids are the Kemendagri codes without dots (Jawa Barat 32, Kab. Bogor 3201, Cileungsi
# 320107), so a district id stays the same every time the data is reloaded.


class Province(models.Model):
    id = models.PositiveIntegerField(primary_key=True)
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(_("province"), max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class City(models.Model):
    """A regency (kabupaten) or city (kota)."""

    id = models.PositiveIntegerField(primary_key=True)
    code = models.CharField(max_length=5, unique=True)
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="cities")
    name = models.CharField(_("regency/city"), max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def short_name(self):
        """The name as sellers and couriers write it: "Kab. Bogor" for "Kabupaten Bogor"."""
        if self.name.startswith("Kabupaten "):
            return "Kab. " + self.name[len("Kabupaten ") :]
        return self.name


class District(models.Model):
    """A kecamatan (distrik in Papua): the destination an order ships to."""

    id = models.PositiveIntegerField(primary_key=True)
    code = models.CharField(max_length=8, unique=True)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="districts")
    # Denormalised from the city: the rate lookup matches district, city or province at once.
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="districts")
    name = models.CharField(_("district"), max_length=100)
    # Lower-case ASCII name for prefix search ("cileungsi"); indexed (a LIKE 'x%' index on PG).
    search_name = models.CharField(max_length=100, db_index=True)
    # The villages' kode pos, sorted and distinct, comma-separated ("16820,16821").
    postal_codes = models.CharField(max_length=400, blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The district with its city and province: "Cileungsi, Kab. Bogor, Jawa Barat"."""
        return f"{self.name}, {self.city.short_name}, {self.province.name}"

    @property
    def postal_code_list(self):
        return [p for p in self.postal_codes.split(",") if p]


# --- Rates: what a courier service charges from an origin to a destination ---


class CourierPricing(models.Model):
    """Per courier: the COD fee, insurance and volumetric divisor its rates share."""

    courier = models.OneToOneField(Courier, on_delete=models.CASCADE, related_name="pricing")
    # COD fee = flat + percent of the amount collected (goods + shipping); basis points (1% = 100).
    cod_fee_bp = models.PositiveIntegerField(_("COD fee (basis points)"), default=0)
    cod_fee_flat = models.BigIntegerField(_("COD fee (flat)"), default=0)
    cod_fee_min = models.BigIntegerField(_("COD fee minimum"), default=0)
    # Insurance = percent of the goods value, at least the minimum; offered, not forced.
    insurance_bp = models.PositiveIntegerField(_("insurance (basis points)"), default=0)
    insurance_min = models.BigIntegerField(_("insurance minimum"), default=0)
    # Volumetric weight (g) = length × width × height (cm) × 1000 / divisor; 0 = not used.
    volumetric_divisor = models.PositiveIntegerField(_("volumetric divisor"), default=6000)

    def __str__(self):
        return str(self.courier)


class ShippingRate(models.Model):
    """One row of a courier service's rate table: origin → destination, price per kg.

    The destination is exactly one of district, city or province; the most specific match
    wins. The origin is a warehouse, a city, or neither (any origin); a warehouse beats its
    city, a city beats "any"."""

    courier = models.ForeignKey(Courier, on_delete=models.CASCADE, related_name="rates")
    service = models.CharField(_("service"), max_length=30)
    origin_warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    origin_city = models.ForeignKey(
        City, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dest_district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dest_city = models.ForeignKey(
        City, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dest_province = models.ForeignKey(
        Province, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    price_per_kg = models.BigIntegerField(_("price per kg"))
    min_weight_kg = models.PositiveSmallIntegerField(_("minimum weight (kg)"), default=1)
    # Round up per kg unless the part over a whole kg is at most this many grams (300 = 0.3 kg).
    rounding_tolerance_grams = models.PositiveSmallIntegerField(
        _("rounding tolerance (g)"), default=300
    )
    eta_days_min = models.PositiveSmallIntegerField(_("ETA from (days)"), default=1)
    eta_days_max = models.PositiveSmallIntegerField(_("ETA to (days)"), default=3)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["courier__name", "service", "id"]
        indexes = [
            models.Index(fields=["dest_district"], name="rate_dest_district"),
            models.Index(fields=["dest_city"], name="rate_dest_city"),
            models.Index(fields=["dest_province"], name="rate_dest_province"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        dest_district__isnull=False,
                        dest_city__isnull=True,
                        dest_province__isnull=True,
                    )
                    | models.Q(
                        dest_district__isnull=True,
                        dest_city__isnull=False,
                        dest_province__isnull=True,
                    )
                    | models.Q(
                        dest_district__isnull=True,
                        dest_city__isnull=True,
                        dest_province__isnull=False,
                    )
                ),
                name="rate_one_destination",
            ),
            models.CheckConstraint(
                condition=models.Q(origin_warehouse__isnull=True)
                | models.Q(origin_city__isnull=True),
                name="rate_one_origin",
            ),
            models.CheckConstraint(
                condition=models.Q(price_per_kg__gte=0), name="rate_price_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.courier} {self.service}"
