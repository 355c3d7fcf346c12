"""Small request helpers every app may use (core imports no app)."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR; behind a reverse proxy, the header it puts the client's address in
    (settings.TOKODESK_CLIENT_IP_HEADER, e.g. "HTTP_X_REAL_IP")."""
    header = getattr(settings, "TOKODESK_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    if value:
        return value.split(",")[0].strip()[:45]
    return (request.META.get("REMOTE_ADDR") or "")[:45]
