"""The shop's carriers and their services (issue 17), managed by the owner and admin: the
Indonesian five are a preset (the demo, `tokodesk setup` for Indonesia); a shop abroad adds
Colissimo, Mondial Relay … A carrier that orders use is deactivated, never deleted (there is
no delete); the manual order, the landing page and the rates page offer the active ones."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tokodesk.core.documents import require
from tokodesk.core.errors import NotFound, ValidationFailed
from tokodesk.core.validators import http_url_message, is_http_url
from tokodesk.shipping.models import Courier

MAX_SERVICES = 20

# The carriers a new shop of a country starts with (`tokodesk setup`); the owner edits them.
PRESETS: dict[str, list[tuple[str, str, list[str], str]]] = {
    "ID": [
        ("jne", "JNE", ["REG", "YES", "OKE"], "https://www.jne.co.id/id/tracking/trace?awb={awb}"),
        ("jnt", "J&T Express", ["EZ", "Super"], "https://www.jet.co.id/track?awb={awb}"),
        ("sicepat", "SiCepat", ["REG", "BEST", "HALU"], "https://www.sicepat.com/checkAwb?awb={awb}"),
        ("anteraja", "AnterAja", ["Reguler", "Next Day"], "https://anteraja.id/tracking?awb={awb}"),
        ("pos", "Pos Indonesia", ["Pos Reguler", "Pos Kilat Khusus"],
         "https://www.posindonesia.co.id/id/tracking?awb={awb}"),
    ],
}


@transaction.atomic
def courier_preset(*, actor, country: str) -> list[Courier]:
    """Add the country's preset carriers the shop does not have yet (none for a country
    without a preset: a shop abroad adds its own)."""
    made = []
    for code, name, services, url in PRESETS.get((country or "").upper(), []):
        if not Courier.objects.filter(code=code).exists():
            made.append(courier_save(actor=actor, code=code, name=name, services=services, tracking_url=url,
                                     create=True))
    return made


def parse_services(value) -> list[str]:
    """"REG, YES\nOKE" or ["REG", "YES"] → ["REG", "YES", "OKE"] (blank and repeated dropped)."""
    items = value.replace("\n", ",").split(",") if isinstance(value, str) else list(value or [])
    seen: list[str] = []
    for item in items:
        text = " ".join(str(item).split())
        if text and text not in seen:
            seen.append(text)
    return seen


@transaction.atomic
def courier_save(*, actor, code: str, name: str | None = None, services=None, tracking_url: str | None = None,
                 active: bool | None = None, create: bool = False) -> Courier:
    """Add a carrier (`create`: a new code) or change one. Refusals are a 422 on the field,
    nothing written."""
    require(actor, "shipping.add_courier" if create else "shipping.change_courier")
    code = (code or "").strip().lower()
    errors: dict[str, str] = {}
    if not code or len(code) > 30 or not all(c.isalnum() or c in "-_" for c in code):
        errors["code"] = _("A code is up to 30 letters, digits, - and _.")
    courier = Courier.objects.select_for_update().filter(code=code).first() if code else None
    if create and courier is not None:
        errors["code"] = _("A carrier has this code already.")
    if not create and courier is None and "code" not in errors:
        raise NotFound("not_found", _("Not found."))
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > 100:
            errors["name"] = _("A name of 1 to 100 characters.")
    elif create:
        errors["name"] = _("Required.")
    if services is not None:
        services = parse_services(services)
        if len(services) > MAX_SERVICES:
            errors["services"] = _("At most %(n)s services.") % {"n": MAX_SERVICES}
        elif any(len(s) > 30 for s in services):
            errors["services"] = _("A service name is at most 30 characters.")
    if tracking_url is not None:
        tracking_url = tracking_url.strip()
        if tracking_url and (not is_http_url(tracking_url) or len(tracking_url) > 300):
            errors["tracking_url"] = str(http_url_message())
    if errors:
        raise ValidationFailed("invalid_input", _("Check the carrier."), fields=errors)
    courier = courier or Courier(code=code, active=True)
    for field, value in (("name", name), ("services", services), ("tracking_url", tracking_url),
                         ("active", active)):
        if value is not None:
            setattr(courier, field, value)
    courier.save()
    return courier


def register_section() -> None:
    """The settings page's "Carriers" section: a link to the carriers page."""
    from django import forms
    from django.utils.translation import gettext_lazy

    from tokodesk.core import settings_pages
    from tokodesk.core.models import ShopSettings

    settings_pages.register(settings_pages.SettingsSection(
        key="carriers", title=gettext_lazy("Carriers"), form_class=forms.Form, model=ShopSettings,
        position=26, template="shipping/_carriers_settings_section.html", page="shipping:carriers",
        make_form=lambda data, files, current: forms.Form(),
    ))
