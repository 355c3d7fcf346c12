"""Believable rate tables for the demo couriers (JNE, J&T, SiCepat, AnterAja, Pos) and the
tests: province rows from any origin priced by distance from Java, a cheaper row for the
Jakarta and Bodetabek cities, three services each, and each courier's COD fee."""

from __future__ import annotations

from tokodesk.shipping.models import City, CourierPricing, Province, ShippingRate

# Per kg REG from Java, by the province code's first digit (Kemendagri numbering follows the
# islands: 1 Sumatra, 3 Java, 5 Bali/Nusa Tenggara, 6 Kalimantan, 7 Sulawesi, 8 Maluku, 9 Papua).
_ZONE_PRICE = {"1": 24000, "3": 11000, "5": 26000, "6": 30000, "7": 34000, "8": 48000, "9": 72000}
_ZONE_ETA = {
    "1": (2, 4),
    "3": (1, 2),
    "5": (2, 4),
    "6": (3, 5),
    "7": (3, 5),
    "8": (4, 7),
    "9": (5, 9),
}
# Jakarta and the cities around it ship for less (a city row beats the province row).
JABODETABEK = ("31.71", "31.72", "31.73", "31.74", "31.75", "32.01", "32.71", "32.75", "32.76",
               "36.03", "36.71", "36.74")  # fmt: skip
# The courier's first three services (filled up with these names): regular, express, economy
# as price factor and ETA shift.
SERVICES = ("REG", "YES", "ECO")
TIERS = ((1.0, 0), (1.8, -1), (0.8, 2))
COURIERS = {
    # code: (price factor, COD fee bp, COD flat, COD minimum, insurance bp, insurance min)
    "jne": (1.0, 300, 0, 2500, 20, 5000),
    "jnt": (0.96, 300, 0, 2500, 20, 5000),
    "sicepat": (0.93, 250, 0, 2000, 20, 5000),
    "anteraja": (0.97, 300, 0, 2500, 25, 5000),
    "pos": (0.9, 0, 0, 0, 25, 5000),
}


def _round(amount: float) -> int:
    return int(round(amount / 500.0)) * 500


def load_demo_rates(couriers) -> int:
    """Rates for the given couriers whose code is one of COURIERS; idempotent (a courier
    that already has rates is left as it is). Returns how many rows were written."""
    provinces = list(Province.objects.values_list("id", "code"))
    cities = list(City.objects.filter(code__in=JABODETABEK).values_list("id", flat=True))
    rows = []
    for courier in couriers:
        spec = COURIERS.get(courier.code)
        if spec is None or ShippingRate.objects.filter(courier=courier).exists():
            continue
        factor, cod_bp, cod_flat, cod_min, ins_bp, ins_min = spec
        CourierPricing.objects.update_or_create(
            courier=courier,
            defaults={
                "cod_fee_bp": cod_bp,
                "cod_fee_flat": cod_flat,
                "cod_fee_min": cod_min,
                "insurance_bp": ins_bp,
                "insurance_min": ins_min,
            },
        )
        names = list(dict.fromkeys([*courier.services, *SERVICES]))[:3]
        for service, (service_factor, eta_shift) in zip(names, TIERS, strict=True):
            for province_id, code in provinces:
                zone = code[0]
                lo, hi = _ZONE_ETA.get(zone, (3, 6))
                rows.append(
                    ShippingRate(
                        courier=courier,
                        service=service,
                        dest_province_id=province_id,
                        price_per_kg=_round(_ZONE_PRICE.get(zone, 40000) * factor * service_factor),
                        eta_days_min=max(1, lo + eta_shift),
                        eta_days_max=max(1, hi + eta_shift),
                    )
                )
            for city_id in cities:
                rows.append(
                    ShippingRate(
                        courier=courier,
                        service=service,
                        dest_city_id=city_id,
                        price_per_kg=_round(9000 * factor * service_factor),
                        eta_days_min=1,
                        eta_days_max=max(1, 2 + eta_shift),
                    )
                )
    ShippingRate.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
