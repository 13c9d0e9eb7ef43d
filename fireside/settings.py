"""Fireside's one settings file. Every difference between deployments is an environment
variable; `.env.example` lists them all. Zero configuration runs a development instance on
SQLite with in-process channel layer and cache."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.csp import CSP
from dotenv import load_dotenv

from fireside.core.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env", override=False)

# Under pytest some process-wide choices differ (tasks run inline); tests are not a deployment.
TESTING = "pytest" in sys.modules

#: Development mode: detailed error pages, mail to files, loopback exempt from per-address limits.
#: On by default so that `make run` needs no configuration; production sets DEBUG=false.
DEBUG = env_bool("DEBUG", True)

#: Where Fireside keeps its SQLite database, outgoing mail (DEBUG) and collected static files.
VAR_DIR = Path(env_str("FIRESIDE_VAR_DIR", str(BASE_DIR / "var")))

#: Signs sessions, tokens and links. Required when DEBUG is off (also as SECRET_KEY_FILE).
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

#: TCP port `make run` serves on.
PORT = env_int("PORT", 8000)

#: Host names this instance answers to, comma-separated.
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)

#: Origins (scheme://host[:port]) trusted for CSRF when behind a proxy, comma-separated.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

#: The public base URL used in links that leave the site (mail), without a trailing slash.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")

#: The instance's name, shown in the page title and in mail.
SITE_NAME = env_str("SITE_NAME", "Fireside")

#: The public host name other servers know this instance by (fireside.example), which
#: makes handles @handle@FIRESIDE_DOMAIN. Federation is off unless it is set and SITE_URL
#: is https. Choose it once: remote servers remember every id made from it.
FIRESIDE_DOMAIN = env_str("FIRESIDE_DOMAIN").strip().lower()
#: Derived, for information: the code asks fireside.federation.conf.enabled(), which reads
#: the two settings each time.
FEDERATION_ENABLED = bool(FIRESIDE_DOMAIN) and SITE_URL.startswith("https://")
#: Test-only: let outgoing federation fetches reach private and loopback addresses and
#: plain http. Never set it on a server that others can reach (it opens SSRF).
FEDERATION_ALLOW_PRIVATE_ADDRESSES = env_bool(
    "FEDERATION_ALLOW_PRIVATE_ADDRESSES", False
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    "django_htmx",
    "django_tasks_db",
    "fireside.core",
    "fireside.accounts",
    "fireside.communities",
    "fireside.posts",
    "fireside.feed",
    "fireside.search",
    "fireside.safety",
    "fireside.moderation",
    "fireside.blocklists",
    "fireside.conversations",
    "fireside.trust",
    "fireside.live",
    "fireside.appeals",
    "fireside.staff",
    "fireside.dialogues",
    "fireside.ratings",
    "fireside.connections",
    "fireside.yourdata",
    "fireside.federation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fireside.accounts.middleware.SessionTimeoutMiddleware",
    "fireside.trust.middleware.ActiveDayMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fireside.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "fireside.urls"
ASGI_APPLICATION = "fireside.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fireside.core.context_processors.site",
            ],
            "builtins": ["fireside.core.templatetags.fireside"],
        },
    }
]

#: PostgreSQL connection URL (postgres://user@host:port/name); empty means SQLite in VAR_DIR.
DATABASE_URL = env_str("DATABASE_URL")
#: Seconds a database connection is kept for reuse (0 closes it after each request).
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60)
# Inherited by processes a test run starts, so they find the same test database.
_TEST_RUN = os.environ.setdefault("FIRESIDE_TEST_RUN", str(os.getpid()))
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
        )
    }
else:
    # SQLite creates the file but not its folder; zero configuration must just run.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL with synchronous=NORMAL: a commit survives a crash of Fireside itself, but the
    # last commits may be lost on power loss. An acknowledged message is therefore durable
    # against process crashes; operators who need power-loss durability use PostgreSQL.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "fireside.sqlite3"),
            "CONN_MAX_AGE": DB_CONN_MAX_AGE,
            "OPTIONS": {
                "timeout": 20,  # busy_timeout, seconds
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not :memory:, so live-server tests can share it across processes; one
            # per test run, so that two runs on one machine do not collide.
            "TEST": {"NAME": str(VAR_DIR / f"test-{_TEST_RUN}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: Redis URL (redis://host:port/db). Set it when several app processes serve one instance:
#: it switches the cache, rate-limit counters and the channel layer to Redis.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fireside",
        }
    }
    #: The channel layer between app processes: Redis pub/sub. Measured (FIELD-NOTES) it
    #: holds ≈ 1,500-1,600 msg/s at 200-1,000 sockets against ≈ 560 for the standard
    #: RedisChannelLayer, and it has no per-channel `capacity` that drops events
    #: silently (both are at-most-once: clients catch up from the database by `seq`).
    #: redis-py caps a connection pool at 100 by default, which killed sockets at 200
    #: clients; REDIS_MAX_CONNECTIONS (connections per process) raises it.
    #: CHANNELS_PREFIX (text) keeps instances sharing one Redis apart. Pub/sub channels
    #: ignore the database number in REDIS_URL, so the default prefix includes it.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "fireside.live.layers.PubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env_int("REDIS_MAX_CONNECTIONS", 2000),
                    }
                ],
                "prefix": env_str(
                    "CHANNELS_PREFIX",
                    "fireside" + urlsplit(REDIS_URL).path.replace("/", "."),
                ),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "fireside.live.layers.InProcessChannelLayer"}
    }

#: Run background tasks inline instead of through the database queue and `db_worker`.
TASKS_IMMEDIATE = env_bool("TASKS_IMMEDIATE", TESTING)
TASKS = {
    "default": (
        {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        if TASKS_IMMEDIATE
        else {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    )
}

AUTH_USER_MODEL = "accounts.Member"
AUTHENTICATION_BACKENDS = ["fireside.accounts.backends.HandleOrEmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["handle", "email", "display_name"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
#: Seconds a password-reset link stays valid.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 2 * 60 * 60)
#: Seconds an email-verification link stays valid.
EMAIL_VERIFICATION_TIMEOUT = env_int("EMAIL_VERIFICATION_TIMEOUT", 7 * 24 * 60 * 60)

#: Seconds of inactivity after which a session ends.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 14 * 24 * 60 * 60)
#: Seconds after log-in at which a session ends however active it is.
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 30 * 24 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
#: Send cookies over HTTPS only. On whenever DEBUG is off.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "fireside.core.views.csrf_failure"

#: Trust X-Forwarded-Proto from a reverse proxy that terminates TLS.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
#: Redirect plain HTTP to HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
#: Seconds browsers remember to use HTTPS only (HSTS); 0 disables it.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# HSTS preload binds the whole domain and its subdomains for months and is slow to undo, so
# it stays off and `check --deploy` (which warns about it) does not ask every instance for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

#: Where outgoing mail goes: SMTP, or (default in DEBUG) one .eml file per mail in
#: VAR_DIR/mail so that a developer can open the links.
EMAIL_TO_FILES = env_bool("EMAIL_TO_FILES", DEBUG)
#: SMTP server, port, credentials (EMAIL_HOST_PASSWORD may be a _FILE), TLS and timeout (s).
MAILERS = {
    "default": (
        {
            "BACKEND": "fireside.core.mail.EmlFileBackend",
            "OPTIONS": {"path": str(VAR_DIR / "mail")},
        }
        if EMAIL_TO_FILES
        else {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_secret("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": env_int("EMAIL_TIMEOUT", 20),
            },
        }
    )
}
#: The From address of outgoing mail.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fireside <fireside@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

#: Limits as (count, window in seconds), enforced through the cache so they hold across
#: app processes when REDIS_URL is set. Per-address limits skip loopback in DEBUG.
FIRESIDE_RATE_LIMITS = {
    # Failed log-ins for one account, from anywhere.
    "login.account": (10, 15 * 60),
    # Failed log-ins from one network address, for any account.
    "login.address": (50, 15 * 60),
    # Sign-ups from one network address.
    "signup.address": (5, 60 * 60),
    # Verification or reset mails for one account or address.
    "mail.account": (5, 60 * 60),
    "mail.address": (20, 60 * 60),
    # Reports one member files (a repeat of an open report does not count).
    "report.member": (10, 60 * 60),
    # Data exports one member starts (each builds a zip of everything that is theirs).
    "export.member": (3, 24 * 60 * 60),
    # Wrong passwords when asking for account deletion.
    "deletion.password": (5, 60 * 60),
}

#: What each trust level may do, per sliding window in seconds, enforced in actions through
#: the cache (trust/limits.py). Newcomers can do everything, slowly; each row's reason:
FIRESIDE_LEVEL_LIMITS = {
    # Requests are the one way to reach someone: a handful a day is enough to start a
    # few real conversations, too few to spam; regulars and trusted members rarely notice.
    "conversation_requests": {
        "window": 24 * 60 * 60,
        "by_level": {0: 3, 1: 10, 2: 30, 3: 100, 4: 100},
    },
    # Posts open a topic for a whole community: a newcomer may open a few a day; nobody
    # writes more than 50 thoughtful posts a day, so that caps a runaway script.
    "posts": {
        "window": 24 * 60 * 60,
        "by_level": {0: 3, 1: 10, 2: 25, 3: 50, 4: 50},
    },
    # A community is a lasting commitment (a cohort, rules); one a month for a newcomer,
    # a few for the trusted, keeps the directory from filling with throwaway spaces.
    "communities_created": {
        "window": 30 * 24 * 60 * 60,
        "by_level": {0: 1, 1: 2, 2: 3, 3: 5, 4: 10},
    },
}
#: The trust level from which posts and messages may contain links (none at level 0):
#: links are what spam and phishing carry, and level 1 needs only a verified email + a day.
FIRESIDE_LINKS_MIN_LEVEL = 1
#: What each trust level needs (trust/levels.py). Level 4 is granted by a community's cohort
#: or an operator (`set_trust`), never by recomputation, which only takes it away when an
#: action is upheld. Durations in days. Starting from Discourse's defaults, made stricter
#: on conversations because a 1:1 is what others accept from you.
FIRESIDE_TRUST_THRESHOLDS = {
    # A real address and one night's wait stop throwaway sign-ups at the door.
    1: {"email_verified": True, "account_age_days": 1},
    # Two weeks of coming back, and several different people chose to talk with you.
    2: {
        "account_age_days": 14,
        "days_active": 7,
        "accepted_conversations": 5,
        "accepted_from_distinct": 3,
        "clean_days": 30,
    },
    # Two months, many people, and a quarter with nothing upheld against you.
    3: {
        "account_age_days": 60,
        "days_active": 30,
        "accepted_conversations": 20,
        "accepted_from_distinct": 10,
        "clean_days": 90,
    },
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
#: Where data exports (zips) are written; each is deleted 7 days after it is ready.
EXPORT_ROOT = VAR_DIR / "exports"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In DEBUG, serve straight from the apps' static folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

NINJA_PAGINATION_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
