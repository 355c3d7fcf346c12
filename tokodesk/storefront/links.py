"""The customer's order link: tokodesk.orders.links (kept importable from here)."""

from tokodesk.orders.links import SALT, order_from_token, order_link_token, order_link_url

__all__ = ["SALT", "order_from_token", "order_link_token", "order_link_url"]
