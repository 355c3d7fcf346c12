"""The bank transfer on the buyer's order page (issue 12, item 14): a WhatsApp button to
the shop with a message that names the order and the amount, and the upload of the proof
of transfer (orders.proofs, through core.uploads.clean_upload) — so the buyer no longer
reads "send the proof by WhatsApp" with nothing to tap.

The team sees what the buyer sent on the order page: the section "Buyer's proof of
transfer" (registered with core.sections by StorefrontConfig.ready()) with the unique
transfer code and the proof, served inert (core.uploads.serve_upload) to the users who may
see the order.

WhatsApp number: the assigned agent's when the user model has one (`phone` or
`whatsapp`; Django's user has none today), else the shop's WhatsApp, else the shop's phone
(core ShopSettings' profile). No number: no button; the upload is there all the same.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tokodesk.core.errors import DomainError
from tokodesk.core.links import safe_url
from tokodesk.core.models import ShopSettings
from tokodesk.core.money import format_money
from tokodesk.core.uploads import is_quarantined, serve_upload
from tokodesk.customers.phones import normalize_phone
from tokodesk.orders.models import Order
from tokodesk.orders.proofs import MAX_BYTES, accepts_proof, order_receive_customer_proof
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.orders.whatsapp import wa_link

# A request body larger than this is refused before Django parses it (a proof is at most
# MAX_BYTES; the rest is the form's fields and the multipart boundaries).
MAX_REQUEST = MAX_BYTES + 64 * 1024
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


class ProofForm(forms.Form):
    proof = forms.FileField(
        label=gettext_lazy("Proof of transfer"),
        help_text=gettext_lazy("A photo or screenshot of the receipt, or a PDF (at most 10 MB)."),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": gettext_lazy("Choose the photo or PDF of your transfer receipt."),
            "empty": gettext_lazy("The file is empty."),
        },
    )


def _number(raw: str) -> str:
    """A number wa.me takes (international digits), or "" when it is not a phone number."""
    if not (raw or "").strip():
        return ""
    try:
        return normalize_phone(raw, field="whatsapp")
    except DomainError:
        return ""


def seller_whatsapp(order: Order) -> str:
    """The number the buyer writes to: the agent's when users have one, else the shop's."""
    agent = order.assigned_agent if order.assigned_agent_id else None
    for raw in (getattr(agent, "whatsapp", ""), getattr(agent, "phone", "")):
        if number := _number(raw):
            return number
    shop = ShopSettings.get()
    for name in ("whatsapp", "phone"):
        if number := _number(getattr(shop, name, "")):
            return number
    return ""


def proof_message(order: Order, amount: int) -> str:
    """The buyer's first message, in the language of their page."""
    return _(
        "Hello, this is about my order %(reference)s. I transferred %(amount)s; "
        "here is my proof of transfer."
    ) % {"reference": order.reference, "amount": format_money(amount, order.currency)}


def transfer_context(order: Order, payment: dict | None, form: ProofForm | None = None) -> dict:
    """What the page's bank-transfer box needs beyond the amount: the WhatsApp link, the
    proof form, the proof already sent and the unique code."""
    if not payment or payment.get("kind") != "bank_transfer":
        return {}
    number = seller_whatsapp(order)
    link = safe_url(wa_link(number, proof_message(order, payment["amount"]))) if number else ""
    return {
        "whatsapp_url": link,
        "proof_form": (form or ProofForm()) if accepts_proof(order) else None,
        "proof_sent_at": order.customer_proof_at if order.customer_proof else None,
        "transfer_code": order.transfer_code,
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def send_proof_view(request, token):
    from tokodesk.storefront.views.customer_link import _order_or_404, _page

    order = _order_or_404(token, request)
    if request.method != "POST":
        return redirect("storefront:order_link", token=token)
    try:
        too_large = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST
    except ValueError:
        too_large = False
    if too_large:  # refused before the body is read
        form = ProofForm({}, {})
        form.is_valid()
        form.errors["proof"] = form.error_class([_("The file is larger than 10 MB.")])
        return _page(request, order, proof_form=form, status=413)
    if not accepts_proof(order):
        messages.info(request, _("This order is no longer waiting for a bank transfer."))
        return redirect("storefront:order_link", token=token)
    form = ProofForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, order, proof_form=form, status=422)
    try:
        order_receive_customer_proof(order_id=order.pk, file=form.cleaned_data["proof"])
    except DomainError as exc:
        form.add_error("proof", str(exc.message))
        order.refresh_from_db()
        return _page(request, order, proof_form=form, status=exc.status)
    messages.success(
        request,
        _(
            "Thank you! Your proof of transfer was sent to the seller. "
            "They will check it and confirm your payment."
        ),
    )
    return redirect(reverse("storefront:order_link", kwargs={"token": token}) + "#payment")


# --- the team's side -------------------------------------------------------------------


def order_detail_section(*, order, user, **_kwargs) -> dict | None:
    """The order page's box for what the buyer sent (proof, unique code), when there is any."""
    if not (order.customer_proof or order.transfer_code):
        return None
    return {
        "proof": bool(order.customer_proof) and not is_quarantined(order.customer_proof),
        "proof_at": order.customer_proof_at,
        "transfer_code": order.transfer_code,
        "head": False,
    }


@login_required
@require_GET
def customer_proof_view(request, reference):
    """The buyer's proof of an order, for the users who may see the order (served inert)."""
    order = order_queryset_for(request.user).filter(reference=reference).first()
    if order is None or not order.customer_proof:
        raise Http404
    return serve_upload(order.customer_proof)
