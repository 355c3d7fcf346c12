from tokodesk.accounts.roles import GROUP_LABELS, ROLES, role_of

ROLE_LABELS = {role: GROUP_LABELS[role] for role in ROLES}


def role(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    name = role_of(user)
    return {"user_role": name, "user_role_label": ROLE_LABELS.get(name, "")}
