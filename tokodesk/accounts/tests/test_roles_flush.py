"""The role groups survive a test-database flush (post_migrate re-syncs them)."""

import pytest

from tokodesk.accounts.roles import ROLES, role_of
from tokodesk.accounts.services import user_create


@pytest.mark.django_db(transaction=True)
def test_roles_exist_in_a_transactional_test():
    user = user_create(username="a", role="agent")
    assert user.has_perm("orders.process_order") and not user.has_perm("orders.view_all_orders")


@pytest.mark.django_db(transaction=True)
def test_roles_exist_after_the_flush_of_the_previous_test():
    user = user_create(username="b", role="finance")
    assert user.has_perm("orders.manage_payments") and role_of(user) == "finance"


def test_every_role_has_its_permissions(db):
    for role, perms in ROLES.items():
        user = user_create(username=f"u-{role}", role=role)
        assert all(user.has_perm(p) for p in perms), role
