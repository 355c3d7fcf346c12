"""The API's renderer (core.api.renderer) writes ninja's bytes: json.dumps with ninja's
NinjaJSONEncoder, for any value (hypothesis) and for the API's own answers (every tab of
the orders list, the tab counts, an order, as the owner and an agent)."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from ninja.renderers import JSONRenderer
from pydantic import BaseModel

from tokodesk.core.api.renderer import ApiJSONEncoder, ApiRenderer


class Colour(enum.Enum):
    RED = "red"


class Point(BaseModel):
    x: int
    at: dt.datetime


class MyDateTime(dt.datetime):
    """A datetime subclass: not formatted by the fast path, the result must not differ."""


ZONES = [
    dt.UTC,
    dt.timezone(dt.timedelta(hours=7)),
    dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
    zoneinfo.ZoneInfo("Europe/Paris"),
    zoneinfo.ZoneInfo("Asia/Jakarta"),
    None,
]

datetimes = st.builds(
    lambda d, tz: d.replace(tzinfo=tz),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    st.sampled_from(ZONES),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(),
    datetimes,
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.decimals(allow_nan=False),
    st.uuids(),
    st.just(Colour.RED),
    st.just(gettext_lazy("Not found.")),
    datetimes.map(
        lambda d: MyDateTime(
            d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, d.tzinfo
        )
    ),
    st.builds(Point, x=st.integers(), at=datetimes),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


def ninja_bytes(data) -> str:
    return JSONRenderer().render(None, data, response_status=200)


@settings(max_examples=300, deadline=None)
@given(values)
def test_any_value_renders_as_ninja_renders_it(value):
    assert ApiRenderer().render(None, value, response_status=200) == ninja_bytes(value)


def test_datetimes_to_the_millisecond_utc_as_z_and_the_rest_as_django():
    cases = [
        dt.datetime(2026, 11, 20, 5, 30, 15, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 20, 5, 30, 15, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 20, 5, 30, 15, 999, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        dt.datetime(2026, 11, 20, 5, 30, 15, 1000),
        dt.date(2026, 2, 28),
        dt.time(5, 30, 15, 123456),
        decimal.Decimal("1.50"),
        uuid.UUID(int=7),
        'é → \u2028 \x7f "q"',
    ]
    for value in cases:
        assert ApiRenderer().render(None, {"v": value}, response_status=200) == ninja_bytes(
            {"v": value}
        ), value
    assert ApiJSONEncoder().default(cases[0]) == "2026-11-20T05:30:15.123Z"


def test_aware_times_are_refused_as_django_refuses_them():
    with pytest.raises(ValueError):
        ApiRenderer().render(None, dt.time(5, tzinfo=dt.UTC), response_status=200)
    with pytest.raises(TypeError):
        ApiRenderer().render(None, object(), response_status=200)


def test_the_api_serves_with_it():
    from tokodesk.ops.api import api

    assert isinstance(api.renderer, ApiRenderer)


def test_the_api_answers_byte_for_byte_as_with_ninjas_renderer(shop, users, api_as, monkeypatch):
    from django.utils import timezone

    from tokodesk.ops.api import api
    from tokodesk.orders.models import Order
    from tokodesk.orders.tabs import TABS
    from tokodesk.orders.tests.test_list_output_equivalence import NOW, _make_orders

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    _make_orders(30, users["owner"])
    reference = Order.objects.order_by("pk").values_list("reference", flat=True)[3]
    paths = [f"/api/v1/orders?tab={tab}&limit=30" for tab in TABS]
    paths += [
        "/api/v1/orders/tab-counts",
        f"/api/v1/orders/{reference}",
        "/api/v1/orders/NOPE",
        "/api/v1/orders?limit=0",
    ]
    monkeypatch.setattr(api, "renderer", ApiRenderer())
    for role in ("owner", "agent"):
        client = api_as(role)
        for path in paths:
            ours = client.get(path)
            with monkeypatch.context() as m:
                m.setattr(api, "renderer", JSONRenderer())
                theirs = client.get(path)
            assert ours.status_code == theirs.status_code, path
            assert ours.content == theirs.content, (role, path)
            assert ours.headers == theirs.headers, (role, path)
