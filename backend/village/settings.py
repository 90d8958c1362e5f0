"""Village settings: read from the environment only (README lists every variable)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url

from village.env import env_bool, env_int, env_list, env_str, env_time_zone

BACKEND_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BACKEND_DIR.parent
VAR_DIR = Path(env_str("VILLAGE_VAR_DIR", str(REPO_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# The embedded default (make run) is for one machine; production must set its own key.
SECRET_KEY = env_str("SECRET_KEY", "insecure-embedded-default-key-change-me" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_ALLOW_CREDENTIALS = True
# Public address of the web app: links in e-mails and calendar descriptions point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_dramatiq",
    "village",
    "accounts",
    "notifications",
    "scheduling",
    "rosters",
    "practical",
    "calendars",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, which answers the web app's page without calling what is below it.
    "village.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "village.urls"
WSGI_APPLICATION = "village.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'village.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two claims queue instead of one failing with
    # "database is locked" half-way (measured: 27 of 30 concurrent claims failed without it).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.Person"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 3, minimum=60)

# --- Time, language -------------------------------------------------------------------------
USE_TZ = True
TIME_ZONE = "UTC"  # storage and logs; people see the circle's or roster's zone
DEFAULT_TIME_ZONE = env_time_zone("DEFAULT_TIME_ZONE", "America/New_York")
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
USE_I18N = True
LOCALE_PATHS = [BACKEND_DIR / "locale"]

# --- Static files and the bundled frontend --------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
FRONTEND_DIR = REPO_DIR / "frontend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_ROOT = FRONTEND_DIR
WHITENOISE_INDEX_FILE = True

# --- Request limits ---------------------------------------------------------------------------
# No endpoint takes more than a household profile; a 5 MB body is a mistake or an attack.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024, minimum=1024)

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "village.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "village.schema.VillageAutoSchema",
    "EXCEPTION_HANDLER": "village.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("THROTTLE_LOGIN", "10/min"),
        "password_reset": env_str("THROTTLE_PASSWORD_RESET", "5/hour"),
        "invitation": env_str("THROTTLE_INVITATION", "30/min"),
        "feed": env_str("THROTTLE_FEED", "60/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Village API",
    "DESCRIPTION": "Care circles, practical help, rosters, calendars and notifications.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several models name their choices "status" or "kind": give each set its own enum name.
    "ENUM_NAME_OVERRIDES": {
        "CircleStatusEnum": "practical.models.Circle.Status",
        "HelpRequestKindEnum": "practical.models.HelpRequest.Kind",
        "MembershipStatusEnum": "accounts.models.MembershipStatus",
        "RosterKindEnum": "scheduling.models.Roster.Kind",
    },
}

# --- Background work --------------------------------------------------------------------------
# With REDIS_URL, Redis is the broker and `dramatiq` worker processes deliver; without it the
# embedded default uses an in-process StubBroker drained by a worker thread in the web process.
DRAMATIQ_BROKER = {
    "BROKER": "dramatiq.brokers.redis.RedisBroker" if REDIS_URL else "dramatiq.brokers.stub.StubBroker",
    "OPTIONS": {"url": REDIS_URL} if REDIS_URL else {},
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Retries",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
# In the embedded default (`make run`) the web process also runs a worker and the scheduler.
VILLAGE_EMBEDDED_WORKER = env_bool("VILLAGE_EMBEDDED_WORKER", False)

# --- Mail -------------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(dj_email_url.parse(EMAIL_URL))
else:
    # Embedded default: every message is written to var/mail/ where a person can read it.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Village <village@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # tired parents should not be logged out every day
SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Domain knobs -----------------------------------------------------------------------------
# How long before a commitment a volunteer may see the family's address and phone.
ADDRESS_VISIBLE_BEFORE = timedelta(hours=env_int("ADDRESS_VISIBLE_HOURS_BEFORE", 48, minimum=0))
# Near-miss window for overlap warnings between two commitments.
OVERLAP_GRACE = timedelta(minutes=env_int("OVERLAP_GRACE_MINUTES", 30, minimum=0))
# A waitlisted volunteer offered a freed place has this long to accept it.
WAITLIST_OFFER_HOLD = timedelta(hours=env_int("WAITLIST_OFFER_HOLD_HOURS", 12, minimum=1))
# The most occurrences one recurrence rule may create.
MAX_SERIES_OCCURRENCES = env_int("MAX_SERIES_OCCURRENCES", 200, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_feed_tokens": {"()": "village.logging.HideFeedTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["hide_feed_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# --- notifications ----------------------------------------------------------------------------
# Seconds between delivery attempts after a temporary failure; one more attempt than delays.
NOTIFICATION_RETRY_DELAYS = [
    int(s) for s in env_list("NOTIFICATION_RETRY_DELAYS", ["60", "300", "900", "3600", "10800"])
]
# A row "sending" longer than this belonged to a worker that died (longer than the actor's limit).
NOTIFICATION_SENDING_LEASE = env_int("NOTIFICATION_SENDING_LEASE", 300, minimum=130)
# A due row enqueued this long ago and still pending is enqueued again (a lost broker message).
NOTIFICATION_REQUEUE_AFTER = env_int("NOTIFICATION_REQUEUE_AFTER", 600, minimum=10)
NOTIFICATION_SMTP_TIMEOUT = env_int("NOTIFICATION_SMTP_TIMEOUT", 20, minimum=1)
# With the in-process StubBroker and no worker in this process (tests, one-off commands) nobody
# would consume the message: deliver right after commit instead.
NOTIFICATION_INLINE_DELIVERY = env_bool(
    "NOTIFICATION_INLINE_DELIVERY", not REDIS_URL and not VILLAGE_EMBEDDED_WORKER
)

# --- rosters ----------------------------------------------------------------------------------
# Auto-fill's time budget (coverage first, then fairness) and CP-SAT workers: the machine has 2 cores.
ROSTERS_AUTOFILL_SECONDS = env_int("ROSTERS_AUTOFILL_SECONDS", 10, minimum=1)
ROSTERS_AUTOFILL_WORKERS = env_int("ROSTERS_AUTOFILL_WORKERS", 2, minimum=1)

# --- accounts ---------------------------------------------------------------------------------
# How many reverse proxies in front of the web process append to X-Forwarded-For. Rate limits
# (login, password reset, invitation links) key on the client's address; trusting the header
# without a proxy would let anyone dodge them by sending a made-up one.
REST_FRAMEWORK["NUM_PROXIES"] = env_int(
    "NUM_PROXIES", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0, minimum=0
)
