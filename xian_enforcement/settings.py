"""Settings, read from the environment (see the configuration table in README.md).

Defaults give a working embedded setup (SQLite and Celery's filesystem broker under ``var/``);
production sets ``DJANGO_DEBUG=false``, ``DJANGO_SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL`` and
``DJANGO_ALLOWED_HOSTS``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("XIAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DJANGO_DEBUG", True)
SECRET_KEY = envstr("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Key for encrypting personal identifiers at rest (Fernet, urlsafe base64, 32 bytes).
# When unset it is derived from SECRET_KEY, which is fine for the quick start only.
FIELD_ENCRYPTION_KEY = envstr("FIELD_ENCRYPTION_KEY")

INSTALLED_APPS = [
    "xian_enforcement.admin_site.XianAdminConfig",  # django.contrib.admin, reference data only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # shared core
    "xian_enforcement.org",
    "xian_enforcement.audit",
    "xian_enforcement.notices",
    "xian_enforcement.hardening",  # security headers, rate limits, manage.py permission_matrix; no models
    "xian_enforcement.documents",  # per-unit, per-year official document numbers (发文字号)
    # domain rooms
    "cases",
    "reviews",
    "stats.apps.StatisticsConfig",
    "tolerance",
    "xian_enforcement.accounts",
    "xian_enforcement.jobs",  # background exports with progress (performance.md target 8)
]
# The benchmark harness (manage.py bench, docs/performance.md) is a development app outside the
# core: installed only with BENCH=1, and in tests (xian_enforcement/settings_test.py). It has no
# models and adds nothing to the project's URLs; production never loads it.
BENCH = envbool("BENCH", False)
if BENCH:
    INSTALLED_APPS.append("benchmarks")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xian_enforcement.hardening.middleware.SecurityHeadersMiddleware",
    "xian_enforcement.hardening.middleware.NoStoreMiddleware",  # signed-in responses: Cache-Control no-store
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xian_enforcement.org.middleware.SlidingSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xian_enforcement.accounts.middleware.TwoFactorMiddleware",
    "xian_enforcement.accounts.middleware.PasswordAgeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xian_enforcement.hardening.middleware.NulByteMiddleware",  # a NUL in a search/filter: 400, not 500
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xian_enforcement.audit.middleware.RequestContextMiddleware",
    "xian_enforcement.hardening.middleware.RateLimitMiddleware",
    "xian_enforcement.org.middleware.ReadOnlyRoleMiddleware",
    "xian_enforcement.audit.middleware.XianAuditlogMiddleware",  # auditlog with our client IP
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xian_enforcement.urls"
WSGI_APPLICATION = "xian_enforcement.wsgi.application"

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
                "xian_enforcement.org.context_processors.platform",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif envstr("DATABASE_RANDOM_PAGE_COST", "1.1"):
    # PostgreSQL's default (4) prices a random read as a spinning disk's; on SSDs, with the working
    # set in memory, the planner then hashes all of a county's case files to find a few hundred
    # reviews instead of probing their keys (performance.md target 1). 1.1 is the usual SSD
    # setting; empty keeps the server's.
    cost = float(envstr("DATABASE_RANDOM_PAGE_COST", "1.1"))
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c random_page_cost={cost}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # security.md "Authentication": ≥ 10 characters (replaces Django's MinimumLengthValidator, same
    # limit, so a short password gets one message), 3 of 4 classes, not containing the username.
    {"NAME": "xian_enforcement.accounts.validators.ComplexityValidator", "OPTIONS": {"min_length": 10}},
    # Not the current password nor one of the last PASSWORD_HISTORY_COUNT.
    {"NAME": "xian_enforcement.accounts.validators.PasswordHistoryValidator"},
]
# Authentication (security.md, 等保 8.1.4.1); see docs/security-authentication.md.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out username+IP pairs; must come first
    "django.contrib.auth.backends.ModelBackend",
]
# Periodic password change: days after which a password must be changed (0 disables).
PASSWORD_MAX_AGE_DAYS = envint("PASSWORD_MAX_AGE_DAYS", 180)
# Login-failure lockout (django-axes): N failures for one username from one IP lock that pair.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the retry time shown stays true
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "xian_enforcement.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "xian_enforcement.accounts.lockout.client_ip"
AXES_VERBOSE = False
# Two-factor (django-otp TOTP) for the administrator roles and the admin site.
OTP_TOTP_ISSUER = "县域行政执法监督平台"
OTP_LOGIN_URL = "otp_verify"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False  # the sliding expiry is refreshed by SlidingSessionMiddleware
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("DJANGO_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy and Permissions-Policy (xian_enforcement.hardening; docs/security-web.md).
# No 'unsafe-inline': templates carry no inline script, style or event handler.
CSP_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
CSRF_FAILURE_VIEW = "xian_enforcement.hardening.views.csrf_failure"
# Rate limits per client IP, fixed window in the cache (security.md "Input"): "count/period",
# period s, m, h or d. The client IP is hardening.client_address.client_ip (below).
RATELIMIT_ENABLED = envbool("RATELIMIT_ENABLED", True)
RATELIMIT_LOGIN = envstr("RATELIMIT_LOGIN", "10/m")
RATELIMIT_PUBLIC = envstr("RATELIMIT_PUBLIC", "60/m")

# --- Bad input and abuse (docs/security-web.md, docs/security-authentication.md) ---
# The client address behind the reverse proxy: CLIENT_IP_HEADER (a request META key such as
# HTTP_X_REAL_IP) is believed only when REMOTE_ADDR is in TRUSTED_PROXIES (addresses or CIDRs);
# rate limits, the sign-in lockout and the audit trail all key on it. RATELIMIT_IP_HEADER is the
# older name of CLIENT_IP_HEADER, still read.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", [])
CLIENT_IP_HEADER = envstr("CLIENT_IP_HEADER", envstr("RATELIMIT_IP_HEADER", ""))
# A session ends this many seconds after sign-in, however active (beside the idle timeout).
SESSION_ABSOLUTE_SECONDS = envint("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
# A new password may not equal the current one nor one of this many before it.
PASSWORD_HISTORY_COUNT = 5
# FIELD_ENCRYPTION_KEY is required in production and must be a valid Fernet key: derived from
# SECRET_KEY, a rotated secret key would make every encrypted identifier unreadable.
if not DEBUG and not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY must be set when DJANGO_DEBUG is false (docs/operations.md §2: "
        "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
    )
if FIELD_ENCRYPTION_KEY:
    from cryptography.fernet import Fernet as _Fernet

    try:
        _Fernet(FIELD_ENCRYPTION_KEY.encode())
    except ValueError as _exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY is not a valid Fernet key: {_exc}") from None
# --- end of the bad-input block ---

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["xian_enforcement.formats"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # attachments are served only through authorising views

# Uploads (security.md "Input"): size limit and allowed content types checked by content.
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# Excel imports (ledgers, power lists): all-or-nothing, at most this many rows and bytes.
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 5000)
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# A ledger file larger than this is previewed and imported by a background worker (about 400 rows).
IMPORT_SYNC_MAX_BYTES = envint("IMPORT_SYNC_MAX_BYTES", 32 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1_048_576

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "noreply@xian.example")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "broker"
    for sub in ("in", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_TIME_LIMIT = 1800

# Background exports (performance.md target 8): a list export of more rows than this runs in
# Celery with a progress page; finished jobs and their files are deleted after this many days.
EXPORT_SYNC_MAX_ROWS = 10_000
EXPORT_JOB_KEEP_DAYS = 7
# A running export beats as it progresses; the sweeper (beat, every 2 minutes) re-queues one
# whose beat is older than this, at most EXPORT_JOB_MAX_ATTEMPTS runs in all, then marks it failed.
EXPORT_JOB_STALE_SECONDS = envint("EXPORT_JOB_STALE_SECONDS", 300)
EXPORT_JOB_MAX_ATTEMPTS = envint("EXPORT_JOB_MAX_ATTEMPTS", 3)
# Exports cannot starve the web tier: county-wide exports always run in the background, and a
# user has at most this many export jobs queued or running at once.
EXPORT_JOBS_PER_USER = 2

# Values the regulations leave open (rules.md "defaults"), in one place.
RULES = {
    # REV-5: transfer a closed file for self-review within N days; reminders on these days.
    "REV_5_TRANSFER_DAYS": envint("REV_5_TRANSFER_DAYS", 30),
    "REV_5_REMIND_DAYS": [20, 27],
    # Case files need at least this many officers (REV-13 veto item "执法人员少于2人").
    "MIN_OFFICERS_PER_CASE": 2,
    # STA-5.2: warn about certificate expiry this many days before.
    "CERT_EXPIRY_WARN_DAYS": 60,
    # STA-5.2: a second expiry reminder this many days after the first.
    "CERT_EXPIRY_SECOND_REMINDER_DAYS": 30,
    # STA-2: reports due on the Nth day of the month after the period (10 July, 10 January),
    # reminders N days after the period opens; reports opened this many days after a period ends.
    "STA_2_HALF_YEAR_DUE_DAYS": 10,
    "STA_2_YEAR_DUE_DAYS": 10,
    "STA_2_REMIND_DAYS": [1, 7],
    "STA_2_OPEN_WINDOW_DAYS": 60,
    # TOL-14c: notify a decision within N days, reminder on day 5 (overdue notice on day 8).
    "TOL_14C_NOTIFY_DAYS": 7,
    "TOL_14C_REMIND_DAYS": [5],
    # TOL-17: default correction period and reminder before its deadline.
    "TOL_17_DEFAULT_DAYS": 30,
    "TOL_17_REMIND_BEFORE_DAYS": 3,
    # TOL-18: risk warning when a category recurs this often in the window (department / county).
    "TOL_18_DEPT_THRESHOLD": 3,
    "TOL_18_COUNTY_THRESHOLD": 5,
    "TOL_18_WINDOW_DAYS": 365,
    # REV-15: grade bands (score ≥ excellent-min 优秀; ≥ qualified-min 合格; else 不合格).
    "REV_15_EXCELLENT_MIN": 90,
    "REV_15_QUALIFIED_MIN": 60,
    # REV-14: default points per stage of the scored checklist (total 100).
    "REV_14_STAGE_POINTS": {"filing": 5, "investigation": 35, "decision": 35, "service": 15, "archiving": 10},
    # REV-11: files drawn per unit and category.
    "REV_11_SAMPLE_SIZE": 5,
    # REV-8: consequences per number of unqualified files (≤ 10 cases; scaled per 10 above).
    "REV_8_PER_CASES": 10,
    "REV_8_CRITICISM_AT": 1,
    "REV_8_NO_AWARD_AT": 2,
    "REV_8_SUSPEND_AT": 3,
    "REV_8_SCALE_ABOVE": True,
    # REV-9: semi-annual summary due N days after 30 June / 31 December; reminders.
    "REV_9_DUE_DAYS": 15,
    "REV_9_REMIND_DAYS": [5, 12],
    # REV-10: flag a year without an inspection from (month, day).
    "REV_10_FLAG_FROM": (10, 1),
    # Home page "due soon" window.
    "DUE_SOON_DAYS": 7,
}

# Demo data builders run by `manage.py seed_demo`: each room registers its own in AppConfig.ready()
# (xian_enforcement.org.demo.register_demo_builder). A setting DEMO_BUILDERS = ["cases", ...] keeps
# only the named ones (tests use it to build one room's demo).

PLATFORM_NAME = _("县域行政执法监督平台")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO: one PDF wrote ~8 lines to the server log.
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

AUDITLOG_INCLUDE_ALL_MODELS = False
# Error reports (e-mails, the debug page) mask personal data and secrets (security.md "Audit").
DEFAULT_EXCEPTION_REPORTER_FILTER = "xian_enforcement.reporting.MaskingExceptionReporterFilter"
# Audit rows are kept at least six calendar months (网络安全法 第21条); a purge never removes
# younger rows, and the PostgreSQL trigger refuses it too. Values below 6 are refused at start-up.
AUDIT_RETENTION_MONTHS = envint("AUDIT_RETENTION_MONTHS", 6)
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Key of the audit chain's row hashes and the signed records' digests (HMAC-SHA256), kept outside
# the database (docs/operations.md "Tamper evidence"). Required in production (check --deploy,
# audit.E002); while DJANGO_DEBUG is true an unset key falls back to one derived from SECRET_KEY.
AUDIT_HMAC_KEY = envstr("AUDIT_HMAC_KEY")
if not AUDIT_HMAC_KEY and DEBUG:
    from .audit.keys import development_key

    AUDIT_HMAC_KEY = development_key(SECRET_KEY)
# Production runs the application as a database role that does not own the tables, so it cannot
# disable the audit triggers, truncate, or delete audit rows (manage.py grant_app_role). The owner's
# URL, when set, is what `manage.py migrate`, `purge_audit` and `rekey_audit` connect with.
DATABASE_MIGRATE_URL = envstr("DATABASE_MIGRATE_URL")
if DATABASE_MIGRATE_URL:
    DATABASES["migrate"] = dj_database_url.parse(DATABASE_MIGRATE_URL, conn_max_age=0)
    DATABASES["migrate"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["migrate"]["TEST"] = {"MIRROR": "default"}
