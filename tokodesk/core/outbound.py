"""Sending the user on to another site after a POST (WhatsApp's wa.me).

A form's POST answered with a redirect to another origin is blocked by the pages'
Content-Security-Policy (`form-action 'self'` covers the redirects after a submission,
config/settings.py). So the POST, which has already done its write (the chat noted on the
timeline), answers a small page of our own that moves on by itself (`Refresh` header, which
no CSP directive limits) and shows the link to tap when it does not. The link is only ever
an http(s) address the server built.
"""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _

from tokodesk.core.links import safe_url


def open_external(request: HttpRequest, url: str, *, title: str | None = None) -> HttpResponse:
    """200 page that goes on to `url` (http/https only; anything else is refused as 400)."""
    url = safe_url(url)
    if not url:
        return HttpResponse(_("This link cannot be opened."), status=400, content_type="text/plain; charset=utf-8")
    response = TemplateResponse(request, "core/open_external.html",
                                {"url": url, "title": title or _("Opening…")})
    response["Refresh"] = f"0; url={iri_to_uri(url)}"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
