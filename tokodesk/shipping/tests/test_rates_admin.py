"""The rates page (issue 14): the tables per courier service, add / edit / delete a row, COD
fee and insurance per courier, CSV import with a preview (nothing written unless every row
is valid, errors per row in the user's language) and export that imports back unchanged."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from tokodesk.shipping.models import Courier, CourierPricing, ShippingRate
from tokodesk.shipping.quote import quote
from tokodesk.shipping.regions_testing import CILEUNGSI, regions  # noqa: F401

HEADER = "courier,service,origin,destination,price_per_kg,min_weight_kg,rounding_grams,eta_days_min,eta_days_max\n"


def _client(user, lang="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _upload(text: str, name="rates.csv"):
    f = io.BytesIO(text.encode())
    f.name = name
    return f


@pytest.fixture
def jne(shop):
    courier = Courier.objects.get(code="jne")
    courier.services = ["REG", "YES"]
    courier.save()
    return courier


def test_owner_and_admin_manage_others_read_or_nothing(shop, users, regions, jne):  # noqa: F811
    rate = ShippingRate.objects.create(
        courier=jne, service="REG", dest_province_id=32, price_per_kg=11000
    )
    for role in ("owner", "admin"):
        r = _client(users[role]).get("/shipping/rates/")
        assert r.status_code == 200 and b"data-rate-new" in r.content, role
    for role in ("agent", "warehouse", "finance", "viewer"):
        c = _client(users[role])
        page = c.get("/shipping/rates/")
        assert page.status_code == 200 and b"data-rate-new" not in page.content, role
        assert f'data-rate="{rate.pk}"'.encode() in page.content
        assert c.post(f"/shipping/rates/{rate.pk}/delete/").status_code == 403
        assert c.get("/shipping/rates/new/").status_code == 403
        assert c.post("/shipping/rates/import/", {"file": _upload(HEADER)}).status_code == 403
        assert c.post("/shipping/rates/pricing/jne/", {"cod_fee_percent": "9"}).status_code == 403
    assert ShippingRate.objects.count() == 1 and not CourierPricing.objects.exists()


def test_add_edit_delete_a_rate_and_filter(
    shop,
    users,
    regions,  # noqa: F811
    jne,
    django_assert_max_num_queries,
):
    c = _client(users["admin"])
    r = c.post("/shipping/rates/new/", {
        "courier": "jne", "service": "reg", "origin": "jkt", "destination": "32.01.07",
        "price_per_kg": "12.000", "min_weight_kg": "1", "rounding_tolerance_grams": "300",
        "eta_days_min": "1", "eta_days_max": "2"})  # fmt: skip
    assert r.status_code == 302
    rate = ShippingRate.objects.get()
    assert (rate.service, rate.origin_warehouse_id, rate.dest_district_id, rate.price_per_kg) == (
        "REG",
        shop["jkt"].pk,
        CILEUNGSI,
        12000,
    )
    assert quote(regions, 1000, warehouse=shop["jkt"])[0].price == 12000
    # The same key again is refused next to the destination; a bad row keeps what was typed.
    again = c.post("/shipping/rates/new/", {
        "courier": "jne", "service": "REG", "origin": "jkt", "destination": "320107",
        "price_per_kg": "9000", "min_weight_kg": "1", "rounding_tolerance_grams": "300",
        "eta_days_min": "1", "eta_days_max": "2"})  # fmt: skip
    assert again.status_code == 422 and b'data-field="destination"' in again.content
    bad = c.post("/shipping/rates/new/", {
        "courier": "jne", "service": "KILAT", "origin": "nowhere", "destination": "99.99",
        "price_per_kg": "-5", "min_weight_kg": "0", "rounding_tolerance_grams": "300",
        "eta_days_min": "4", "eta_days_max": "2"})  # fmt: skip
    assert bad.status_code == 422
    for text in (
        b"has no service",
        b"Unknown origin",
        b"Unknown destination",
        b"price per kg",
        b"minimum weight",
        b"cannot be before",
    ):
        assert text in bad.content, text
    # Edit to the city of Kab. Bogor, then delete.
    r = c.post(f"/shipping/rates/{rate.pk}/", {
        "courier": "jne", "service": "YES", "origin": "", "destination": "32.01",
        "price_per_kg": "20000", "min_weight_kg": "2", "rounding_tolerance_grams": "0",
        "eta_days_min": "1", "eta_days_max": "1"})  # fmt: skip
    assert r.status_code == 302
    rate.refresh_from_db()
    assert (rate.service, rate.origin_warehouse_id, rate.dest_city_id, rate.dest_district_id) == (
        "YES",
        None,
        3201,
        None,
    )
    # The list: filters by courier, service, destination name or code; fixed queries.
    ShippingRate.objects.bulk_create([
        ShippingRate(courier=jne, service="REG", dest_province_id=p, price_per_kg=10000)
        for p in (11, 12, 13, 31, 32, 33)])  # fmt: skip
    with django_assert_max_num_queries(12):
        page = c.get("/shipping/rates/", {"courier": "jne", "service": "YES"})
    assert page.content.count(b"data-rate=") == 1
    page = c.get("/shipping/rates/", {"destination": "bogor"})
    assert page.content.count(b"data-rate=") == 1
    page = c.get("/shipping/rates/", {"destination": "32"})
    assert page.content.count(b"data-rate=") == 2
    assert c.post(f"/shipping/rates/{rate.pk}/delete/").status_code == 302
    assert not ShippingRate.objects.filter(pk=rate.pk).exists()


def test_cod_fee_and_insurance_per_courier(shop, users, regions, jne):  # noqa: F811
    ShippingRate.objects.create(courier=jne, service="REG", dest_province_id=32, price_per_kg=10000)
    c = _client(users["owner"])
    r = c.post("/shipping/rates/pricing/jne/", {
        "cod_fee_percent": "2,5", "cod_fee_flat": "1000", "cod_fee_min": "3000",
        "insurance_percent": "0.2", "insurance_min": "5000", "volumetric_divisor": "6000"})  # fmt: skip
    assert r.status_code == 302
    p = CourierPricing.objects.get(courier=jne)
    assert (p.cod_fee_bp, p.cod_fee_flat, p.cod_fee_min, p.insurance_bp) == (250, 1000, 3000, 20)
    (option,) = quote(regions, 1000, payment_method="cod", value=100000)
    assert option.cod_fee == 1000 + 2750  # 2.5 % of 110,000 + flat
    bad = c.post(
        "/shipping/rates/pricing/jne/",
        {"cod_fee_percent": "abc", "cod_fee_flat": "-1", "volumetric_divisor": "x"},
    )
    assert bad.status_code == 422 and bad.content.count(b'class="field-error"') == 3
    assert CourierPricing.objects.get(courier=jne).cod_fee_bp == 250


def test_csv_import_preview_refuses_all_or_writes_all(shop, users, regions, jne):  # noqa: F811
    existing = ShippingRate.objects.create(
        courier=jne, service="REG", dest_province_id=32, price_per_kg=10000
    )
    c = _client(users["owner"], lang="id")
    bad = HEADER + (
        "jne,REG,,32,11000,1,300,1,2\n"  # updates the existing row
        "jne,REG,jkt,32.01.07,9000,1,300,1,1\n"
        "kurirx,REG,,32,1,1,300,1,1\n"  # unknown courier
        "jne,REG,,99.99.99,1000,1,300,1,1\n"  # unknown destination
        "jne,REG,jkt,320107,9500,1,300,1,1\n"  # the same rate as line 3
        "jne,REG,,33,abc,1,300,1,1\n"  # bad price
    )
    r = c.post("/shipping/rates/import/", {"file": _upload(bad)})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-csv-refused="4"' in html and "data-csv-apply" not in html
    assert "Kurir tidak dikenal" in html or "kurirx" in html  # the seller's language (id)
    for line in (4, 5, 6, 7):
        assert f'data-line="{line}" class="has-error"' in html, line
    # Applying the refused text writes nothing.
    c.post("/shipping/rates/import/", {"step": "apply", "text": bad})
    assert list(ShippingRate.objects.values_list("pk", "price_per_kg")) == [(existing.pk, 10000)]

    good = (
        HEADER
        + "jne,REG,,32,11000,1,300,1,2\njne,REG,jkt,32.01.07,9000,1,300,1,1\njne;YES\n".replace(
            "jne;YES\n", "jne,YES,,31,15000,2,0,1,1\n"
        )
    )
    preview = c.post("/shipping/rates/import/", {"file": _upload(good.replace(",", ";"))})
    assert preview.status_code == 200 and b'data-csv-valid="3"' in preview.content
    assert (
        preview.content.count(b'data-action="add"') == 2
        and b'data-action="update"' in preview.content
    )
    assert ShippingRate.objects.count() == 1  # a preview writes nothing
    r = c.post("/shipping/rates/import/", {"step": "apply", "text": good})
    assert r.status_code == 302
    assert ShippingRate.objects.count() == 3
    existing.refresh_from_db()
    assert (existing.price_per_kg, existing.eta_days_max) == (11000, 2)
    assert quote(regions, 1000, warehouse=shop["jkt"])[0].price == 9000


def test_export_imports_back_unchanged(shop, users, regions, jne):  # noqa: F811
    ShippingRate.objects.create(courier=jne, service="REG", dest_province_id=32, price_per_kg=10000)
    ShippingRate.objects.create(
        courier=jne,
        service="YES",
        dest_district_id=CILEUNGSI,
        origin_warehouse=shop["jkt"],
        price_per_kg=18000,
        min_weight_kg=2,
    )
    ShippingRate.objects.create(
        courier=jne, service="REG", dest_city_id=3201, origin_city_id=3173, price_per_kg=9000
    )
    c = _client(users["owner"])
    r = c.get("/shipping/rates/export.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "32.01.07" in text and "Cileungsi" in text and "31.73" in text
    before = sorted(map(str, ShippingRate.objects.values_list(
        "courier_id", "service", "origin_warehouse_id", "origin_city_id", "dest_district_id",
        "dest_city_id", "dest_province_id", "price_per_kg", "min_weight_kg")))  # fmt: skip
    preview = c.post("/shipping/rates/import/", {"file": _upload(text)})
    assert preview.status_code == 200 and preview.content.count(b'data-action="update"') == 3
    assert c.post("/shipping/rates/import/", {"step": "apply", "text": text}).status_code == 302
    after = sorted(map(str, ShippingRate.objects.values_list(
        "courier_id", "service", "origin_warehouse_id", "origin_city_id", "dest_district_id",
        "dest_city_id", "dest_province_id", "price_per_kg", "min_weight_kg")))  # fmt: skip
    assert before == after


def test_import_file_errors(shop, users, regions, jne):  # noqa: F811
    c = _client(users["owner"])
    r = c.post("/shipping/rates/import/", {"file": _upload("a,b,c\n1,2,3\n")})
    assert (
        r.status_code == 422 and b"data-import-error" in r.content and b"price_per_kg" in r.content
    )
    r = c.post("/shipping/rates/import/", {"file": _upload(HEADER)})
    assert r.status_code == 422 and b"no rows" in r.content


def test_desk_district_search(users, regions):  # noqa: F811
    c = _client(users["agent"])
    data = c.get("/shipping/districts/", {"q": "cileungsi"}).json()["results"]
    assert data[0] == {
        "id": CILEUNGSI,
        "code": "32.01.07",
        "label": "Cileungsi, Kab. Bogor, Jawa Barat",
    }
    assert c.get("/shipping/districts/", {"q": "c"}).json() == {"results": []}
    assert Client().get("/shipping/districts/", {"q": "cileungsi"}).status_code == 302


def test_rates_api(shop, api, regions, jne, django_assert_max_num_queries):  # noqa: F811
    ShippingRate.objects.create(courier=jne, service="REG", dest_province_id=32, price_per_kg=10000)
    ShippingRate.objects.create(
        courier=jne, service="YES", dest_district_id=CILEUNGSI, price_per_kg=18000
    )
    r = api.get("/api/v1/shipping/rates", {"service": "YES"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1
    assert body["results"][0] | {"id": 0} == {
        "id": 0, "courier": "jne", "service": "YES", "origin": "", "destination": "32.01.07",
        "destination_name": "Cileungsi, Kab. Bogor, Jawa Barat", "price_per_kg": 18000,
        "min_weight_kg": 1, "rounding_grams": 300, "eta_days_min": 1, "eta_days_max": 3,
        "active": True,
    }  # fmt: skip
    assert api.get("/api/v1/shipping/rates", {"limit": 0}).status_code == 422
