"""The roles of SPEC 1 as Django groups and the permissions each holds.

Permissions are `app_label.codename`. The data migration and `sync_roles` read this."""

ORDER_READ = ["orders.view_order"]
ALL_ORDERS = ["orders.view_all_orders"]
CATALOG_READ = [
    "catalog.view_product", "catalog.view_variant", "catalog.view_warehouse", "catalog.view_stock",
    "customers.view_customer", "shipping.view_courier", "storefront.view_landingpage",
]
ORDER_WORK = [
    "orders.add_order", "orders.change_order", "orders.process_order", "orders.add_ordernote",
    "orders.view_ordernote",
]
ORDER_ALL = ORDER_READ + ALL_ORDERS + ORDER_WORK + [
    "orders.manage_payments", "orders.ship_order", "orders.assign_order",
]

ROLES: dict[str, list[str]] = {
    "owner": ORDER_ALL + CATALOG_READ + ["orders.manage_settings", "auth.add_user", "auth.change_user"],
    "admin": ORDER_ALL + CATALOG_READ,
    "agent": ORDER_READ + ORDER_WORK + CATALOG_READ,
    "warehouse": ORDER_READ + ALL_ORDERS + CATALOG_READ + ["orders.ship_order", "orders.add_ordernote"],
    "finance": ORDER_READ + ALL_ORDERS + CATALOG_READ + ["orders.manage_payments", "orders.add_ordernote"],
    "viewer": ORDER_READ + ALL_ORDERS + CATALOG_READ,
}


def sync_roles(group_model, permission_model) -> None:
    """Create the role groups and give each exactly its permissions (idempotent).
    Accepts model classes (migrations) or managers."""
    groups = getattr(group_model, "objects", group_model)
    permissions = getattr(permission_model, "objects", permission_model)
    for role, perms in ROLES.items():
        group, _ = groups.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(permissions.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def role_of(user) -> str | None:
    if user.is_superuser:
        return "owner"
    names = {g.name for g in user.groups.all()}
    for role in ROLES:
        if role in names:
            return role
    return None
