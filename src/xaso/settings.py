"""The one settings module. Everything that differs between machines comes from the environment.

With no environment at all Xã Số runs on the embedded default: SQLite (WAL) and local files under
``XASO_DATA_DIR`` (default ``./var``). ``.env.example`` lists every variable with a comment.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("XASO_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# "development" (runserver, DEBUG) or "production" (xaso serve): production refuses to start
# without the values that must not have defaults.
XASO_ENV = os.environ.get("XASO_ENV", "development")
if XASO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("XASO_ENV must be 'development' or 'production'.")
PRODUCTION = XASO_ENV == "production"
DEBUG = _env_bool("XASO_DEBUG", not PRODUCTION)
TESTING = _env_bool("XASO_TESTING", False)

_secret_file = DATA_DIR / "secret_key"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and _secret_file.exists():
    SECRET_KEY = _secret_file.read_text().strip()
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set and there is no secret_key file in XASO_DATA_DIR "
            "(run `xaso init` once to create one)."
        )
    SECRET_KEY = "development-only-not-secret-" + "x" * 40  # noqa: S105

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "" if PRODUCTION else "*").split(",")
    if h.strip()
]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names in production.")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "xaso.core",
    "xaso.org",
    "xaso.accounts",
    "xaso.workdays",
    "xaso.people",
    "xaso.procedures",
    "xaso.dossiers",
    "xaso.signing",
    "xaso.civil",
    "xaso.exchange",
    "xaso.documents",
    "xaso.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xaso.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "xaso.core.middleware.NFCInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xaso.core.middleware.RequestContextMiddleware",
    "xaso.accounts.middleware.IdleLogoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xaso.urls"
WSGI_APPLICATION = "xaso.wsgi.application"

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
                "xaso.accounts.context_processors.session",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default; DATABASE_URL=postgres://... switches to PostgreSQL. Persistent connections:
# opening one per request cost a third of the throughput on SQLite and 4x on PostgreSQL here.
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "600"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "xaso.sqlite3"),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
                # the start of every transaction, so counters and the audit chain never interleave.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "xaso.accounts.backends.StaffBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "xaso.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# A shared office PC: log out whoever walked away after this many idle minutes.
XASO_IDLE_TIMEOUT_SECONDS = int(float(os.environ.get("XASO_IDLE_TIMEOUT_MINUTES", "15")) * 60)
# How many civil status entries `xaso demo` registers per demo commune (the tests use fewer).
XASO_DEMO_CIVIL_PER_AGENCY = int(os.environ.get("XASO_DEMO_CIVIL_PER_AGENCY", "250"))
# Keep rendered pages that only change with org/calendar data (core.pagecache); 0 turns it off.
XASO_PAGE_CACHE = _env_bool("XASO_PAGE_CACHE", True)
# Sessions are read from the cache (files in the data folder, or Redis) and kept in the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): after this many failures for one username from one address,
# further attempts are refused for the cool-off period.
AXES_FAILURE_LIMIT = int(os.environ.get("XASO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("XASO_LOGIN_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "xaso.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Agency electronic codes (Decision 20/2020/QĐ-TTg): a letter and two digits, then dot-separated
# groups of digits and capitals, at most 35 characters. A province with another scheme sets this.
XASO_AGENCY_CODE_PATTERN = (
    os.environ.get("XASO_AGENCY_CODE_PATTERN") or r"^[A-Z][0-9]{2}(\.[0-9A-Z]+)*$"
)

# The address citizens use to reach the public pages (QR codes on slips point here).
XASO_PUBLIC_BASE_URL = (os.environ.get("XASO_PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip(
    "/"
)

# API tokens live this long after their last use.
XASO_API_TOKEN_TTL_HOURS = int(os.environ.get("XASO_API_TOKEN_TTL_HOURS", "12"))

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/files/"
MEDIA_ROOT = DATA_DIR / "files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if PRODUCTION else 0

# --- Cache ----------------------------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Background work ------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Notices to applicants -----------------------------------------------------------------
# SMS gateway (POST {url}/messages, JSON, bearer key; integrations/sms.py); empty: no SMS.
XASO_SMS_URL = (os.environ.get("XASO_SMS_URL") or "").rstrip("/")
XASO_SMS_API_KEY = os.environ.get("XASO_SMS_API_KEY", "")
XASO_SMS_SENDER = os.environ.get("XASO_SMS_SENDER", "")
XASO_SMS_TIMEOUT = float(os.environ.get("XASO_SMS_TIMEOUT") or 10)
EMAIL_HOST = os.environ.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "webmaster@localhost"
if not PRODUCTION and not os.environ.get("EMAIL_HOST"):
    # A development machine has no mail server: print the mails instead of failing them.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Security -------------------------------------------------------------------------------
# Production serves HTTPS unless XASO_HTTPS=0 (a commune LAN with no certificate).
HTTPS = _env_bool("XASO_HTTPS", PRODUCTION)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XASO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pyHanko logs a traceback for every uploaded PDF signed by an untrusted certificate;
        # the verification result already says so to the person who uploaded it.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}
