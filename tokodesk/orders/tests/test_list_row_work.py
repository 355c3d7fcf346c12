"""What the lists do for every row, made cheaper (issue 16) with the same answers:
label_of's flows from a set kept at import, available_for asking each permission once."""

from __future__ import annotations

from django.utils import translation

from tokodesk.orders.payment_options import label_of
from tokodesk.orders.states import ORDER_TRANSITIONS, PaymentMethod, Status
from tokodesk.orders.tests.test_list_output_equivalence import _make_orders


def test_label_of_as_before():
    for language in ("id", "en", "fr"):
        with translation.override(language):
            for flow in [*PaymentMethod.values, "paypal", ""]:
                expected = str(PaymentMethod(flow).label) if flow in PaymentMethod.values else flow
                assert label_of(flow) == expected
                assert label_of(flow, None, None) == expected
            assert label_of("cod", "Bayar di tempat") == "Bayar di tempat"


class CountingUser:
    def __init__(self, user):
        self.user, self.asked = user, []

    def has_perm(self, perm, obj=None):
        self.asked.append(perm)
        return self.user.has_perm(perm)


def test_available_for_as_available_asking_each_permission_once(shop, users):
    from tokodesk.orders.models import Order

    _make_orders(30, users["owner"])
    orders = list(Order.objects.all())
    assert {o.status for o in orders} == set(Status.values)
    for role, user in users.items():
        counting = CountingUser(user)
        actions = ORDER_TRANSITIONS.available_for(counting)
        assert len(counting.asked) == len(set(counting.asked)), role
        assert set(counting.asked) == {t.permission for t in ORDER_TRANSITIONS}, role
        for order in orders:
            assert actions(order) == [t.action for t in ORDER_TRANSITIONS.available(order, user)], (
                role,
                order.status,
            )
    anyone = ORDER_TRANSITIONS.available_for(None)
    for order in orders:
        assert anyone(order) == [t.action for t in ORDER_TRANSITIONS.available(order, None)]


def test_a_guards_refuses_is_its_decision():
    """A guard's `refuses(obj)` (what available_for asks) says what the guard says."""
    from types import SimpleNamespace

    with_test = [g for t in ORDER_TRANSITIONS for g in t.guards if hasattr(g, "refuses")]
    assert with_test, "method_is guards carry refuses"
    for guard in with_test:
        for flow in [*PaymentMethod.values, "paypal"]:
            order = SimpleNamespace(payment_method=flow)
            assert guard.refuses(order) == bool(guard(order, None)), (guard.__doc__, flow)
