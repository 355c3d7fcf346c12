"""The page a locked-out login gets (django-axes calls `locked_out`, AXES_LOCKOUT_CALLABLE)."""

from django.conf import settings
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    """429 with the reason and the wait, in the user's language; the same for the admin
    login. It says nothing about whether the username exists."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "accounts/locked.html", {"cooloff_minutes": minutes}, status=429)
