"""Fixtures for tests that need the regions (import them into a test module).

The data migration loads the regions into each test database; a transactional test
flushes them, so `regions` loads them again when they are gone."""

import pytest

from tokodesk.shipping.models import Courier, District
from tokodesk.shipping.rates_demo import load_demo_rates
from tokodesk.shipping.regions import ensure_regions

CILEUNGSI = 320107  # Cileungsi, Kab. Bogor, Jawa Barat (16820)


@pytest.fixture
def regions(db):
    ensure_regions()
    return District.objects.select_related("city", "province").get(pk=CILEUNGSI)


@pytest.fixture
def demo_rates(regions, shop):
    load_demo_rates(Courier.objects.all())
    return regions
