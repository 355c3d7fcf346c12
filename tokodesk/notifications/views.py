"""Pages of customer communication, for the return pages to link to: the printable slip
(PDF, or HTML to print from the browser) and the "Send to WhatsApp" button. Scoped like
every return page: an agent reaches only the returns of their orders (404 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tokodesk.core.errors import DomainError, NotFound, PermissionDenied
from tokodesk.core.outbound import open_external
from tokodesk.core.redirects import safe_next
from tokodesk.notifications import slips, whatsapp
from tokodesk.notifications.customers import valid_locale
from tokodesk.returns.models import Return
from tokodesk.returns.selectors import return_queryset_for


def _visible(request, reference: str) -> Return:
    ret = (return_queryset_for(request.user).select_related("order__customer", "customer", "reason", "custom_state")
           .filter(reference=reference).first())
    if ret is None:
        raise Http404
    return ret


@login_required
@require_GET
def slip_pdf_view(request, reference: str):
    """/returns/<reference>/slip.pdf (?lang=id|en|fr; default the customer's language)."""
    ret = _visible(request, reference)
    try:
        pdf = slips.render_slip_pdf(ret, valid_locale(request.GET.get("lang")))
    except slips.PdfUnavailable as exc:
        return HttpResponse(str(exc.message), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slips.slip_filename(ret)}"'
    return response


@login_required
@require_GET
def slip_html_view(request, reference: str):
    """/returns/<reference>/slip/: the same slip as a page (print it from the browser)."""
    ret = _visible(request, reference)
    return HttpResponse(slips.render_slip_html(ret, valid_locale(request.GET.get("lang")), request=request))


@login_required
@require_POST
def whatsapp_view(request, reference: str):
    """The "Send to WhatsApp" button (a POST form): noted on the timeline, then off to
    wa.me. On a refusal, back to `next` with the message."""
    try:
        link = whatsapp.return_open_whatsapp(reference=reference, actor=request.user,
                                             locale=valid_locale(request.POST.get("lang")),
                                             base_url=request.build_absolute_uri("/").rstrip("/"), source="web")
    except NotFound:
        raise Http404 from None
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(safe_next(request, request.POST.get("next"), "/"))
    # Not a redirect: the CSP's form-action would block one to another site (core.outbound).
    return open_external(request, link.url, title=_("Opening WhatsApp…"))
