"""The public landing page (/p/<slug>/): the product and its order form; the thank-you page.

Every rendering of the form carries a new one-time token. The order is made by
`landing_order_submit`, which answers a second submit of the same token (refresh, double
click, retry) with the first order, so the buyer lands on the same thank-you page."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tokodesk.core.errors import DomainError, NotFound
from tokodesk.core.models import ShopSettings, settings_read_once
from tokodesk.core.shop_locale import request_row
from tokodesk.orders.payment_options import method_rows
from tokodesk.orders.states import PaymentMethod
from tokodesk.storefront import page_cache, services
from tokodesk.storefront.forms import HONEYPOT, LandingOrderForm
from tokodesk.storefront.links import order_link_url
from tokodesk.storefront.models import LandingSubmission


def _page_or_404(slug):
    try:
        return services.public_page(slug)
    except NotFound as exc:
        raise Http404 from exc


def _price_range(options):
    prices = sorted({o.price for o in options})
    if not prices:
        return None, None
    return prices[0], prices[-1]


def _render(request, page, form, *, status=200, alert="", alert_kind="error"):
    return render(request, "storefront/landing.html", _context(page, form, alert=alert, alert_kind=alert_kind),
                  status=status)


def _context(page, form, *, alert="", alert_kind="error") -> dict:
    options = form.options
    low, high = _price_range(options)
    selected = form["variant"].value() if form.is_bound else form.initial.get("variant")
    return {
        "page": page,
        "product": page.product,
        "form": form,
        "options": options,
        "selected_sku": selected or "",
        "selected_method": (form["payment_method"].value() if form.is_bound else form.initial.get("payment_method")) or "",
        "any_in_stock": any(o.in_stock for o in options),
        "price_low": low,
        "price_high": high,
        "currency": ShopSettings.get().currency,
        "alert": alert,
        "alert_kind": alert_kind,
        "honeypot": HONEYPOT,
        "district_label": _district_label(form),
        "method_hints": _method_hints(page),
    }


def _fresh_page(request, slug):
    """The page as a new buyer gets it: its cached render (page_cache) with this request's
    tokens and the variants' stock of now; rendered in full on a miss."""
    state = page_cache.read(slug)
    if state is None:
        raise Http404
    settings_row = request_row()  # the shop's row the middleware read: this process's copy, no query
    language = translation.get_language() or ""
    pieces = page_cache.get(page_cache.key(state, method_rows(list(state.payment_methods)), settings_row, language))
    if pieces is None:
        page = _page_or_404(slug)
        form = LandingOrderForm(page=page, initial={"form_token": page_cache.FORM_TOKEN})
        context = {**_context(page, form), **page_cache.template_context(request)}
        html = render_to_string("storefront/landing.html", context, request=request)
        # Kept under the key of what this render read (the rows may have changed since `read`).
        state = page_cache.state_of(page, form.options)
        pieces = page_cache.put(page_cache.key(state, method_rows(page.payment_methods or []), settings_row,
                                               language), html)
    in_stock = [o for o in state.options if o.in_stock]
    variants = page_cache.variants_html(state.options, in_stock[0].sku if in_stock else "", settings_row.currency)
    return HttpResponse(page_cache.assemble(pieces, request, form_token=services.new_form_token(state),
                                            variants=variants))


def _method_hints(page) -> dict:
    """A line under each method of the page, by its flow (the shop's methods: "paypal" is a gateway)."""
    hints = {
        PaymentMethod.COD: _("Pay cash to the courier when the package arrives."),
        PaymentMethod.BANK_TRANSFER: _("Transfer to the shop's account; the details follow after you order."),
        PaymentMethod.PAYMENT_GATEWAY: _("Pay online: the payment link follows after you order."),
    }
    return {code: hints.get(flow, "") for code, _label, flow in method_rows(page.payment_methods or [])}


def _district_label(form):
    """The district typed before, shown again in the search box when the form comes back."""
    from tokodesk.shipping.models import District

    value = form["district"].value() if form.is_bound else None
    try:
        district = District.objects.select_related("city", "province").filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return ""
    return district.label if district else ""


def _fresh_form(page, data=None):
    """The form again for another try: what was typed, with a new one-time token."""
    if data is None:
        return LandingOrderForm(page=page, initial={"form_token": services.new_form_token(page)})
    data = data.copy()
    data["form_token"] = services.new_form_token(page)
    data[HONEYPOT] = ""
    form = LandingOrderForm(data, page=page)
    form.is_valid()
    return form


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@settings_read_once()  # the shop's settings: one read per request (the page, its template tags, the order)
def landing_page_view(request, slug):
    if request.method != "POST":
        return _fresh_page(request, slug)
    page = _page_or_404(slug)

    token = request.POST.get("form_token", "")
    if not services.form_token_valid(page, token):
        return _render(request, page, _fresh_form(page, request.POST), status=400, alert=_(
            "This form has expired. Please check your details and press the order button again."))

    # A form already sent (refresh, double click, retry): the first order's thank-you page.
    previous = services.previous_thanks(page.pk, token)
    if previous is not None:
        order_page_id, order_id = previous
        if order_page_id != page.pk:  # its order is no longer this page's: as before (read whole)
            submission = LandingSubmission.objects.filter(landing_page=page, form_token=token).select_related("order")
            return _thanks_redirect(submission.first().order)
        return _thanks_redirect_to(page.slug, order_id)  # the page just read: its slug of now

    if request.POST.get(HONEYPOT, "").strip():
        return _render(request, page, _fresh_form(page, request.POST), status=400, alert=_(
            "Your order was not sent: a field that must stay empty was filled in (this stops spam robots). "
            "If you are not a robot, please press the order button again."))

    form = LandingOrderForm(request.POST, page=page)
    if not form.is_valid():
        return _render(request, page, form, status=422,
                       alert=_("Your order was not sent yet. Please check the fields marked in red."))
    try:
        data = form.order_input()
        data.language = translation.get_language() or ""  # the buyer's: the order keeps it
        result = services.landing_order_submit(page_id=page.pk, form_token=token,
                                               ip=services.client_ip(request), data=data,
                                               page=page, options=form.options,  # not read again
                                               choices=form.fields["payment_method"].choices)
    except services.RateLimited as exc:
        return render(request, "storefront/landing_limited.html", {"page": page, "message": exc.message},
                      status=429)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        # Refused by the service (stock changed since the page was shown …): nothing was
        # written, so the same token may be sent again once corrected.
        loose = form.apply_service_error(exc)
        alert = " ".join(loose) or _("Your order was not sent yet. Please check the fields marked in red.")
        return _render(request, page, form, status=422, alert=alert)
    return _thanks_redirect(result.order)


def _thanks_redirect(order):
    """303: the browser GETs the thank-you page, so a refresh there does not resend."""
    return _thanks_redirect_to(order.landing_page.slug, order.pk)


def _thanks_redirect_to(slug: str, order_id: int):
    response = redirect("storefront:thanks", slug=slug, token=services.thanks_token(SimpleNamespace(pk=order_id)))
    response.status_code = 303
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
@settings_read_once()
def thank_you_view(request, slug, token):
    order = services.thanks_values(token)  # plain values: two queries, no model instances
    if order is None:
        raise Http404
    if order["page_slug"] != slug:
        return redirect("storefront:thanks", slug=order["page_slug"], token=token)
    link = request.build_absolute_uri(order_link_url(SimpleNamespace(pk=order["pk"])))
    return render(request, "storefront/thanks.html", {
        "page": {"slug": order["page_slug"]},
        "order": order,
        "lines": order["lines"],
        "link": link,
        "is_transfer": order["payment_method"] == PaymentMethod.BANK_TRANSFER,
        "is_cod": order["payment_method"] == PaymentMethod.COD,
        "instructions": order["instructions"],
    })
