"""The permission backend answers exactly what Django's ModelBackend answers, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from tokodesk.accounts.backends import Backend


def fresh(user):
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("role", ["owner", "admin", "agent", "warehouse", "finance", "viewer"])
def test_same_permissions_as_model_backend(db, role):
    user = make_user(role)
    extra = Permission.objects.get(codename="add_tag")
    user.user_permissions.add(extra)  # a permission of the user's own, besides the group's
    mine = Backend().get_all_permissions(fresh(user))
    django = ModelBackend().get_all_permissions(fresh(user))
    assert mine == django and "orders.add_tag" in mine
    assert len(mine) > 1


def test_two_groups_inactive_and_superuser(db):
    user = make_user("agent")
    user.groups.add(Group.objects.get(name="finance") if Group.objects.filter(name="finance").exists()
                    else Group.objects.exclude(pk__in=user.groups.all()).first())
    assert Backend().get_all_permissions(fresh(user)) == ModelBackend().get_all_permissions(fresh(user))
    user.is_active = False
    user.save()
    assert Backend().get_all_permissions(fresh(user)) == set()
    root = type(user).objects.create_superuser("root", "root@example.com", "pw-123456")
    assert Backend().get_all_permissions(fresh(root)) == ModelBackend().get_all_permissions(fresh(root))


def test_one_query_then_cached_and_used_by_has_perm(db, settings):
    user = fresh(make_user("agent"))
    with CaptureQueriesContext(connection) as ctx:
        allowed = user.has_perm("orders.view_order")
        user.has_perm("orders.add_order")
        user.has_perm("returns.manage_refunds")
    assert allowed and len(ctx.captured_queries) == 1
