from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from tokodesk.accounts.roles import PERMISSION_GROUPS, ROLES
from tokodesk.core.errors import ValidationFailed


@transaction.atomic
def user_create(*, username: str, role: str, password: str | None = None, email: str = "",
                first_name: str = "") -> object:
    """Create a user in one role (owner, admin, agent, warehouse, finance, viewer)."""
    if role not in ROLES and role not in PERMISSION_GROUPS:
        raise ValidationFailed("invalid_role", f"Unknown role {role!r}; one of {', '.join([*ROLES, *PERMISSION_GROUPS])}.",
                               fields={"role": "unknown"})
    User = get_user_model()
    user = User.objects.create_user(username=username, email=email, password=password, first_name=first_name)
    user.is_staff = role in ("owner", "admin")
    user.save(update_fields=["is_staff"])
    user.groups.set([Group.objects.get(name=role)])
    return user
