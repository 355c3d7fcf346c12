"""API authentication: a bearer token (integrations) or the page session (with CSRF)."""

from ninja.security import HttpBearer, SessionAuth

from tokodesk.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class UserSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
