"""Settings for the township medical-insurance portal.

One module, driven by environment variables read through strict helpers: a typo in a
deployment's environment fails at start-up instead of silently running with a default.
"""

import datetime
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value == "True"


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = envbool("DEBUG", "False")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set outside development (DEBUG=True).")
    SECRET_KEY = "dev-only-insecure-secret-key-never-used-in-production"
# The key of the audit trail's hash chain. Changing it makes every existing entry fail
# verification, so it is set once per installation and kept with the backups' keys. Never
# the SECRET_KEY (a process started with another SECRET_KEY would write entries no later
# check accepts), and never missing outside development.
AUDIT_KEY = os.environ.get("AUDIT_KEY", "")
if not AUDIT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("AUDIT_KEY must be set outside development (DEBUG=True).")
    # The development key the chain has always had there (it was SECRET_KEY's), so that a
    # development database's entries still verify.
    AUDIT_KEY = "dev-only-insecure-key-never-used-in-production"
if AUDIT_KEY == SECRET_KEY:
    raise ImproperlyConfigured("AUDIT_KEY must differ from SECRET_KEY.")
# Where the ends of the audit chains are anchored, apart from the database (audit/anchors.py):
# in production another disk or host, append-only.
AUDIT_ANCHOR_FILE = os.environ.get("AUDIT_ANCHOR_FILE", str(BASE_DIR / "var" / "audit-anchors.log"))
# The age public keys backups are encrypted to (`manage.py backup_key` makes a pair); the
# private key is kept apart from the server and given to `restore` only.
BACKUP_RECIPIENTS = [k.strip() for k in os.environ.get("BACKUP_RECIPIENTS", "").split(",") if k]
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    # Layers, bottom to top (enforced by import-linter, pyproject.toml):
    "core",
    "printing",
    "accounts",
    "workdays",
    "audit",
    "security",
    "messaging",
    "registry",
    "reimbursement",
    "filing",
    "oversight",
    "administration",
    "demo",
    "operations",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from gunicorn, compressed and cached forever (hashed names).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Keeps a user who just changed a record reading from the primary (core/replica.py).
    "core.replica.PinAfterWriteMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page requires login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "security.middleware.SessionExpiryMiddleware",
    "security.middleware.PasswordChangeRequiredMiddleware",
    "security.middleware.SecurityHeadersMiddleware",
    "security.middleware.MethodNotAllowedPageMiddleware",
    "security.middleware.AuditDenialsMiddleware",
    # Records request.user on every history row written while serving a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Counts failed logins per username and locks the account at the fifth (等保 2.0).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.StaffBackend",
]
# The reverse proxies whose X-Forwarded-For names the client (core/addresses.py).
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("TRUSTED_PROXIES", "").split(",") if a]
AXES_FAILURE_LIMIT = 5
# A login name is locked after 5 failures from anywhere, except on the PCs where it signed in
# before, whose failures are counted apart (security/devices.py): behind a station's NAT,
# one who fails on a colleague's name cannot lock her out of her own desk.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "security.devices.lockout_username"
AXES_RESET_ON_SUCCESS = True
LOCKOUT_MINUTES = envint("LOCKOUT_MINUTES", "30")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOCKOUT_MINUTES)
AXES_CLIENT_IP_CALLABLE = "core.addresses.client_ip"
AXES_LOCKOUT_CALLABLE = "security.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
# axes.W006 asks to lock by address too: that would lock a whole station behind its NAT after
# one caseworker's typos. The address has its own limit, which spares known PCs.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# A report reading more rows than this (oversight.reports.rows_to_count: a county of 100,000
# residents' year is about 150,000) is counted by the worker, with a progress line on the
# page, not within the request (docs/benchmarks.md, "Reports").
REPORT_ROWS_IN_REQUEST = int(os.environ.get("REPORT_ROWS_IN_REQUEST", "200000"))

# Django's renderer, with <select> written in Python (core/renderers.py).
FORM_RENDERER = "core.renderers.Renderer"

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
            ],
        },
    },
]

# SQLite is the embedded default for trying the portal; production sets DATABASE_URL to
# PostgreSQL (postgres://user:pass@host:5432/name).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Each gunicorn thread keeps its connection for a minute instead of opening one per
        # request; a connection the server dropped is noticed before use.
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
# Every request is one transaction: a failure at any step of a write leaves nothing behind.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database of `scripts/run.sh` serves concurrent requests: readers never wait
    # for a writer (WAL), a write transaction takes its lock when it begins rather than failing
    # halfway with "database is locked", and a waiting writer waits up to 20 s.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A streaming replica of the primary (several app servers, docs/deployment.md): list and
# search pages read from it, everything else from the primary (core/replica.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
READ_REPLICA: str | None = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# After changing a record, a user's reads stay on the primary this long (the replica's lag is
# far below it), so that her next page shows her change.
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", "30")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Warnings and errors, with their tracebacks, to stderr (journald under systemd): without this,
# a server error with DEBUG off leaves no trace anywhere. ID and mobile numbers are masked.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "core.logs.MaskPersonalNumbers"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask"],
        }
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    # Django's own handlers (console only with DEBUG, mail to no ADMINS) give way to the root's.
    "loggers": {
        "django": {"handlers": [], "level": "WARNING", "propagate": True},
        "django_tasks": {"level": "INFO"},
        "django_tasks_db": {"level": "INFO"},
        "audit.anchors": {"level": "INFO"},
    },
}
# Every audit anchor to a remote syslog collector too (host:port, UDP), off this host.
AUDIT_ANCHOR_SYSLOG = os.environ.get("AUDIT_ANCHOR_SYSLOG", "")
if AUDIT_ANCHOR_SYSLOG:
    from core.logs import syslog_handler

    LOGGING["handlers"]["anchor_syslog"] = syslog_handler(AUDIT_ANCHOR_SYSLOG)
    LOGGING["loggers"]["audit.anchors"]["handlers"] = ["anchor_syslog"]

# Long work (Excel imports, audit checks) runs as tasks of Django's Tasks framework, run by the
# worker process (`manage.py worker`), never in a web worker. Queued in the database (SQLite in
# development, PostgreSQL in production: nothing else to run), or, for several servers that
# share a Redis, in Redis (TASK_QUEUE_URL=redis://host:6379/1, django-tasks-rq): the database
# is then spared the workers' polling.
TASK_QUEUE_URL = os.environ.get("TASK_QUEUE_URL", "")
# Finished task results are kept this many days, then pruned by the sweep (or by Redis).
TASK_RESULTS_KEPT_DAYS = envint("TASK_RESULTS_KEPT_DAYS", "14")
if TASK_QUEUE_URL:
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {
        "default": {
            "URL": TASK_QUEUE_URL,
            # An import of 200,000 rows takes minutes; a task is never cut short by RQ (a dead
            # worker's import is taken over by the sweep instead).
            "DEFAULT_TIMEOUT": -1,
            "DEFAULT_RESULT_TTL": TASK_RESULTS_KEPT_DAYS * 86400,
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Texts to residents (messaging/): a django-sms backend. The default sends nothing and lists each
# text on its station's 待电话通知 page for a caseworker to call; a county with an SMS gateway
# names its backend here (e.g. one written on sms.backends.base.BaseSmsBackend for its SDK).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "messaging.backends.OutboxBackend")
# Each worker sweeps this often (operations/sweep.py): it queues again an import whose worker
# died, anchors the audit chains in its server's file, forgets what is kept for a while only.
WORKER_SWEEP_SECONDS = envint("WORKER_SWEEP_SECONDS", "60")
# An import whose worker gave no sign of life this long is taken over (registry/imports.py).
IMPORT_STALE_SECONDS = envint("IMPORT_STALE_SECONDS", "120")

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.passwords.CharacterClassesValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese only, whatever language the browser asks for (no LocaleMiddleware): a caseworker's
# browser set to English must not turn the portal's messages into English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
CSRF_FAILURE_VIEW = "security.views.csrf_failure"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

# The cache keeps page parts until the next change they show (audit/page_cache.py). One
# server: a folder shared by its gunicorn workers. Several servers: one Redis for all
# (CACHE_URL=redis://host:6379/0), so that a change through one server is never answered
# from another server's stale copy.
CACHES: dict[str, dict[str, Any]]
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            # Dashboards are kept per station and day (oversight/views.py): room for a county.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Sessions are rows of the database (Django's default engine, named here on purpose): any app
# server reads a session another one opened, and signing out ends it everywhere.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The name this server gives in the X-Portal-Server header (a cluster's balancer and its
# test tell the servers apart by it); empty: no header.
SERVER_NAME = os.environ.get("PORTAL_SERVER_NAME", "")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions end 30 minutes idle and 12 hours after login (security/middleware.py), and when
# the browser closes.
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Behind HTTPS in production (the default when DEBUG is off); PORTAL_HTTPS=False only for a
# closed intranet without certificates.
if not DEBUG and envbool("PORTAL_HTTPS", "True"):
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True")

# Lists show this many rows a page.
PAGE_SIZE = 25
