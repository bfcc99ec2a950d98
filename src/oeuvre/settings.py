"""Django settings for Œuvre, read from the environment (see the configuration table in README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

from oeuvre.conf import SettingError, env_bool, env_int, env_list, env_path, env_str, ledger_key, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent

OEUVRE_ENV = env_str("OEUVRE_ENV", "development")
if OEUVRE_ENV not in {"development", "production", "test"}:
    raise SettingError(f"OEUVRE_ENV must be development, production or test, got {OEUVRE_ENV!r}")
PRODUCTION = OEUVRE_ENV == "production"

DATA_DIR = env_path("OEUVRE_DATA_DIR", Path.cwd() / "var")
SECRET_KEY = secret_key(DATA_DIR, production=PRODUCTION)
# Seals the hash chain of signed records (PV, réserves, decisions): OEUVRE_LEDGER_KEY, else derived from SECRET_KEY.
OEUVRE_LEDGER_KEY = ledger_key(SECRET_KEY)
DEBUG = env_bool("OEUVRE_DEBUG", False)
# Demo mode shows the demo logins on the sign-in page; it is refused in production.
DEMO = env_bool("OEUVRE_DEMO", False)
if DEMO and PRODUCTION:
    raise SettingError("OEUVRE_DEMO cannot be used with OEUVRE_ENV=production")

ALLOWED_HOSTS = env_list("OEUVRE_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise SettingError("OEUVRE_ALLOWED_HOSTS must be set when OEUVRE_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("OEUVRE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "oeuvre.core",
    "oeuvre.web",
    "oeuvre.accounts",
    "oeuvre.projects",
    "oeuvre.requirements",
    "oeuvre.design",
    "oeuvre.planning",
    "oeuvre.recette",
    "oeuvre.forge",
    "oeuvre.mep",
    "oeuvre.pilotage",
    "oeuvre.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Full-text search types (SearchVectorField) of the search index; inert on SQLite.
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "simple_history",
    "ninja",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "oeuvre.web.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "oeuvre.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "oeuvre.urls"
WSGI_APPLICATION = "oeuvre.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oeuvre.web.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    try:
        _db: dict[str, Any] = dict(dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise SettingError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if _db["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise SettingError("DATABASE_URL must point to PostgreSQL (postgres://…) or SQLite (sqlite:///…)")
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "oeuvre.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _db.pop("CONN_HEALTH_CHECKS", None)
    _db["CONN_MAX_AGE"] = 0
    _db["TEST"] = {"NAME": env_str("OEUVRE_TEST_SQLITE_NAME", "") or None}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, jobs ----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise SettingError("REDIS_URL must start with redis://, rediss:// or unix://")
if REDIS_URL:
    CACHES: dict[str, Any] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS: dict[str, Any] = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
else:
    # A file cache is shared by every process of one machine (rate limits, throttles), unlike locmem.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Accounts -------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "projects:portfolio"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_ADAPTER = "oeuvre.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Failed logins are throttled per client address, and per account *from that client* with a growing wait
# (3 a minute, 6 in 10 minutes, 10 an hour): someone elsewhere cannot lock a named account out by failing
# on purpose (the key is the account and the client, see accounts.adapter). allauth's limiter, shared cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,3/m/key,6/10m/key,10/h/key",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
}
OEUVRE_OPEN_SIGNUP = env_bool("OEUVRE_OPEN_SIGNUP", False)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Œuvre"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {}
_oidc_url = env_str("OEUVRE_OIDC_SERVER_URL", "")
if _oidc_url:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "sso",
                "name": env_str("OEUVRE_OIDC_NAME", "SSO"),
                "client_id": env_str("OEUVRE_OIDC_CLIENT_ID", required=True),
                "secret": env_str("OEUVRE_OIDC_SECRET", required=True),
                "settings": {"server_url": _oidc_url},
            }
        ]
    }

# Django 6.1 mailers: the console by default (password-reset links appear in the server log).
MAILERS: dict[str, Any] = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
_smtp_host = env_str("OEUVRE_SMTP_HOST", "")
if _smtp_host:
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _smtp_host,
            "port": env_int("OEUVRE_SMTP_PORT", 587, minimum=1),
            "username": env_str("OEUVRE_SMTP_USER", ""),
            "password": env_str("OEUVRE_SMTP_PASSWORD", ""),
            "use_tls": env_bool("OEUVRE_SMTP_TLS", True),
        },
    }
DEFAULT_FROM_EMAIL = env_str("OEUVRE_FROM_EMAIL", "oeuvre@localhost")
# The address people reach Œuvre at, for the links of the e-mails sent by the worker (it has no request).
OEUVRE_BASE_URL = env_str("OEUVRE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security -------------------------------------------------------------------------------------
# Secure cookies, HSTS and the HTTPS redirect need HTTPS in front of the app: on by default in
# production, off for the local embedded server that the demo runs on plain http://127.0.0.1.
HTTPS = env_bool("OEUVRE_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("OEUVRE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
if env_bool("OEUVRE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer checks /healthz over plain HTTP: it is never redirected (Django's setting is
# SECURE_REDIRECT_EXEMPT; a misspelt name is silently ignored).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # ECharts and frappe-gantt set style attributes from script; they cannot carry a nonce.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
# Language names are shown in their own language in the switcher, so they need no translation.
LANGUAGES = [("fr", "Français"), ("en", "English")]
TIME_ZONE = env_str("OEUVRE_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True
# Each app keeps its own locale/ directory, so stages translate independently.
LOCALE_PATHS: list[Path] = []

# --- Files ----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Only needed to publish the files to a CDN with collectstatic; WhiteNoise serves them from the package.
STATIC_ROOT = env_str("OEUVRE_STATIC_ROOT", "") or None
MEDIA_ROOT = env_path("OEUVRE_MEDIA_DIR", DATA_DIR / "media")
MEDIA_URL = "/media/"
# Files users upload or the application writes for them (evidence, signed PVs, attachments, reports):
# never served as static media, always through a view that checks permissions. Inside MEDIA_ROOT so that
# `oeuvre backup` takes them and every app server sees them. Empty means `<MEDIA_ROOT>/private`.
OEUVRE_PRIVATE_ROOT = env_str("OEUVRE_PRIVATE_DIR", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served from the installed package, so a wheel needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- API ------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# --- Server ---------------------------------------------------------------------------------------
OEUVRE_WEB_WORKERS = env_int("OEUVRE_WEB_WORKERS", 2, minimum=1)
OEUVRE_WEB_THREADS = env_int("OEUVRE_WEB_THREADS", 4, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("OEUVRE_LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO; only its warnings are worth a line.
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "oeuvre.core.views.csrf_failure"

# --- Forge and webhooks ------------------------------------------------------------------------------
OEUVRE_FORGE_MAX_PAYLOAD = env_int("OEUVRE_FORGE_MAX_PAYLOAD", 2_000_000, minimum=1_000)  # bytes of one delivery
# Outgoing webhooks may reach private, loopback and link-local addresses only if the instance allows it.
OEUVRE_WEBHOOKS_ALLOW_PRIVATE = env_bool("OEUVRE_WEBHOOKS_ALLOW_PRIVATE", False)
