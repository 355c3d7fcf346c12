"""The owner's rate tables (issue 14): the rows per courier service, the COD fee and
insurance per courier, written here and nowhere else (the rates page and the API call these;
the CSV import is shipping/rates_csv.py and writes through `rates_write`).

A row is keyed by (courier, service, origin, destination): the same key twice would make the
quote's "most specific row wins" ambiguous, so saving a row with the key of another one is
refused, and the CSV import updates the row that has the key.

Origins and destinations are typed as codes, as the CSV and the export write them: the
destination is a Kemendagri code of a district (32.01.07), a regency/city (32.01) or a
province (32), dots optional; the origin is empty (any), a warehouse code, or a city code."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tokodesk.catalog.models import Warehouse
from tokodesk.core.documents import require
from tokodesk.core.errors import NotFound, ValidationFailed
from tokodesk.core.money import parse_money
from tokodesk.shipping.models import City, Courier, CourierPricing, District, Province, ShippingRate

READ = "shipping.view_courier"
MANAGE = "shipping.change_shippingrate"
MAX_PRICE = 10**10
MAX_MIN_KG = 1000
MAX_ETA = 90


# --- reading -------------------------------------------------------------------------------


def rates_queryset():
    return ShippingRate.objects.select_related(
        "courier", "origin_warehouse", "origin_city", "dest_district__city",
        "dest_district__province", "dest_city__province", "dest_province",
    )  # fmt: skip


def rates_filtered(*, courier: str = "", service: str = "", destination: str = ""):
    """The rows of the rates page: by courier code, service, and a destination typed as a
    code prefix ("32.01") or the start of a district, city or province name."""
    qs = rates_queryset()
    if courier:
        qs = qs.filter(courier__code=courier)
    if service:
        qs = qs.filter(service__iexact=service)
    text = destination.strip()
    if text:
        if text.replace(".", "").isdigit():
            qs = qs.filter(
                Q(dest_district__code__startswith=text)
                | Q(dest_city__code__startswith=text)
                | Q(dest_province__code__startswith=text)
            )
        else:
            qs = qs.filter(
                Q(dest_district__name__icontains=text)
                | Q(dest_city__name__icontains=text)
                | Q(dest_province__name__icontains=text)
            )
    return qs.order_by("courier__name", "service", "dest_province_id", "dest_city_id", "id")


def destination_label(rate: ShippingRate) -> str:
    if rate.dest_district_id:
        return rate.dest_district.label
    if rate.dest_city_id:
        return f"{rate.dest_city.short_name}, {rate.dest_city.province.name}"
    return rate.dest_province.name if rate.dest_province_id else ""


def destination_code(rate: ShippingRate) -> str:
    place = rate.dest_district or rate.dest_city or rate.dest_province
    return place.code if place is not None else ""


def origin_code(rate: ShippingRate) -> str:
    if rate.origin_warehouse_id:
        return rate.origin_warehouse.code
    if rate.origin_city_id:
        return rate.origin_city.code
    return ""


def origin_label(rate: ShippingRate) -> str:
    if rate.origin_warehouse_id:
        return rate.origin_warehouse.name
    if rate.origin_city_id:
        return rate.origin_city.short_name
    return _("Any origin")


def pricing_of(couriers) -> dict[int, CourierPricing]:
    found = {p.courier_id: p for p in CourierPricing.objects.filter(courier__in=couriers)}
    return {c.pk: found.get(c.pk) or CourierPricing(courier=c) for c in couriers}


# --- resolving what was typed ---------------------------------------------------------------


class Places:
    """Codes → regions, warehouses and couriers, read once for many rows (the CSV import)."""

    def __init__(self):
        self.districts: dict[str, int] | None = None
        self.cities: dict[str, int] | None = None
        self.provinces: dict[str, int] | None = None
        self.warehouses = {w.code.lower(): w.pk for w in Warehouse.objects.all()}
        self.couriers = {c.code: c for c in Courier.objects.all()}

    def _load(self):
        if self.districts is None:
            self.districts = dict(District.objects.values_list("code", "id"))
            self.cities = dict(City.objects.values_list("code", "id"))
            self.provinces = dict(Province.objects.values_list("code", "id"))

    @staticmethod
    def dotted(code: str) -> str:
        """32.01.07, 320107 or 32.1.7 → 32.01.07 (None-safe: "" stays "")."""
        parts = (
            code.strip().split(".")
            if "." in code
            else [code.strip()[i : i + 2] for i in range(0, len(code.strip()), 2)]
        )
        if not all(p.isdigit() for p in parts):
            return ""
        return ".".join(p.zfill(2) for p in parts)

    def destination(self, code: str) -> tuple[str, int] | None:
        """("district" | "city" | "province", id) of a code, or None."""
        self._load()
        dotted = self.dotted(code)
        level = {1: ("province", self.provinces), 2: ("city", self.cities),
                 3: ("district", self.districts)}.get(dotted.count(".") + 1 if dotted else 0)  # fmt: skip
        if level is None or dotted not in level[1]:
            return None
        return level[0], level[1][dotted]

    def origin(self, code: str) -> tuple[str, int] | None:
        """("warehouse" | "city", id), ("", 0) for any origin, or None when unknown."""
        text = code.strip()
        if not text or text == "*":
            return "", 0
        if text.lower() in self.warehouses:
            return "warehouse", self.warehouses[text.lower()]
        self._load()
        dotted = self.dotted(text)
        if dotted.count(".") == 1 and dotted in self.cities:
            return "city", self.cities[dotted]
        return None


def parse_amount(raw, currency: str) -> int | None:
    """An amount in major units ("11000", "11.000", "Rp 11.000") to minor units; None if not one."""
    try:
        return parse_money(raw, currency)
    except ValueError:
        return None


@dataclass
class RateInput:
    """A rate row as typed (the form, the API, a CSV line): strings are resolved here."""

    courier: str
    service: str
    destination: str
    price_per_kg: str | int
    origin: str = ""
    min_weight_kg: str | int = 1
    rounding_tolerance_grams: str | int = 300
    eta_days_min: str | int = 1
    eta_days_max: str | int = 3
    active: bool = True


def _int(raw, low: int, high: int) -> int | None:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if low <= value <= high else None


def check_rate(data: RateInput, places: Places, currency: str) -> tuple[dict, dict]:
    """(errors by field, the model's field values). Errors are in the user's language."""
    errors: dict[str, str] = {}
    values: dict = {"active": bool(data.active)}
    courier = places.couriers.get((data.courier or "").strip().lower())
    service = (data.service or "").strip().upper()[:30]
    if courier is None:
        errors["courier"] = _("Unknown courier “%(code)s”.") % {"code": (data.courier or "")[:30]}
    else:
        values["courier_id"] = courier.pk
    if not service:
        errors["service"] = _("The service is required (REG, YES, ECO …).")
    elif (
        courier is not None
        and courier.services
        and service not in [str(s).upper() for s in courier.services]
    ):
        errors["service"] = _("%(courier)s has no service “%(service)s”.") % {
            "courier": courier.name,
            "service": service,
        }
    values["service"] = service
    dest = places.destination(str(data.destination or ""))
    if dest is None:
        errors["destination"] = _(
            "Unknown destination “%(code)s”: a district (32.01.07), regency/city (32.01) or "
            "province (32) code."
        ) % {"code": str(data.destination or "")[:20]}
    else:
        values.update(dest_district_id=None, dest_city_id=None, dest_province_id=None)
        values[f"dest_{dest[0]}_id"] = dest[1]
    origin = places.origin(str(data.origin or ""))
    if origin is None:
        errors["origin"] = _(
            "Unknown origin “%(code)s”: leave it empty for any origin, or a warehouse code or a "
            "regency/city code (31.73)."
        ) % {"code": str(data.origin)[:30]}
    else:
        values["origin_warehouse_id"] = origin[1] if origin[0] == "warehouse" else None
        values["origin_city_id"] = origin[1] if origin[0] == "city" else None
    price = (
        data.price_per_kg if isinstance(data.price_per_kg, int)
        else parse_amount(data.price_per_kg, currency)
    )  # fmt: skip
    if price is None or not 0 <= price <= MAX_PRICE:
        errors["price_per_kg"] = _("Enter the price per kg, a whole amount such as 11000.")
    values["price_per_kg"] = price
    for name, low, high, message in (
        ("min_weight_kg", 1, MAX_MIN_KG, _("The minimum weight is 1 to %(max)s kg.") % {"max": MAX_MIN_KG}),
        ("rounding_tolerance_grams", 0, 999, _("The rounding tolerance is 0 to 999 grams.")),
        ("eta_days_min", 0, MAX_ETA, _("Days: a whole number from 0 to %(max)s.") % {"max": MAX_ETA}),
        ("eta_days_max", 0, MAX_ETA, _("Days: a whole number from 0 to %(max)s.") % {"max": MAX_ETA}),
    ):  # fmt: skip
        raw = getattr(data, name)
        value = _int(raw, low, high)
        if value is None:
            errors[name] = message
        values[name] = value
    if "eta_days_min" not in errors and "eta_days_max" not in errors:
        if values["eta_days_min"] > values["eta_days_max"]:
            errors["eta_days_max"] = _("The ETA “to” cannot be before “from”.")
    return errors, values


def rate_key(values: dict) -> tuple:
    return (
        values.get("courier_id"), values.get("service"), values.get("origin_warehouse_id"),
        values.get("origin_city_id"), values.get("dest_district_id"), values.get("dest_city_id"),
        values.get("dest_province_id"),
    )  # fmt: skip


def _key_q(values: dict) -> Q:
    return Q(
        courier_id=values["courier_id"], service=values["service"],
        origin_warehouse_id=values["origin_warehouse_id"], origin_city_id=values["origin_city_id"],
        dest_district_id=values["dest_district_id"], dest_city_id=values["dest_city_id"],
        dest_province_id=values["dest_province_id"],
    )  # fmt: skip


# --- writing --------------------------------------------------------------------------------


def _currency() -> str:
    from tokodesk.core.models import ShopSettings

    return ShopSettings.get().currency


@transaction.atomic
def rate_save(*, data: RateInput, actor, rate_id: int | None = None) -> ShippingRate:
    """Add a rate row, or change row `rate_id`."""
    require(actor, MANAGE)
    rate = None
    if rate_id is not None:
        rate = ShippingRate.objects.select_for_update().filter(pk=rate_id).first()
        if rate is None:
            raise NotFound("not_found", _("This rate no longer exists."))
    errors, values = check_rate(data, Places(), _currency())
    if not errors:
        other = ShippingRate.objects.filter(_key_q(values))
        if rate is not None:
            other = other.exclude(pk=rate.pk)
        if other.exists():
            errors["destination"] = _(
                "This courier service already has a rate from this origin to this destination."
            )
    if errors:
        raise ValidationFailed("invalid_input", _("The rate is not valid."), fields=errors)
    rate = rate or ShippingRate()
    for name, value in values.items():
        setattr(rate, name, value)
    rate.save()
    return rate


@transaction.atomic
def rate_delete(*, rate_id: int, actor) -> None:
    require(actor, MANAGE)
    deleted, _rows = ShippingRate.objects.filter(pk=rate_id).delete()
    if not deleted:
        raise NotFound("not_found", _("This rate no longer exists."))


def rates_write(*, creates: list[dict], updates: dict[int, dict], actor) -> tuple[int, int]:
    """Write checked rows at once (the CSV import): new rows and {id: values} changes."""
    require(actor, MANAGE)
    with transaction.atomic():
        ShippingRate.objects.bulk_create([ShippingRate(**v) for v in creates], batch_size=1000)
        if updates:
            rows = list(ShippingRate.objects.filter(pk__in=list(updates)))
            for row in rows:
                for name, value in updates[row.pk].items():
                    setattr(row, name, value)
            ShippingRate.objects.bulk_update(
                rows,
                ["courier_id", "service", "origin_warehouse_id", "origin_city_id",
                 "dest_district_id", "dest_city_id", "dest_province_id", "price_per_kg",
                 "min_weight_kg", "rounding_tolerance_grams", "eta_days_min", "eta_days_max",
                 "active"],
                batch_size=1000,
            )  # fmt: skip
    return len(creates), len(updates)


@dataclass
class PricingInput:
    cod_fee_percent: str = "0"  # "3" or "2,5": percent of the amount collected
    cod_fee_flat: str = "0"
    cod_fee_min: str = "0"
    insurance_percent: str = "0"
    insurance_min: str = "0"
    volumetric_divisor: str = "6000"


def _percent_bp(raw) -> int | None:
    text = str(raw or "0").strip().replace(",", ".").removesuffix("%")
    try:
        value = Decimal(text or "0") * 100
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.to_integral_value() or not 0 <= value <= 10000:
        return None
    return int(value)


@transaction.atomic
def pricing_save(*, courier_code: str, data: PricingInput, actor) -> CourierPricing:
    """The courier's COD fee (percent + flat, at least the minimum), insurance and volumetric
    divisor, shared by all its rates."""
    require(actor, MANAGE)
    courier = Courier.objects.filter(code=courier_code).first()
    if courier is None:
        raise NotFound("not_found", _("Unknown courier “%(code)s”.") % {"code": courier_code[:30]})
    currency = _currency()
    errors, values = {}, {}
    for name, field in (("cod_fee_percent", "cod_fee_bp"), ("insurance_percent", "insurance_bp")):
        value = _percent_bp(getattr(data, name))
        if value is None:
            errors[name] = _("A percentage from 0 to 100, at most two decimals (2.5).")
        values[field] = value
    for name in ("cod_fee_flat", "cod_fee_min", "insurance_min"):
        value = parse_amount(getattr(data, name) or "0", currency)
        if value is None or not 0 <= value <= MAX_PRICE:
            errors[name] = _("Enter a whole amount, for example 2500.")
        values[name] = value
    divisor = _int(data.volumetric_divisor or "0", 0, 100000)
    if divisor is None:
        errors["volumetric_divisor"] = _("0 (not used) or the divisor, such as 6000.")
    values["volumetric_divisor"] = divisor
    if errors:
        raise ValidationFailed(
            "invalid_input", _("The courier's prices are not valid."), fields=errors
        )
    pricing, _created = CourierPricing.objects.update_or_create(courier=courier, defaults=values)
    return pricing
