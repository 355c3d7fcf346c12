"""tokodesk settings, read from the environment (12-factor).

SQLite in WAL mode under TOKODESK_DATA_DIR is the default; DATABASE_URL switches to
PostgreSQL (or anything dj-database-url understands).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("TOKODESK_DATA_DIR", BASE_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    # A per-installation key kept in the data dir, so `make run` works from nothing
    # and signed links survive a restart. Production sets SECRET_KEY.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.utils.crypto import get_random_string

        key_file.write_text(get_random_string(64))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI for /api/v1/docs from our origin (the CSP allows no CDN)
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "tokodesk.core",
    "tokodesk.accounts",
    "tokodesk.customers",
    "tokodesk.catalog",
    "tokodesk.shipping",
    "tokodesk.storefront",
    "tokodesk.orders",
    "tokodesk.returns",
    "tokodesk.payments",
    "tokodesk.exports",
    "tokodesk.notifications",
    "tokodesk.webhooks",
    "tokodesk.tracking",
    "tokodesk.api",
    "tokodesk.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The shop's time zone and staff language; the owner's first-login page (issue 17).
    "tokodesk.core.shop_locale.ShopLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "tokodesk.api.idempotency.IdempotencyMiddleware",
    "tokodesk.api.idempotency.ETagMiddleware",
    # Last, as django-axes asks: answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tokodesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tokodesk.accounts.context_processors.role",
                "tokodesk.catalog.context_processors.low_stock",
                "csp.context_processors.nonce",
            ],
        },
    },
]


# Django's SQLite backend whose threads queue for the write lock (tokodesk/core/sqlite).
SQLITE_ENGINE = "tokodesk.core.sqlite"


def _database_config() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["ENGINE"] = SQLITE_ENGINE
            config["OPTIONS"] = _sqlite_options()
        # Parallel test runs against one server each need their own test database.
        if os.environ.get("TOKODESK_TEST_DB_NAME"):
            config["TEST"] = {"NAME": os.environ["TOKODESK_TEST_DB_NAME"]}
        return config
    return {
        "ENGINE": SQLITE_ENGINE,
        "NAME": DATA_DIR / "tokodesk.sqlite3",
        "OPTIONS": _sqlite_options(),
        # As with a DATABASE_URL: a thread keeps its connection between requests. Opening one
        # per request (Django's 0) set up SQLite's ~40 SQL functions and the PRAGMAs each time:
        # ~4 ms of CPU a request, over a quarter of a flash-sale buyer's (issue 16, bench/profile_landing.py).
        "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "60")),
        "TEST": {"NAME": os.environ.get("TOKODESK_TEST_SQLITE") or None},
    }


def _sqlite_options() -> dict:
    # WAL lets readers run beside the writer; IMMEDIATE transactions take the write lock
    # at BEGIN so two writers queue on busy_timeout instead of failing with
    # "database is locked" when a read lock is upgraded.
    return {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=30000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The orders page's bulk form posts up to 5,000 ticked references (BULK_LIMIT in
# orders/views/actions.py); Django's default of 1,000 fields refused anything above 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 6000

# Login limits first (django-axes, tokodesk/accounts/backends.py), then ModelBackend with
# the permissions read in one query.
AUTHENTICATION_BACKENDS = [
    "tokodesk.accounts.backends.LoginLimitBackend",
    "tokodesk.accounts.backends.Backend",
]

# Argon2id first (tokodesk/accounts/hashers.py: tuned for this machine, about 3.7 times
# cheaper to check than PBKDF2's 1,000,000 rounds); the others only read older hashes, which
# are rewritten as Argon2 at the user's next login.
PASSWORD_HASHERS = [
    "tokodesk.accounts.hashers.TokodeskArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login limits (django-axes): five wrong passwords for one username from one address are
# answered with the form again; the sixth (AXES_FAILURE_LIMIT) locks
# that pair out for TOKODESK_LOGIN_LOCKOUT_MINUTES (the page
# and the admin login alike); a successful login clears the count.
from datetime import timedelta  # noqa: E402

AXES_FAILURE_LIMIT = int(os.environ.get("TOKODESK_LOGIN_FAILURE_LIMIT", "6"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("TOKODESK_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tokodesk.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "tokodesk.accounts.backends.client_ip"
AXES_VERBOSE = False

# Content-Security-Policy on every page (django-csp): scripts and styles from our origin
# only (a per-request nonce for the few inline blocks), no plugins, no <base>, no framing.
# Images may come from https (a landing page's product photo is often on the seller's CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Production behind a TLS proxy: TOKODESK_HTTPS=1 turns on Secure cookies, HSTS, the
# redirect to https and trusts the proxy's X-Forwarded-Proto (docs/security.md).
TOKODESK_HTTPS = env_bool("TOKODESK_HTTPS", False)
if TOKODESK_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("TOKODESK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("TOKODESK_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TOKODESK_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("TOKODESK_HSTS_PRELOAD", True)

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "id")
LANGUAGES = [("id", _("Indonesian")), ("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "tokodesk" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True
# The short date formats the pages use, per language (French months in lower case).
FORMAT_MODULE_PATH = ["tokodesk.core.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # each role lands on its work (orders.views.landing)
LOGOUT_REDIRECT_URL = "login"
STATICFILES_DIRS = [BASE_DIR / "tokodesk" / "static"]
# Files browsers ask for at the site's root (/favicon.ico, /apple-touch-icon.png), served
# by WhiteNoise like the static files.
WHITENOISE_ROOT = BASE_DIR / "tokodesk" / "webroot"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# E-mail to customers (tokodesk.notifications, sent by the worker): SMTP once EMAIL_HOST
# is set; until then (and with DEBUG) printed on the worker's console. Tests use locmem.
EMAIL_HOST = os.environ.get("EMAIL_HOST") or "localhost"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST") and not DEBUG
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587" if env_bool("EMAIL_USE_TLS") else "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tokodesk <noreply@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Shop defaults used when the settings row does not exist yet.
TOKODESK_DEFAULT_CURRENCY = os.environ.get("TOKODESK_CURRENCY", "IDR")
TOKODESK_PHONE_REGION = os.environ.get("TOKODESK_PHONE_REGION", "ID")
# Landing pages: orders per IP and page within the window (seconds). Behind a reverse
# proxy, name the header that carries the buyer's address (e.g. HTTP_X_REAL_IP).
TOKODESK_LANDING_RATE_LIMIT = int(os.environ.get("TOKODESK_LANDING_RATE_LIMIT", "5"))
TOKODESK_LANDING_RATE_WINDOW = int(os.environ.get("TOKODESK_LANDING_RATE_WINDOW", "600"))
TOKODESK_CLIENT_IP_HEADER = os.environ.get("TOKODESK_CLIENT_IP_HEADER", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
