"""{% webhooks_notice %}: the owner's notice of webhooks the desk turned off (settings page)."""

from django import template

register = template.Library()


@register.inclusion_tag("webhooks/_notice.html", takes_context=True)
def webhooks_notice(context):
    from tokodesk.webhooks.models import WebhookSubscription

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("webhooks.manage_webhooks"):
        return {"disabled": [], "show_link": False}
    disabled = list(WebhookSubscription.objects.filter(is_active=False, disabled_at__isnull=False))
    return {"disabled": disabled, "show_link": True}
