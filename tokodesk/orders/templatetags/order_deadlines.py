"""`{% load order_deadlines %}{% order_deadline order as dl %}`: the countdown of `tokodesk.orders.deadlines` for the
order list and cards (rendered by orders/_deadline.html)."""

from django import template

register = template.Library()


@register.simple_tag
def order_deadline(order):
    from tokodesk.orders.deadlines import deadline_for

    return deadline_for(order)
