"""Destinations and shipping quotes over HTTP (issue 14):

- GET  /api/v1/regions?q=cileungsi → districts with id, name, city, province, postal_codes
- POST /api/v1/shipping/quote {"destination": <district id>, "weight_grams": 1200,
  "warehouse": "jkt", "payment_method": "cod", "value"?: goods value} → options sorted by
  price (courier, service, price, cod_fee, eta_days …)

Parse → service (shipping/regions.py, shipping/quote.py) → serialize."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tokodesk.catalog.models import Warehouse
from tokodesk.core.api.common import ERRORS
from tokodesk.core.documents import require
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.inputs import StrictInput
from tokodesk.shipping.carriers import courier_save
from tokodesk.shipping.models import Courier, District
from tokodesk.shipping.quote import quote
from tokodesk.shipping.regions import search_districts

regions_router = Router(tags=["shipping: destinations and rates"])
router = Router(tags=["shipping: destinations and rates"])


class DistrictOut(Schema):
    id: int
    code: str
    name: str
    city: str
    province: str
    label: str
    postal_codes: list[str]


def district_out(d: District) -> dict:
    return {
        "id": d.pk,
        "code": d.code,
        "name": d.name,
        "city": d.city.name,
        "province": d.province.name,
        "label": d.label,
        "postal_codes": d.postal_code_list,
    }


class RegionFilter(Schema):
    q: str = Field(..., min_length=2, max_length=100, description="Start of the district's name")
    limit: int = Field(20, ge=1, le=50)


@regions_router.get("", response={200: list[DistrictOut], **ERRORS}, summary="Search districts")
def regions(request, filters: Query[RegionFilter]):
    return [district_out(d) for d in search_districts(filters.q, limit=filters.limit)]


class QuoteIn(StrictInput):
    destination: int = Field(..., description="District id (GET /regions)")
    weight_grams: int = Field(..., ge=1, le=1_000_000)
    warehouse: str | None = Field(None, max_length=30, description="Warehouse code (origin)")
    payment_method: str = Field("", max_length=20)
    value: int = Field(0, ge=0, le=10**15, description="Goods value (for COD fee, insurance)")
    length_cm: int | None = Field(None, ge=1, le=1000)
    width_cm: int | None = Field(None, ge=1, le=1000)
    height_cm: int | None = Field(None, ge=1, le=1000)


class QuoteOptionOut(Schema):
    courier: str
    courier_name: str
    service: str
    price: int
    cod_fee: int
    insurance: int
    eta_days: int
    eta_days_min: int
    billable_kg: int


class QuoteOut(Schema):
    destination: DistrictOut
    weight_grams: int
    options: list[QuoteOptionOut]


def resolve_destination(district_id, field="destination") -> District:
    district = District.objects.select_related("city", "province").filter(pk=district_id).first()
    if district is None:
        raise ValidationFailed(
            "invalid_input", _("Unknown district."), fields={field: _("Unknown district.")}
        )
    return district


@router.post("/quote", response={200: QuoteOut, **ERRORS}, summary="Shipping options for a parcel")
def shipping_quote(request, body: QuoteIn):
    district = resolve_destination(body.destination)
    warehouse = None
    if body.warehouse:
        warehouse = Warehouse.objects.filter(code=body.warehouse).first()
        if warehouse is None:
            raise ValidationFailed(
                "invalid_input", _("Unknown warehouse."), fields={"warehouse": _("Unknown.")}
            )
    dims = None
    if body.length_cm and body.width_cm and body.height_cm:
        dims = (body.length_cm, body.width_cm, body.height_cm)
    options = quote(
        district,
        body.weight_grams,
        warehouse=warehouse,
        payment_method=body.payment_method,
        value=body.value,
        dimensions_cm=dims,
    )
    return {
        "destination": district_out(district),
        "weight_grams": body.weight_grams,
        "options": [o.as_dict() for o in options],
    }


class RateFilter(Schema):
    courier: str = Field("", max_length=30)
    service: str = Field("", max_length=30)
    destination: str = Field("", max_length=100, description="Name or code prefix (32.01)")
    offset: int = Field(0, ge=0, le=10**7)
    limit: int = Field(100, ge=1, le=500)


class RateOut(Schema):
    id: int
    courier: str
    service: str
    origin: str
    destination: str
    destination_name: str
    price_per_kg: int
    min_weight_kg: int
    rounding_grams: int
    eta_days_min: int
    eta_days_max: int
    active: bool


class RatePage(Schema):
    count: int
    results: list[RateOut]


@router.get(
    "/rates", response={200: RatePage, **ERRORS}, summary="Rate tables (the rates page's rows)"
)
def shipping_rates(request, filters: Query[RateFilter]):
    from tokodesk.core.errors import PermissionDenied
    from tokodesk.shipping import rates_admin

    if not request.auth.has_perm(rates_admin.READ):
        raise PermissionDenied("permission_denied", _("You are not allowed to do this."))
    qs = rates_admin.rates_filtered(
        courier=filters.courier, service=filters.service, destination=filters.destination
    )
    rows = qs[filters.offset : filters.offset + filters.limit]
    return {
        "count": qs.count(),
        "results": [
            {
                "id": r.pk,
                "courier": r.courier.code,
                "service": r.service,
                "origin": rates_admin.origin_code(r),
                "destination": rates_admin.destination_code(r),
                "destination_name": rates_admin.destination_label(r),
                "price_per_kg": r.price_per_kg,
                "min_weight_kg": r.min_weight_kg,
                "rounding_grams": r.rounding_tolerance_grams,
                "eta_days_min": r.eta_days_min,
                "eta_days_max": r.eta_days_max,
                "active": r.active,
            }
            for r in rows
        ],
    }


# --- the shop's carriers (issue 17): owner and admin add and change them, never delete -------


class CarrierOut(Schema):
    code: str
    name: str
    services: list[str]
    tracking_url: str
    active: bool


class CarrierIn(StrictInput):
    code: str = Field(..., min_length=1, max_length=30)
    name: str = Field(..., min_length=1, max_length=100)
    services: list[str] = Field(default_factory=list, max_length=20)
    tracking_url: str = Field("", max_length=300, description="http(s), with {awb} where the tracking number goes.")


class CarrierPatchIn(StrictInput):
    name: str | None = Field(None, min_length=1, max_length=100)
    services: list[str] | None = Field(None, max_length=20)
    tracking_url: str | None = Field(None, max_length=300)
    active: bool | None = Field(None, description="false deactivates: its orders keep it, new ones cannot pick it.")


@router.get("/carriers", response={200: list[CarrierOut], **ERRORS}, summary="The shop's carriers and services")
def list_carriers(request, include_inactive: bool = False):
    require(request.auth, "shipping.view_courier")
    qs = Courier.objects.order_by("name")
    return list(qs if include_inactive else qs.filter(active=True))


@router.post("/carriers", response={201: CarrierOut, **ERRORS}, summary="Add a carrier (owner, admin)")
def add_carrier(request, payload: CarrierIn):
    return 201, courier_save(actor=request.auth, create=True, **payload.model_dump())


@router.patch("/carriers/{code}", response={200: CarrierOut, **ERRORS},
              summary="Change or deactivate a carrier (owner, admin)")
def patch_carrier(request, code: str, payload: CarrierPatchIn):
    return courier_save(actor=request.auth, code=code, **payload.model_dump(exclude_unset=True))
