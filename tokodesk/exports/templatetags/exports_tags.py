"""`{% export_menu as menu %}`: what the export menu of the orders page needs (the
templates, whether the user manages them), so `exports/_export_button.html` is
self-contained."""

from django import template

from tokodesk.exports import services
from tokodesk.exports.models import ExportTemplate

register = template.Library()


@register.simple_tag(takes_context=True)
def export_menu(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if not services.can_export(user):
        return {"allowed": False}
    return {
        "allowed": True,
        "templates": list(ExportTemplate.objects.only("id", "name", "built_in")),
        "can_manage": services.can_manage_templates(user),
        "sync_limit": services.sync_limit(),
    }
