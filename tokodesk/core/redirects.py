"""Where a form may send the user back to (`next=`): only our own pages."""

from __future__ import annotations

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, target: str | None, default: str, *args, **kwargs) -> str:
    """`target` when it is a URL of this site (same host, and https when the request is),
    else `default` (a URL name or a URL, resolved like `redirect()` does). Refused: other
    hosts (`https://evil.example/`, `//evil.example`, `\\\\evil.example`), other schemes
    (`javascript:`), anything that is not a string."""
    if isinstance(target, str) and target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default, *args, **kwargs)
