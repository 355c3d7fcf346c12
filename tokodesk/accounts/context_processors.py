from django.utils.translation import gettext_lazy as _

from tokodesk.accounts.roles import role_of

ROLE_LABELS = {
    "owner": _("Owner"), "admin": _("Admin"), "agent": _("Agent"), "warehouse": _("Warehouse"),
    "finance": _("Finance"), "viewer": _("Viewer"),
}


def role(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    name = role_of(user)
    return {"user_role": name, "user_role_label": ROLE_LABELS.get(name, "")}
