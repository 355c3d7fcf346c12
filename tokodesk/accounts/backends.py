"""Django's ModelBackend with the user's permissions read in one plain query.

ModelBackend builds two ORM queries (the user's own permissions, then their groups') the
first time a request asks `has_perm`; every API call and page does, and building them cost
more than running them (about a millisecond of CPU per request, measured by
bench/measure_api_create.py). Here one SQL statement, written once, reads both sets. What
it answers is exactly ModelBackend's: active users only, superusers get every permission
(left to ModelBackend), the result is cached on the user object for the request."""

from __future__ import annotations

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router

from tokodesk.core.http import client_ip as core_client_ip

_SQL: dict[str, str] = {}


def _sql(connection) -> str:
    if connection.alias not in _SQL:
        q = connection.ops.quote_name
        user_model = get_user_model()
        user_perms = user_model.user_permissions.through._meta
        user_groups = user_model.groups.through._meta
        group_perms = Permission.group_set.through._meta
        _SQL[connection.alias] = (
            f"SELECT ct.{q('app_label')}, p.{q('codename')} "
            f"FROM {q(Permission._meta.db_table)} p "
            f"JOIN {q(ContentType._meta.db_table)} ct ON ct.{q('id')} = p.{q('content_type_id')} "
            f"WHERE p.{q('id')} IN ("
            f"SELECT {q('permission_id')} FROM {q(user_perms.db_table)} WHERE {q('user_id')} = %s "
            f"UNION SELECT gp.{q('permission_id')} FROM {q(group_perms.db_table)} gp "
            f"JOIN {q(user_groups.db_table)} ug ON ug.{q('group_id')} = gp.{q('group_id')} "
            f"WHERE ug.{q('user_id')} = %s)"
        )
    return _SQL[connection.alias]


class Backend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if (
            not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or user_obj.is_superuser
        ):
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            connection = connections[router.db_for_read(Permission)]
            with connection.cursor() as cursor:
                cursor.execute(_sql(connection), [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app}.{code}" for app, code in cursor.fetchall()}
        return user_obj._perm_cache


class LoginLimitBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS: a username locked
    out from an address is refused before any password is compared.

    A login without a request (a management command, the test client's `login`) is not
    a login from an address and is left to the next backend; every page and the admin
    pass their request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The address django-axes counts failures against: the one the landing pages' rate
    limit uses (TOKODESK_CLIENT_IP_HEADER behind a proxy), when it is an IP address —
    axes stores it in an address column, so anything else (a forged header, a request
    built without REMOTE_ADDR such as the test client's force_login) counts as None."""
    for value in (core_client_ip(request), request.META.get("REMOTE_ADDR") or ""):
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            continue
    return None
