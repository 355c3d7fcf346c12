"""The SQLite backend's datetime converter (tokodesk.core.sqlite.base.DatabaseOperations)
gives what Django's gives, for every kind of value a column may hold, with and without
USE_TZ, and through the ORM."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.sqlite3.operations import DatabaseOperations as DjangoOperations
from django.test import override_settings

from tokodesk.core.sqlite.base import DatabaseOperations

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backend")

VALUES = [
    None,
    dt.datetime(2026, 11, 20, 5, 30, 15),
    dt.datetime(2026, 11, 20, 5, 30, 15, 123456),
    dt.datetime(2026, 11, 20, 5, 30, 15, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 20, 5, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=7))),
    "2026-11-20 05:30:15",
    "2026-11-20 05:30:15.123456",
    "2026-11-20T05:30:15+07:00",
    "2026-11-20 05:30:15.5Z",
]


@pytest.mark.parametrize("use_tz", [True, False])
def test_same_value_as_djangos_converter(use_tz):
    with override_settings(USE_TZ=use_tz):
        ours, django = DatabaseOperations(connection), DjangoOperations(connection)
        for value in VALUES:
            expected = django.convert_datetimefield_value(value, None, connection)
            got = ours.convert_datetimefield_value(value, None, connection)
            assert got == expected and type(got) is type(expected), value
            if got is not None:
                assert got.tzinfo == expected.tzinfo and got.utcoffset() == expected.utcoffset(), (
                    value
                )


def test_the_connection_uses_it():
    assert isinstance(connection.ops, DatabaseOperations)


@pytest.mark.django_db
def test_read_back_through_the_orm(users):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="owner")
    when = dt.datetime(2026, 11, 20, 5, 30, 15, 123456, tzinfo=dt.UTC)
    get_user_model().objects.filter(pk=user.pk).update(last_login=when)
    read = get_user_model().objects.values_list("last_login", flat=True).get(pk=user.pk)
    assert read == when and read.tzinfo == connection.timezone
