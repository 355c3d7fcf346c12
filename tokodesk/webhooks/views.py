"""The owner's webhook pages (/webhooks/…): list, create, edit, delete, the delivery log
with resend, the test event. Plain forms (no script needed), under the CSP."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokodesk.core.errors import DomainError, NotFound, ValidationFailed
from tokodesk.webhooks import events, services
from tokodesk.webhooks.forms import SubscriptionForm
from tokodesk.webhooks.models import WebhookDelivery, WebhookSubscription

owner_only = permission_required(services.MANAGE, raise_exception=True)
LOG_SIZE = 50


def _get(pk) -> WebhookSubscription:
    try:
        return services.subscription_get(pk)
    except NotFound:
        raise Http404 from None


def _labels() -> dict:
    return {t: str(label) for t, label in events.choices()}


def _apply_errors(form, exc: DomainError) -> None:
    for field, message in exc.fields.items():
        form.add_error(field if field in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


@login_required
@owner_only
def subscription_list(request):
    subscriptions = list(WebhookSubscription.objects.all())
    labels = _labels()
    for sub in subscriptions:
        sub.event_labels = [labels.get(t, t) for t in sub.event_types]
    return render(request, "webhooks/list.html", {
        "subscriptions": subscriptions, "nav": "settings",
        "disabled": [s for s in subscriptions if s.disabled_at and not s.is_active],
    })


@login_required
@owner_only
def subscription_create(request):
    form = SubscriptionForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            sub = services.subscription_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Webhook created. Copy its signing secret to your receiver."))
            return redirect("webhooks:detail", sub.pk)
    return render(request, "webhooks/form.html", {"form": form, "nav": "settings", "sub": None})


@login_required
@owner_only
def subscription_edit(request, pk: int):
    sub = _get(pk)
    initial = {"url": sub.url, "description": sub.description, "event_types": sub.event_types,
               "is_active": sub.is_active}
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_update(actor=request.user, subscription_id=sub.pk, changes=form.cleaned_data)
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("webhooks:detail", sub.pk)
    return render(request, "webhooks/form.html", {"form": form, "nav": "settings", "sub": sub})


@login_required
@owner_only
def subscription_detail(request, pk: int):
    sub = _get(pk)
    status = request.GET.get("status") or ""
    deliveries = sub.deliveries.select_related("event").prefetch_related("attempt_log").order_by("-id")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    labels = _labels()
    return render(request, "webhooks/detail.html", {
        "sub": sub, "nav": "settings", "deliveries": deliveries[:LOG_SIZE], "status": status,
        "statuses": WebhookDelivery.Status.choices, "event_labels": [labels.get(t, t) for t in sub.event_types],
    })


@login_required
@owner_only
def subscription_delete(request, pk: int):
    sub = _get(pk)
    if request.method == "POST":
        services.subscription_delete(actor=request.user, subscription_id=sub.pk)
        messages.success(request, _("Webhook deleted."))
        return redirect("webhooks:list")
    return render(request, "webhooks/delete.html", {"sub": sub, "nav": "settings"})


@require_POST
@login_required
@owner_only
def subscription_ping(request, pk: int):
    sub = _get(pk)
    d = services.subscription_ping(actor=request.user, subscription_id=sub.pk)
    if d.status == WebhookDelivery.Status.DELIVERED:
        messages.success(request, _("Test event delivered (HTTP %(code)s).") % {"code": d.last_status_code})
    elif not sub.is_active:
        messages.warning(request, _("The webhook is off: the test event waits until it is turned on."))
    else:
        messages.error(request, _("The test event failed: %(error)s. It will be tried again.")
                       % {"error": d.last_error or "?"})
    return redirect("webhooks:detail", sub.pk)


@require_POST
@login_required
@owner_only
def subscription_roll_secret(request, pk: int):
    sub = services.subscription_roll_secret(actor=request.user, subscription_id=_get(pk).pk)
    messages.success(request, _("New signing secret made: update your receiver."))
    return redirect("webhooks:detail", sub.pk)


@require_POST
@login_required
@owner_only
def delivery_resend(request, pk: int):
    try:
        d = services.delivery_resend(actor=request.user, delivery_id=pk)
    except NotFound:
        raise Http404 from None
    if d.status == WebhookDelivery.Status.DELIVERED:
        messages.success(request, _("Event sent again and delivered."))
    elif not d.subscription.is_active:
        messages.warning(request, _("Queued: it goes out once the webhook is turned on."))
    else:
        messages.error(request, _("Sent again, still failing: %(error)s. It will be tried again.")
                       % {"error": d.last_error or "?"})
    return redirect(reverse("webhooks:detail", args=[d.subscription_id]) + f"#delivery-{d.pk}")
