"""API authentication: a bearer token (integrations) or the page session (with CSRF).

A token's user and their permissions are read once per process and kept (issue 16: the
token lookup and the permissions query were two of every API request's queries), in
TOKEN_CACHE (core.stamps): every process empties it when a token, a user, a group or their
permissions change (signals connected in tokodesk.api.apps), so a revoked token, a
deactivated user or a new role is seen by every gunicorn worker at its next request."""

import copy

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from tokodesk.accounts.models import ApiToken, hash_token
from tokodesk.core.stamps import ProcessCache

TOKEN_CACHE = ProcessCache("api_tokens")
LAST_USED_EVERY = 300  # seconds: how often a token's last_used_at is written


def _load(key_hash: str):
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    user = token.user
    user.get_all_permissions()  # read now and kept on the object (accounts.backends)
    return {"token": token.pk, "user": user, "last_used_at": token.last_used_at}


def token_user(raw: str):
    """The active user of a token that is not revoked, with their permissions read, or None.
    Each request gets its own copy of the user (what a request sets on it stays there)."""
    entry = TOKEN_CACHE.get(hash_token(raw), lambda: _load(hash_token(raw)))
    if entry is None:
        return None
    now = timezone.now()
    last = entry["last_used_at"]
    if last is None or (now - last).total_seconds() > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=entry["token"]).update(last_used_at=now)
        entry["last_used_at"] = now
    return copy.copy(entry["user"])


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class UserSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def _changed(sender, **kwargs):
    if kwargs.get("update_fields") and set(kwargs["update_fields"]) <= {"last_login", "last_used_at"}:
        return  # a login or a token's use: nothing the cache keeps
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    TOKEN_CACHE.bump_now_and_on_commit(kwargs.get("using") or "default")


def connect_signals() -> None:
    """Whatever can change who a token is and what they may do empties every process's
    cache: the token (revoked, deleted), the user (deactivated, made superuser), their
    groups and permissions, a group's permissions."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    user_model = get_user_model()
    for model in (ApiToken, user_model, Group, Permission):
        post_save.connect(_changed, sender=model, dispatch_uid=f"token_cache_save_{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"token_cache_delete_{model._meta.label}")
    for through in (user_model.groups.through, user_model.user_permissions.through,
                    Group.permissions.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"token_cache_m2m_{through._meta.label}")
