"""The roles of SPEC 1 as Django groups and the permissions each holds.

Permissions are `app_label.codename`. The data migration and `sync_roles` read this."""

from django.utils.translation import gettext_lazy as _

ORDER_READ = ["orders.view_order"]
ALL_ORDERS = ["orders.view_all_orders"]
CATALOG_READ = [
    "catalog.view_product", "catalog.view_variant", "catalog.view_warehouse", "catalog.view_stock",
    "customers.view_customer", "shipping.view_courier", "storefront.view_landingpage",
]
# Products, variants, categories and warehouses (issue 13): owner and admin edit them.
CATALOG_WRITE = [
    "catalog.add_product", "catalog.change_product", "catalog.add_variant", "catalog.change_variant",
    "catalog.add_warehouse", "catalog.change_warehouse", "catalog.add_category", "catalog.change_category",
]
# Shipping rate tables and each courier's COD fee and insurance (issue 14): owner and admin.
# Carriers and their services (issue 17): added and changed, deactivated, never deleted.
SHIPPING_WRITE = ["shipping.add_shippingrate", "shipping.change_shippingrate", "shipping.delete_shippingrate",
                  "shipping.add_courier", "shipping.change_courier",
                  # Payment methods and their flows (issue 17): the same, never deleted.
                  "payments.add_paymentmethod", "payments.change_paymentmethod"]
ORDER_WORK = [
    "orders.add_order", "orders.change_order", "orders.process_order", "orders.add_ordernote",
    "orders.view_ordernote",
]
ORDER_ALL = ORDER_READ + ALL_ORDERS + ORDER_WORK + [
    "orders.manage_payments", "orders.ship_order", "orders.assign_order",
]

# Returns (SPEC 1 and 3): agents create returns for their orders, the warehouse receives,
# finance completes (refunds, store credit), the owner also manages reasons and custom states.
RETURN_READ = ["returns.view_return", "returns.view_refund"]
ALL_RETURNS = ["returns.view_all_returns"]
RETURN_WORK = ["returns.add_return", "returns.change_return", "returns.process_return"]
RETURN_ALL = RETURN_READ + ALL_RETURNS + RETURN_WORK + [
    "returns.receive_return", "returns.complete_return", "returns.manage_refunds",
    "returns.override_return_window",
]
RETURN_SETTINGS = [
    "returns.add_returnreason", "returns.change_returnreason",
    "returns.add_customstate", "returns.change_customstate", "returns.delete_customstate",
]
# The return slip and return summary templates (issue 17, returns/reports/): owner and admin.
REPORT_TEMPLATES = ["returns.change_reporttemplate"]

ROLES: dict[str, list[str]] = {
    "owner": ORDER_ALL + CATALOG_READ + CATALOG_WRITE + SHIPPING_WRITE + ["orders.manage_settings", "auth.add_user", "auth.change_user"]
    + RETURN_ALL + RETURN_SETTINGS + REPORT_TEMPLATES + ["webhooks.manage_webhooks"],
    "admin": ORDER_ALL + CATALOG_READ + CATALOG_WRITE + SHIPPING_WRITE + RETURN_ALL + REPORT_TEMPLATES,
    "agent": ORDER_READ + ORDER_WORK + CATALOG_READ + RETURN_READ + RETURN_WORK,
    "warehouse": ORDER_READ + ALL_ORDERS + CATALOG_READ + ["orders.ship_order", "orders.add_ordernote"]
    + RETURN_READ + ALL_RETURNS + ["returns.receive_return"],
    "finance": ORDER_READ + ALL_ORDERS + CATALOG_READ + ["orders.manage_payments", "orders.add_ordernote"]
    + RETURN_READ + ALL_RETURNS + ["returns.complete_return", "returns.manage_refunds"],
    "viewer": ORDER_READ + ALL_ORDERS + CATALOG_READ + RETURN_READ + ALL_RETURNS,
}

# Permission groups that are not roles: granted on their own, beside a role (InvenTree's
# `return_order` group: every return permission, on every order, without order rights).
PERMISSION_GROUPS: dict[str, list[str]] = {
    "return_order": RETURN_ALL,
}


# What people read for each group (the group's `name` is a code: pickers, badges and
# filters show these, translated); a group made by hand keeps its own name.
GROUP_LABELS = {
    "owner": _("Owner"), "admin": _("Admin"), "agent": _("Agent"), "warehouse": _("Warehouse"),
    "finance": _("Finance"), "viewer": _("Viewer"),
    "return_order": _("Returns (every return)"),
}


def group_label(name: str) -> str:
    """The group's human name in the active language ("return_order" → "Returns …")."""
    label = GROUP_LABELS.get(name)
    return str(label) if label is not None else name


def sync_roles(group_model, permission_model) -> None:
    """Create the role groups and give each exactly its permissions (idempotent).
    Accepts model classes (migrations) or managers."""
    groups = getattr(group_model, "objects", group_model)
    permissions = getattr(permission_model, "objects", permission_model)
    for role, perms in {**ROLES, **PERMISSION_GROUPS}.items():
        group, _ = groups.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            try:
                wanted.append(permissions.get(content_type__app_label=app_label, codename=codename))
            except permissions.model.DoesNotExist:
                # An app migrated after the roles migration has no permissions yet; the
                # post_migrate sync gives them. So has a model added to an app by a later
                # migration (catalog's Category, StockMovement …): a default permission
                # (add_/change_/delete_/view_<model>) of a model without its content type
                # yet. A wrong codename of a migrated model fails.
                if permissions.filter(content_type__app_label=app_label).exists() and not (
                    codename.split("_", 1)[0] in ("add", "change", "delete", "view")
                    and not permissions.filter(
                        content_type__app_label=app_label,
                        content_type__model=codename.split("_", 1)[1],
                    ).exists()
                ):
                    raise
        group.permissions.set(wanted)


def role_of(user) -> str | None:
    if user.is_superuser:
        return "owner"
    names = {g.name for g in user.groups.all()}
    for role in ROLES:
        if role in names:
            return role
    return None
