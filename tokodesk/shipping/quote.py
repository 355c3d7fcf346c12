"""Shipping quotes: (destination district, weight, warehouse, payment method) → options.

One query finds every active rate row that can apply: destination = the district, its city
or its province (three indexed columns, so the database reads only the rows for this
destination however large the tables are), origin = the warehouse, the warehouse's city or
any. Per courier service the most specific row wins (district > city > province, then
warehouse > city > any origin); the arithmetic is shipping/rates.py. Options come sorted by
price, then ETA, then courier name."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import connection
from django.db.models import Q

from tokodesk.shipping import rates as arithmetic
from tokodesk.shipping.models import City, District, ShippingRate
from tokodesk.shipping.regions import normalize

COD = "cod"


@dataclass(frozen=True)
class QuoteOption:
    courier: str  # code
    courier_id: int
    courier_name: str
    service: str
    price: int
    cod_fee: int
    insurance: int
    eta_days: int  # at most, days
    eta_days_min: int
    billable_kg: int

    @property
    def eta_label(self):
        if self.eta_days_min == self.eta_days:
            return str(self.eta_days)
        return f"{self.eta_days_min}–{self.eta_days}"

    def as_dict(self):
        return asdict(self) | {"eta_label": self.eta_label}


_FIELDS = (
    "courier_id", "courier__code", "courier__name", "service", "origin_warehouse_id",
    "origin_city_id", "dest_district_id", "dest_city_id", "price_per_kg", "min_weight_kg",
    "rounding_tolerance_grams", "eta_days_min", "eta_days_max",
    "courier__pricing__cod_fee_bp", "courier__pricing__cod_fee_flat",
    "courier__pricing__cod_fee_min", "courier__pricing__insurance_bp",
    "courier__pricing__insurance_min", "courier__pricing__volumetric_divisor",
)  # fmt: skip

_city_of_warehouse: dict[tuple[int, str], int | None] = {}


def warehouse_city_id(warehouse) -> int | None:
    """The regency/city of a warehouse's free-text city ("Jakarta Barat" → Kota Jakarta Barat)."""
    if warehouse is None or not warehouse.city:
        return None
    key = (warehouse.pk, warehouse.city)
    if key not in _city_of_warehouse:
        name = normalize(warehouse.city)
        for prefix in ("kota ", "kabupaten ", "kab "):
            name = name.removeprefix(prefix)
        found = None
        for city in City.objects.filter(name__icontains=name.split(" ")[0]):
            plain = normalize(city.name).removeprefix("kota ").removeprefix("kabupaten ")
            if plain == name:
                found = city.pk
                break
        _city_of_warehouse[key] = found
    return _city_of_warehouse[key]


# Placeholders for the values of one quote in the SQL compiled once per process: building
# and compiling the queryset costs more than running the query.
_DISTRICT, _CITY, _PROVINCE, _COURIER, _SERVICE = -901, -902, -903, -904, "\x00service"
_sql_cache: dict[tuple[bool, bool], tuple[str, tuple]] = {}


def _rates_sql(by_courier: bool, by_service: bool):
    key = (by_courier, by_service)
    if key not in _sql_cache:
        qs = ShippingRate.objects.filter(
            Q(dest_district_id=_DISTRICT) | Q(dest_city_id=_CITY) | Q(dest_province_id=_PROVINCE),
            active=True,
            courier__active=True,
        )
        if by_courier:
            qs = qs.filter(courier_id=_COURIER)
        if by_service:
            qs = qs.filter(service=_SERVICE)
        _sql_cache[key] = qs.order_by().values_list(*_FIELDS).query.sql_with_params()
    return _sql_cache[key]


def quote(
    destination,
    weight_grams: int,
    *,
    warehouse=None,
    payment_method: str = "",
    value: int = 0,
    dimensions_cm: tuple[int, int, int] | None = None,
    courier_id: int | None = None,
    service: str | None = None,
) -> list[QuoteOption]:
    """Options to ship `weight_grams` to `destination` (a District or its id).

    `value` is the goods value: the COD fee is on goods + shipping (what the courier
    collects), insurance on the goods. Returns [] when no rate covers the destination."""
    if not isinstance(destination, District):
        destination = District.objects.only("id", "city_id", "province_id").get(pk=destination)
    origin_city = warehouse_city_id(warehouse)
    sql, params = _rates_sql(courier_id is not None, bool(service))
    values = {
        _DISTRICT: destination.pk,
        _CITY: destination.city_id,
        _PROVINCE: destination.province_id,
        _COURIER: courier_id,
        _SERVICE: service,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, [values.get(p, p) for p in params])
        rows = cursor.fetchall()

    best: dict[tuple[int, str], tuple[tuple[int, int], dict]] = {}
    # The origin is checked here, not in SQL: "origin_warehouse IS NULL" matches most of
    # the table and would lead the planner away from the destination indexes.
    warehouse_id = warehouse.pk if warehouse is not None else None
    for row in rows:
        r = dict(zip(_FIELDS, row, strict=True))
        if r["origin_warehouse_id"] is not None and r["origin_warehouse_id"] != warehouse_id:
            continue
        if r["origin_city_id"] is not None and r["origin_city_id"] != origin_city:
            continue
        rank = (
            0 if r["dest_district_id"] else 1 if r["dest_city_id"] else 2,
            0 if r["origin_warehouse_id"] else 1 if r["origin_city_id"] else 2,
        )
        key = (r["courier_id"], r["service"])
        if key not in best or rank < best[key][0]:
            best[key] = (rank, r)

    options = []
    for _rank, r in best.values():
        weight = weight_grams
        if dimensions_cm:
            divisor = r["courier__pricing__volumetric_divisor"] or 0
            weight = max(weight, arithmetic.volumetric_grams(*dimensions_cm, divisor))
        kg = arithmetic.billable_kg(
            weight, min_kg=r["min_weight_kg"], tolerance_grams=r["rounding_tolerance_grams"]
        )
        price = r["price_per_kg"] * kg
        fee = 0
        if payment_method == COD:
            fee = arithmetic.cod_fee(
                value + price,
                bp=r["courier__pricing__cod_fee_bp"] or 0,
                flat=r["courier__pricing__cod_fee_flat"] or 0,
                minimum=r["courier__pricing__cod_fee_min"] or 0,
            )
        options.append(
            QuoteOption(
                courier=r["courier__code"],
                courier_id=r["courier_id"],
                courier_name=r["courier__name"],
                service=r["service"],
                price=price,
                cod_fee=fee,
                insurance=arithmetic.insurance(
                    value,
                    bp=r["courier__pricing__insurance_bp"] or 0,
                    minimum=r["courier__pricing__insurance_min"] or 0,
                ),
                eta_days=r["eta_days_max"],
                eta_days_min=r["eta_days_min"],
                billable_kg=kg,
            )
        )
    options.sort(key=lambda o: (o.price, o.eta_days, o.courier_name, o.service))
    return options


def order_weight_grams(lines) -> int:
    """An order's weight from its lines (OrderLine.weight_grams is per unit, from the variant),
    or from (variant, qty) pairs."""
    total = 0
    for line in lines:
        if isinstance(line, tuple):
            variant, qty = line[0], line[1]
            total += (variant.weight_grams or 0) * qty
        else:
            total += (line.weight_grams or 0) * line.qty
    return total


def cheapest(destination, weight_grams: int, **kwargs) -> QuoteOption | None:
    options = quote(destination, weight_grams, **kwargs)
    return options[0] if options else None
