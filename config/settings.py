"""Adroit settings: one file, configured by environment variables (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEVELOPMENT_KEY = "adroit-insecure-development-key-change-me"  # noqa: S105 - refused in production
# A fixed key is fine on a laptop; with ADROIT_SECURE on, Adroit refuses to start without one.
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "apps.core",
    "apps.activity",
    "apps.workspaces",
    "apps.decisions",
    "apps.exports",
    "apps.authoring",
    "apps.reviews",
    "apps.versions",
    "apps.search",
    "apps.upkeep",
    "apps.api",
    "apps.imports",
    "apps.backups",
    "apps.accounts",
    "apps.publishing",
]

MIDDLEWARE = [
    # First, so that no other middleware (CSRF reads POST) reads an oversized body.
    "apps.core.middleware.request_size_limit",
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.activity.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers and the task worker share one file: wait for locks, don't fail.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Tests use a file as production does: an in-memory database shares one cache between threads
    # and fails concurrent writes at once instead of waiting, and other processes cannot see it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Sign in with a username or an email address (apps/accounts/backends.py), or through the
# organisation's OpenID Connect provider when OIDC_RP_CLIENT_ID is set (apps/accounts/sso.py).
AUTHENTICATION_BACKENDS = [
    "apps.accounts.backends.UsernameOrEmailBackend",
    "apps.accounts.sso.ProviderBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "decisions:log"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on (mozilla-django-oidc). The endpoints are in the provider's discovery document,
# <issuer>/.well-known/openid-configuration. Adroit's redirect URI at the provider is
# <SITE_URL>/oidc/callback/, and <SITE_URL>/login/ its post-logout redirect URI.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
# The provider's end_session_endpoint: signing out of Adroit ends the provider's session too.
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile groups")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on")
OIDC_TOKEN_USE_BASIC_AUTH = env_bool("OIDC_TOKEN_USE_BASIC_AUTH", False)
# Seconds of clock difference with the provider tolerated on an ID token's times.
OIDC_LEEWAY = int(env_str("OIDC_LEEWAY", "30"))
OIDC_TIMEOUT = float(env_str("OIDC_TIMEOUT", "10"))
OIDC_USE_PKCE = True
# Kept in the session for the provider's sign-out (id_token_hint).
OIDC_STORE_ID_TOKEN = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
OIDC_OP_LOGOUT_URL_METHOD = "apps.accounts.sso.provider_logout_url"
if OIDC_RP_CLIENT_ID and not OIDC_OP_ISSUER:
    # Without it, a token from any provider that the JWKS key happens to verify would do.
    raise ImproperlyConfigured("Set OIDC_OP_ISSUER: single sign-on checks every token's issuer.")
# 0: nobody signs in with a password (the sign-in page offers only the provider).
ADROIT_LOCAL_ACCOUNTS = env_bool("ADROIT_LOCAL_ACCOUNTS", True)
if not ADROIT_LOCAL_ACCOUNTS and not OIDC_RP_CLIENT_ID:
    raise ImproperlyConfigured("ADROIT_LOCAL_ACCOUNTS=0 needs single sign-on (OIDC_RP_CLIENT_ID).")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production (docker-compose) runs collectstatic and serves hashed, compressed files;
        # a clone serves the files as they are, straight from static/.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("ADROIT_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Files Adroit makes or keeps (export results, uploads waiting for an import's confirmation) go
# through Django's storage API, never into database rows: folders under MEDIA_ROOT by default, or
# a bucket of S3 or of an S3-compatible store (MinIO, Ceph, R2) when AWS_STORAGE_BUCKET_NAME is
# set. No public address serves them (no MEDIA_URL route): a view checks rights, then streams.
# Several app servers and workers must share them: one bucket, or one volume for MEDIA_ROOT.
MEDIA_ROOT = Path(env_str("ADROIT_MEDIA_ROOT", str(BASE_DIR / "media")))
if env_str("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            # Empty for AWS itself; the store's address for anything S3-compatible.
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # Keys from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the
            # machine's role, as boto3 finds them.
            "location": env_str("AWS_LOCATION", "adroit"),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
# Finished exports are kept this many days, then deleted with their files (each worker sweeps
# after a job; `manage.py expire_exports` from cron does the same).
ADROIT_EXPORTS_KEEP_DAYS = int(env_str("ADROIT_EXPORTS_KEEP_DAYS", "7"))
# Tests and `make run` serve static files without running collectstatic first.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Board packs run on a queue of their own, with a worker of their own (`make run`, `make worker`,
# docker-compose): a few long packs must not hold up everyone's quick exports behind them.
TASK_QUEUES = ["default", "packs"]
# Without REDIS_URL the queue is a database table (django-tasks-db), enough for one server. With
# it, tasks go to Redis through RQ (django-tasks-rq), for as many workers on as many machines as
# needed. `manage.py worker` runs the right worker for either; the task code is the same.
REDIS_URL = env_str("REDIS_URL")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_rq.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend",
        "QUEUES": TASK_QUEUES,
    }
}
# RQ kills a job that runs longer than this: a board pack has ADROIT_PACK_TIMEOUT, plus a margin.
RQ_QUEUES = {
    name: {
        "URL": env_str("ADROIT_TASKS_REDIS_URL", REDIS_URL or "redis://127.0.0.1:6379/0"),
        "DEFAULT_TIMEOUT": int(env_str("ADROIT_PACK_TIMEOUT", "900")) + 300,
    }
    for name in TASK_QUEUES
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "adroit@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Emails (notifications, password resets from the shell) link back here: they have no request.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Uploads: keep requests small; imports have their own, explicit limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The cache holds what is rendered once per revision (apps/decisions/cache.py) and sessions. Local
# memory per process by default, so a clone needs nothing more; REDIS_URL (redis://host:6379/0)
# shares one cache between every worker and server through Django's RedisCache, with one client per
# connection pool (apps/core/cache.py).
CACHES = {
    "default": {"BACKEND": "apps.core.cache.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(env_str("ADROIT_CACHE_ENTRIES", "5000"))},
    }
}
# With a shared cache (REDIS_URL), sessions are read through it and written through to the
# database: a page no longer asks the database for the session it just read. Without one, the
# cache is each process's own memory, where a session signed out by another gunicorn process or
# server would live on: then sessions are read from the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: htmx sends the token from hx-headers on <body>.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("ADROIT_SECURE", False):
    if SECRET_KEY == DEVELOPMENT_KEY:
        raise ImproperlyConfigured("Set SECRET_KEY: ADROIT_SECURE is on.")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# PDFs render in a child process capped in time (seconds) and memory (MB). The time cap must end
# before gunicorn kills the worker (GUNICORN_TIMEOUT, which the Dockerfile passes to gunicorn), so
# a PDF too heavy to make answers with its clear 503 instead of a dead worker.
GUNICORN_TIMEOUT = int(env_str("GUNICORN_TIMEOUT", "30"))
ADROIT_PDF_TIMEOUT = float(env_str("ADROIT_PDF_TIMEOUT", "20"))
if ADROIT_PDF_TIMEOUT >= GUNICORN_TIMEOUT:
    raise ImproperlyConfigured(
        f"ADROIT_PDF_TIMEOUT ({ADROIT_PDF_TIMEOUT:g} s) must be shorter than GUNICORN_TIMEOUT "
        f"({GUNICORN_TIMEOUT} s), or gunicorn kills the worker before the PDF gives up."
    )
ADROIT_PDF_MEMORY_MB = int(env_str("ADROIT_PDF_MEMORY_MB", "1536"))
# A board pack is one document rendered by the packs worker, never in a request: 200 decisions
# take minutes, not seconds (docs/benchmarks.md, "Board packs").
ADROIT_PACK_TIMEOUT = float(env_str("ADROIT_PACK_TIMEOUT", "900"))
ADROIT_PACK_MEMORY_MB = int(env_str("ADROIT_PACK_MEMORY_MB", "2048"))
# A bigger pack renders this many decisions at a time, each section in a child process that ends
# before the next starts: peak memory follows the section, not the pack (apps/exports/packs.py).
ADROIT_PACK_SECTION_SIZE = int(env_str("ADROIT_PACK_SECTION_SIZE", "25"))

# `make bench` serves a trivial "floor" page beside the real ones (bench/run.py); not in production.
ADROIT_BENCH = env_bool("ADROIT_BENCH", False)

# The password of the demo user that `manage.py load_example` creates.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # WeasyPrint logs every refused fetch; they are expected, not news.
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Imports (apps/imports): a file, all files of one import, and how many files at once.
ADROIT_IMPORT_MAX_FILE_MB = float(env_str("ADROIT_IMPORT_MAX_FILE_MB", "5"))
ADROIT_IMPORT_MAX_TOTAL_MB = float(env_str("ADROIT_IMPORT_MAX_TOTAL_MB", "50"))
ADROIT_IMPORT_MAX_FILES = int(env_str("ADROIT_IMPORT_MAX_FILES", "2000"))

# Any request's body, in MB, refused with 413 before it is read (apps/core/middleware.py): a little
# above the import's total, which a zip's compressed upload and the form's framing must fit in.
ADROIT_MAX_REQUEST_MB = float(env_str("ADROIT_MAX_REQUEST_MB") or ADROIT_IMPORT_MAX_TOTAL_MB + 5)
if ADROIT_MAX_REQUEST_MB < ADROIT_IMPORT_MAX_TOTAL_MB:
    raise ImproperlyConfigured(
        f"ADROIT_MAX_REQUEST_MB ({ADROIT_MAX_REQUEST_MB:g}) is below ADROIT_IMPORT_MAX_TOTAL_MB "
        f"({ADROIT_IMPORT_MAX_TOTAL_MB:g}): an import could never reach its own limit."
    )
# Django refuses more files than this in one request before the import counts them.
DATA_UPLOAD_MAX_NUMBER_FILES = ADROIT_IMPORT_MAX_FILES

# Exports (apps/exports): how many jobs one person may have waiting or running at once.
ADROIT_MAX_JOBS_PER_PERSON = int(env_str("ADROIT_MAX_JOBS_PER_PERSON", "2"))

# Docs as code (apps/publishing): the key that encrypts repository tokens and deploy keys at rest
# (unset: SECRET_KEY), how long one git command may take, and whether remotes may be local paths
# and file:// URLs: a workspace admin could otherwise read any repository on the server, so they
# are off by default with ADROIT_SECURE (production) and on for a laptop.
ADROIT_SECRET_KEY = env_str("ADROIT_SECRET_KEY") or SECRET_KEY
ADROIT_GIT_TIMEOUT = float(env_str("ADROIT_GIT_TIMEOUT", "60"))
ADROIT_GIT_LOCAL_REMOTES = env_bool("ADROIT_GIT_LOCAL_REMOTES", not env_bool("ADROIT_SECURE"))
