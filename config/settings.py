"""The one settings module. Everything that differs between machines comes from
environment variables; nothing secret is kept here.

Production sets at least: DJANGO_SECRET_KEY, DJANGO_DEBUG=0, DJANGO_ALLOWED_HOSTS,
DATABASE_URL, REDIS_URL, SITE_SCHEME=https, and the EMAIL_* variables.
Importing this module starts nothing. Without DATABASE_URL, the entry points
(manage.py, `make run`, the test suite) start embedded PostgreSQL and Redis
from Python wheels and set the URLs (config/dev/embedded.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("DJANGO_TESTING")
# A developer's machine running the embedded services (set by config/dev/embedded.py).
EMBEDDED = env_bool("EMBEDDED_SERVICES")
# Off unless asked for, on a developer's machine too: `make run` shows the site's own error
# pages, as production does. DJANGO_DEBUG=1 make run for Django's debug pages.
DEBUG = env_bool("DJANGO_DEBUG")
# Demo mode seeds fictitious data and enables `manage.py demo_totp`. Never in production.
DEMO_MODE = env_bool("DEMO_MODE", default=EMBEDDED)

DATABASE_URL = env("DATABASE_URL")
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
if not DATABASE_URL or not REDIS_URL:
    raise ImproperlyConfigured(
        "Set DATABASE_URL and REDIS_URL, or run through manage.py, which starts embedded PostgreSQL and Redis."
    )

# --- Secret key (hardening: production refuses a placeholder or short key) -------------
# The placeholder of .env.example (tests/security/test_headers.py keeps the two equal).
SECRET_KEY_PLACEHOLDER = "change-me-to-50-or-more-random-characters"  # noqa: S105
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if TESTING:
        # Long enough for the worker and server processes the tests start with DJANGO_DEBUG=0.
        SECRET_KEY = "insecure-test-key-for-the-test-suite-and-the-processes-it-starts"  # noqa: S105
    elif DEBUG:
        SECRET_KEY = "insecure-development-key-not-for-production"  # noqa: S105
    else:
        # On a developer's machine, manage.py and `make run` set one generated and kept in
        # .data/ (config.dev.embedded.dev_secret_key), so the demo runs with DEBUG off.
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
if not DEBUG and (SECRET_KEY == SECRET_KEY_PLACEHOLDER or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is the placeholder of .env.example or shorter than 50 characters. Set 50 or more "
        'random characters: python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

# The national site's host; each PTA has its own host(s) in tenants.Domain.
NATIONAL_DOMAIN = env("NATIONAL_DOMAIN", "localhost")
# Used to build absolute links in e-mails sent by workers (no request there).
SITE_SCHEME = env("SITE_SCHEME", "http")
SITE_PORT = env("SITE_PORT", "8000" if DEBUG or DEMO_MODE else "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,.localhost,testserver,.testserver")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own form templates for FORM_RENDERER (TemplatesSetting finds them here).
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "pgtrigger",
    "pghistory",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    # History: trigger-based, so set-based imports are recorded too. Each
    # tenant schema gets its own context and event tables.
    "pgtrigger",
    "pghistory",
    # The outbox table (core.models.OutboxMessage), one per tenant schema; see the outbox block below.
    "core",
    "companies",
    "employees",
    "tickets",
    "surveys",
    "activities",
    "invoicing",
    "reporting",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Pta"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls"
DEFAULT_NOT_FOUND_TENANT_VIEW = "tenants.views.unknown_host"
# Deliberately off: set_tenant() on every call is what keeps schemas apart.
TENANT_LIMIT_SET_CALLS = False
# New PTAs are cloned from a migrated template schema instead of replaying
# every migration (see tenants.services.pta_create and bench/).
TENANT_BASE_SCHEMA = "template_pta"
TENANT_CREATION_FAKES_MIGRATIONS = True

MIDDLEWARE = [
    # Outermost, so that the pages TenantMiddleware answers itself (unknown host,
    # suspended PTA) carry the Content-Security-Policy too (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "config.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.BokmalByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.SessionTenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.middleware.MembershipMiddleware",
    "config.middleware.RequireStaffMfaMiddleware",
    "config.middleware.HistoryMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.portal",
            ],
            # Cross-app pages loop over config/composition.py through this library.
            "libraries": {"composition": "config.composition_tags"},
        },
    }
]
# Forms render Designsystemet markup (templates/django/forms/, config/forms.py).
FORM_RENDERER = "config.forms.DesignsystemetRenderer"

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        engine="django_tenants.postgresql_backend",
        # Direct persistent connections; never PgBouncer in transaction mode,
        # which would mix search_path settings between tenants.
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# pgtrigger's per-row check takes a PL/pgSQL exception path when this setting
# is undefined; defining it halves the cost of history-tracked writes.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c pgtrigger.ignore={}"
if TESTING:
    # One test database per run, so parallel runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the schema name, so tenants never read each other's entries;
        # allauth's login limits and used TOTP codes are per account, for every host (config/cache.py).
        "KEY_FUNCTION": "config.cache.make_key",
        "REVERSE_KEY_FUNCTION": "config.cache.reverse_key",
        # Each test run has its own prefix, as it has its own database.
        "KEY_PREFIX": f"mobility-test-{os.getpid()}" if TESTING else "mobility",
    }
}

AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "tenants.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are verified by the invitation link
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Failed logins: 5 in 5 minutes per account (on every host together, tenants.adapters
# and config/cache.py), 20 in 5 minutes per client address (an office behind one NAT
# address is many people; the address is the client's, not the TLS proxy's:
# ALLAUTH_TRUSTED_PROXY_COUNT below). allauth adds its defaults for the other actions
# to this dict; False (in tests) switches every limit off.
ACCOUNT_RATE_LIMITS = (
    False
    if TESTING and not env_bool("TEST_RATE_LIMITS")
    else {
        "login_failed": "20/5m/ip,5/5m/key",
        "reset_password": "20/m/ip,5/m/key",
        # The ticket application's e-mail link (tickets.views_applications.start), per client address;
        # each address also gets at most 3 links an hour (tickets.services_applications).
        "ticket_application_link": "30/h/ip",
    }
)
MFA_ADAPTER = "tenants.mfa_adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Bedriftsmobilitet")
INVITATION_VALID_DAYS = int(env("INVITATION_VALID_DAYS", "7"))

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
# Host-only cookies: no SESSION_COOKIE_DOMAIN / CSRF_COOKIE_DOMAIN, ever.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SECURE = SITE_SCHEME == "https"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
if SECURE:
    # The __Host- prefix makes the browser refuse any Domain attribute.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Oslo"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / ".data" / "static")))
# Static files straight from the source folders (whitenoise's finders, below) in debug mode,
# in tests and on a developer's machine (`make run`, DEBUG off): no collectstatic there.
STATIC_FROM_SOURCE = DEBUG or TESTING or EMBEDDED
if STATIC_FROM_SOURCE:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
# Digdir's Designsystemet from npm (package.json `dependencies`; `npm ci` installs it, the
# Dockerfile copies it into the image): the components' combined stylesheet as
# /static/ds/index.css and the default theme as /static/ds-theme/designsystemet.css.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("ds", BASE_DIR / "node_modules" / "@digdir" / "designsystemet-css" / "dist" / "src"),
    ("ds-theme", BASE_DIR / "node_modules" / "@digdir" / "designsystemet-theme" / "src" / "themes"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("MEDIA_ROOT", str(BASE_DIR / ".data" / "media"))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_FROM_SOURCE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = STATIC_FROM_SOURCE
# runserver serves no static files with DEBUG off: whitenoise does, and picks up edits to them.
WHITENOISE_AUTOREFRESH = DEBUG or (EMBEDDED and not TESTING)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Production sends by SMTP, configured from the environment (EMAIL_HOST and the rest). A
# developer's machine (`make run`, the management commands) with no EMAIL_HOST writes every mail
# as one .eml file under EMAIL_FILE_PATH (.data/mail/; config.dev.mail). The tests use locmem.
if env("EMAIL_HOST") or not (DEBUG or DEMO_MODE):
    _EMAIL_BACKEND_DEFAULT = "django.core.mail.backends.smtp.EmailBackend"
elif TESTING:
    _EMAIL_BACKEND_DEFAULT = "django.core.mail.backends.console.EmailBackend"
else:
    _EMAIL_BACKEND_DEFAULT = "config.dev.mail.EmlFileBackend"
EMAIL_BACKEND = env("EMAIL_BACKEND", _EMAIL_BACKEND_DEFAULT)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / ".data" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Bedriftsmobilitet <no-reply@bedriftsmobilitet.no>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = TESTING and not env_bool("CELERY_REAL_WORKER")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".data" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The national site's aggregates (reporting.services.region_stats_refresh): nightly, and on the
    # coordinator's demand from the national dashboard (tenants.RefreshRequest).
    "refresh-region-stats": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": crontab(hour=2, minute=30),
        "args": ("reporting.tasks.refresh_region_stats",),
    },
    # The month's row of reporting.MonthlyFigures, kept current so it ends the month at its month-end figures.
    "record-monthly-figures": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 60 * 60,
        "args": ("reporting.tasks.record_monthly_figures",),
    },
    # The corporate tickets' month roll-over, for the current month in Oslo: idempotent, so hourly is safe
    # and the first run after midnight on the 1st does the work.
    "rollover-tickets": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 60 * 60,
        "args": ("tickets.tasks.rollover_tickets",),
    },
    # The month's entitlements to each PTA's ticket system (tickets.fulfilment), after the roll-over
    # (the task runs it first): the same set is not sent twice, so hourly sends only what changed.
    "publish-entitlements": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 60 * 60,
        "args": ("tickets.tasks.publish_entitlements",),
    },
    "purge-stale-employee-imports": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 24 * 60 * 60,
        "args": ("employees.tasks.purge_stale_employee_imports",),
    },
    "purge-stale-company-imports": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 24 * 60 * 60,
        "args": ("companies.tasks.purge_stale_company_imports",),
    },
    "purge-expired-invitations": {
        "task": "tenants.tasks.purge_expired_invitations",
        "schedule": 24 * 60 * 60,
    },
    # The surveys' mailings that are due (surveys.services_rounds.due_mail_enqueue): invitations of
    # rounds that opened (or whose worker died mid-run), reminders, closing summaries. Each mail once.
    "survey-mail-due": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 5 * 60,
        "args": ("surveys.survey_mail_due",),
    },
}

# --- Queued work is never lost or stuck (core.outbox, core.imports.requeue_stale) ---------
# Work that must happen is an outbox row in the tenant's schema, committed with
# the change; it is handed to Celery on commit, and whatever that missed (Redis
# down) by the relay: every minute per tenant, and once when a worker starts
# (config/celery.py). Imports stuck queued or running (their worker died) are
# handed over again after IMPORT_STALE_AFTER seconds without a sign of life.
CELERY_BEAT_SCHEDULE |= {
    "relay-outbox": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 60,
        "args": ("core.tasks.outbox_relay",),
    },
    "requeue-stale-imports": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 5 * 60,
        "args": ("core.tasks.requeue_stale_imports",),
    },
}
IMPORT_STALE_AFTER = int(env("IMPORT_STALE_AFTER", str(5 * 60)))

# How a PTA's ticket system hears of each month's corporate-ticket entitlements (tickets.fulfilment):
# the name a PTA chooses (tickets.FulfilmentSettings.backend) -> the class. An Entur or app
# integration plugs in by adding its class here; "export" only makes the CSV and JSON files.
TICKET_FULFILMENT_BACKENDS = {
    "export": "tickets.fulfilment.ExportOnlyBackend",
    "webhook": "tickets.fulfilment.WebhookBackend",
}
# An application's e-mail link works this long, once.
TICKET_APPLICATION_LINK_HOURS = int(env("TICKET_APPLICATION_LINK_HOURS", "24"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # With acks_late, Redis gives an unacknowledged task to another worker
    # after this long: longer than the longest task (an import of the largest
    # file, 20 MB, takes a minute or two; a mailing sends in batches), so a
    # running task is never delivered twice. A task whose worker was killed is
    # delivered again after it; imports are picked up sooner by
    # requeue-stale-imports.
    "visibility_timeout": 30 * 60,
    # Fail fast when the broker host is unreachable: a request's hand-off on
    # commit waits at most this long before leaving the row to the relay.
    "socket_connect_timeout": 3,
}
# Worker processes started by the test suite share its cache keys (import progress).
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", CACHES["default"]["KEY_PREFIX"])
# --- end of the outbox block -------------------------------------------------------------

# --- Emission factors from Entur's Miljødata (reporting.emission_factors) ------------------
# Without a base URL the climate reports use the national factor table and say so.
MILJODATA_BASE_URL = env("MILJODATA_BASE_URL", "")
MILJODATA_API_KEY = env("MILJODATA_API_KEY", "")
MILJODATA_TIMEOUT = float(env("MILJODATA_TIMEOUT", "5"))
MILJODATA_CLIENT_NAME = env("MILJODATA_CLIENT_NAME", "bedriftsmobilitet-climate")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The secrets of e-mailed links (survey answers, ticket applications, invitations) are masked.
    "filters": {"secret_paths": {"()": "config.logging.SecretPathFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secret_paths"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# pgtrigger ships a makemigrations with its own autodetector (it writes the
# history triggers into migrations), while django-tenants replaces migrate.
# Only the "models have unmigrated changes" hint of migrate is affected.
SILENCED_SYSTEM_CHECKS = ["commands.E001"]


# --- Client address behind the TLS proxy (hardening: login limits) --------------------
# allauth limits failed logins per client address. Behind the TLS-terminating
# proxy the README requires, REMOTE_ADDR is the proxy's for every client, so
# without this one person's typos would lock out a whole PTA. Set the number of
# proxies you run in front of gunicorn (the client is the address that many
# entries from the right of X-Forwarded-For; docker-compose.yml defaults to 1),
# or the name of a header your proxy sets to the client's address (it then
# wins). Never set either when clients can reach gunicorn directly: they
# could then choose their own address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER") or None

# --- Content-Security-Policy (hardening: headers; django-csp, CSPMiddleware above) -----
# Only our own scripts, styles and connections: no inline script or style
# (templates/base.html links /brand.css for the PTA's colour), no eval
# (htmx is configured without it in base.html). data: images are the TOTP
# QR code allauth renders. Downloads of stored files set their own stricter
# policy (default-src 'none'; sandbox), which the middleware leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Large employee exports (hardening: web requests never do long work) --------------
# Exports of more than employees.exporting.DIRECT_EXPORT_MAX rows are written by
# the worker; their files are personal data, deleted a day later.
CELERY_BEAT_SCHEDULE["purge-stale-employee-exports"] = {
    "task": "tenants.tasks.dispatch_to_tenants",
    "schedule": 24 * 60 * 60,
    "args": ("employees.tasks.purge_stale_employee_exports",),
}

# --- Invoicing ----------------------------------------------------------------------------
# The month's run drafts the invoices of the month just ended; hourly, so the first run on the
# 1st drafts them and the rest find the run complete (invoicing.tasks.run_previous_month).
# Overdue invoices get their reminders once a day, each stage once.
CELERY_BEAT_SCHEDULE |= {
    "invoice-month-run": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 60 * 60,
        "args": ("invoicing.tasks.run_previous_month",),
    },
    "invoice-reminders": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 24 * 60 * 60,
        "args": ("invoicing.tasks.send_due_reminders",),
    },
    "purge-stale-payment-uploads": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 24 * 60 * 60,
        "args": ("invoicing.tasks.purge_stale_payment_uploads",),
    },
}
# How EHF invoices leave (invoicing.transmission): the name -> the class. A PEPPOL access point
# provider plugs in by adding its class here and naming it in INVOICE_TRANSMISSION_BACKEND;
# "file_drop" writes each EHF document under INVOICE_EHF_DROP_DIR/<schema>/ for a provider to pick up.
INVOICE_TRANSMISSION_BACKENDS = {
    "file_drop": "invoicing.transmission.FileDropBackend",
}
INVOICE_TRANSMISSION_BACKEND = env("INVOICE_TRANSMISSION_BACKEND", "file_drop")
INVOICE_EHF_DROP_DIR = env("INVOICE_EHF_DROP_DIR", str(BASE_DIR / ".data" / "ehf-outbox"))
