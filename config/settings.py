"""Django settings for the grid management platform.

Configuration comes from the environment (see README, "Configuration"). Without
DATABASE_URL / MQTT_URL the embedded servers started by `make run` are used; their URLs
are read from var/services.json.
"""
import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import pghistory
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from signin.client_address import axes_ipware_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def _embedded(key: str) -> str | None:
    services = VAR_DIR / "services.json"
    if services.exists():
        return json.loads(services.read_text()).get(key)
    return None


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # Development: a random key kept under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Production unless a developer opts in (DEBUG=1): debug pages show code and settings.
DEBUG = os.environ.get("DEBUG", "0") == "1"
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "pgtrigger",
    "gis_core.history_app.HistoryConfig",  # django-pghistory, named for the admin
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    # The project's apps, lowest layer first (README, Architecture): each imports only
    # the ones before it, and registers its parts in its AppConfig.ready().
    "gis_core",
    "signin",
    "tiles",
    "assets",
    "grids",
    "iot",
    "incidents",
    "services",
    "notify",
    "portal",
    "notices",
    "ogc",
    "demo",
    # The job queue's tables (its migrations) and `manage.py procrastinate worker`.
    "procrastinate.contrib.django",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "gis_core.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Read your writes: after a write, this client's reads skip the replicas for a while.
    "gis_core.replicas.ReplicaStickyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gis_core.input_guard.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Ends sessions idle for SESSION_IDLE_MINUTES (README, Sign-in and sessions).
    "signin.middleware.IdleSessionMiddleware",
    "gis_core.personal_data.PersonalDataAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Who changed what (痕迹): user and URL attached to every history event.
    "pghistory.middleware.HistoryMiddleware",
    # Turns a lockout flagged during sign-in into the lockout answer (last, as axes asks).
    "axes.middleware.AxesMiddleware",
]

# One cache for every web process and node: the public limits (throttles) count there, so
# a per-process memory cache would let each worker grant the whole limit again. The
# database's table (created by gis_core's migration 0004) needs no other server.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gis_core_cache",
                      "OPTIONS": {"MAX_ENTRIES": 100_000}}}

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gis_core.context_processors.resident_frame",
            ],
        },
    },
]

# The frame of residents' pages in every app (gis_core.context_processors.resident_frame).
RESIDENT_FRAME_TEMPLATE = "portal/base.html"

DATABASE_URL = os.environ.get("DATABASE_URL") or _embedded("database_url") or "postgres://grid@localhost/grid"
# Connections per process: a web process (config/asgi.py sets DATABASE_POOL_SIZE, default
# 20) shares a pool — under ASGI each request's sync code may run in a new thread, and a
# persistent connection per thread piles up until PostgreSQL refuses clients. Other
# processes (ingester, workers, commands) keep one persistent connection per thread.
DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "0"))


def _database(url: str) -> dict:
    # Health checks: a connection the server closed is replaced (by the pool's check).
    database = dj_database_url.parse(url, conn_max_age=0 if DATABASE_POOL_SIZE else 60, conn_health_checks=True)
    database["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    if DATABASE_POOL_SIZE:
        database["OPTIONS"] = {**database.get("OPTIONS", {}),
                               "pool": {"min_size": 1, "max_size": DATABASE_POOL_SIZE, "timeout": 10}}
    return database


DATABASES = {"default": _database(DATABASE_URL)}
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_grid")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (README, "Read replicas"): PostgreSQL standbys streaming from the primary,
# comma-separated URLs (default: the devstack's, `python3 -m devstack.embedded up --replica`).
# Only the heavy reads that tolerate a little lag go there (gis_core.replicas), each replica
# checked first: reachable and at most REPLICA_MAX_LAG_SECONDS behind, else the primary.
# After a write, the same client reads from the primary for REPLICA_STICKY_SECONDS.
_replica_urls = os.environ.get("DATABASE_REPLICA_URLS")
if _replica_urls is None:
    _replica_urls = "" if os.environ.get("DATABASE_URL") else (_embedded("database_replica_url") or "")
DATABASE_REPLICA_URLS = [url.strip() for url in _replica_urls.split(",") if url.strip()]
REPLICA_DATABASES = []
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = _database(_url)
    # A replica that does not answer must not hold a request for long (it falls back).
    _replica["OPTIONS"] = {"connect_timeout": 3, **_replica.get("OPTIONS", {})}
    # Tests: the replica holds the primary's test database (the whole cluster streams).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    REPLICA_DATABASES.append(f"replica_{_number}")
DATABASE_ROUTERS = ["gis_core.replicas.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
REPLICA_STICKY_SECONDS = int(os.environ.get("REPLICA_STICKY_SECONDS", "10"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
REPLICA_LOG_SECONDS = float(os.environ.get("REPLICA_LOG_SECONDS", "60"))

MQTT_URL = os.environ.get("MQTT_URL") or _embedded("mqtt_url") or "mqtt://localhost:1883"

AUTH_USER_MODEL = "gis_core.User"
# Axes first: it refuses a locked-out account or address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "signin.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "admin:login"

# i18n: Chinese by default, English available (?language=en or the language switcher).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gis_core" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages from the npm registry (gis_core/frontend/package-lock.json), copied
# to var/vendor by `make setup` (gis_core/frontend/vendor.py) and served as local files.
VENDOR_DIR = VAR_DIR / "vendor"
STATICFILES_DIRS = [("vendor", VENDOR_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# Files only served through scoped views (case photos): never under MEDIA_URL.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))

# Basemap for map pages and admin widgets: an XYZ URL template (天地图, OSM, an intranet
# tile server). Empty by default: pages then draw area boundaries only and need no internet.
BASEMAP_URL = os.environ.get("BASEMAP_URL", "")
BASEMAP_ATTRIBUTION = os.environ.get("BASEMAP_ATTRIBUTION", "")


def _basemap_source(url: str) -> list[str]:
    """The CSP source of the basemap's tiles: its scheme and host, a subdomain placeholder
    (``t{s}.tianditu.gov.cn``, ``{a-c}.tile.…``) as the wildcard ``*.``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []  # empty, or a path on our own host ('self')
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    return [f"{parts.scheme}://{'.'.join(labels)}"]


# Security headers (README, "Security headers"). The Content-Security-Policy (django-csp)
# allows no inline code: scripts and styles are static files; the few documents that must
# carry inline code (the standalone area report) get a per-request nonce (csp.constants.NONCE,
# sent only when a view used request.csp_nonce). MapLibre draws in workers started from
# blob: URLs and decodes raster tiles (heatmaps, the basemap) into blob: images; the heat
# overlay of the area report and some vendored stylesheets' icons are data: images.
_BASEMAP_SOURCE = _basemap_source(BASEMAP_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:", *_BASEMAP_SOURCE],
        # MapLibre fetches raster tiles (the basemap too) with fetch(); the dispatcher's
        # console listens on an EventSource.
        "connect-src": [SELF, *_BASEMAP_SOURCE],
        "worker-src": [SELF, "blob:"],
        "child-src": [SELF, "blob:"],  # workers in browsers without worker-src
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features pages may use: the device's position for the grid leader's pages
# (visits, reports from the spot), nothing else that reaches the user's hardware.
PERMISSIONS_POLICY = {
    "geolocation": ["self"], "fullscreen": ["self"], "camera": [], "microphone": [], "payment": [],
    "usb": [], "serial": [], "bluetooth": [], "midi": [], "magnetometer": [], "gyroscope": [],
    "accelerometer": [], "display-capture": [],
}

# Served over TLS (SECURE_TLS=1): plain HTTP is redirected, browsers are told to keep to
# HTTPS (HSTS) and cookies go over HTTPS only. Behind a TLS-terminating proxy,
# SECURE_PROXY_SSL_HEADER names the header the proxy sets to "https" (X-Forwarded-Proto).
SECURE_TLS = os.environ.get("SECURE_TLS", "0") == "1"
if _proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
if SECURE_TLS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # checked over plain HTTP on the host itself
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "0") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# A child area may stick out of its parent by at most this much (digitising noise), and
# sibling areas may overlap by at most AREA_OVERLAP_TOLERANCE_M2.
AREA_TOLERANCE_M = float(os.environ.get("AREA_TOLERANCE_M", "1.0"))
AREA_OVERLAP_TOLERANCE_M2 = float(os.environ.get("AREA_OVERLAP_TOLERANCE_M2", "1.0"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["gis_core.permissions.RolePermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        # Filters and orderings on masked personal fields refused (gis_core.filters).
        "gis_core.filters.PersonalDataFilterBackend",
        "rest_framework.filters.SearchFilter",
        "gis_core.filters.PersonalDataOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "gis_core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "gis_core.api_base.AutoSchema",
    "EXCEPTION_HANDLER": "gis_core.api_base.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Grid management platform API",
    "DESCRIPTION": _(
        "Areas, grid cells, buildings, houses, people and places of the district, as GeoJSON. "
        "Every answer is limited to the areas of the signed-in user."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {"CaseStatusEnum": "incidents.models.CaseStatus"},
    # Swagger UI from the npm package, served locally: no CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    # (COMPONENT_SPLIT_REQUEST breaks drf-spectacular's GeoJSON extension: it pops the read-only id.)
}

# Settings shown on a debug page or in an error report: connection URLs with their
# passwords masked too (Django masks only names like KEY, SECRET, PASS).
DEFAULT_EXCEPTION_REPORTER_FILTER = "gis_core.errors.SettingsFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "procrastinate": {"level": "WARNING"}},
}

# Debian 12 ships GDAL 3.6: GeoDjango warns it cannot sandbox GDAL's file/network access.
# GeoDjango's GDAL only parses SRIDs and geometries we hand it; uploaded files are read by
# pyogrio (its own, newer GDAL).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Sessions live in the database only: with a per-process cache (cached_db over the
# local-memory cache) a session ended in one worker (logout, lockout, idle timeout) would
# stay valid in the others' caches. A session is written at most once a minute
# (signin.middleware.IdleSessionMiddleware), not on every tile.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_ACTIVITY_RESOLUTION_SECONDS = 60
# A live alert stream (iot/live.py) ends after this long and the console reconnects,
# its session and areas checked again.
LIVE_STREAM_SECONDS = int(os.environ.get("LIVE_STREAM_SECONDS", "300"))

# Sign-in throttling and lockout (django-axes): AXES_FAILURE_LIMIT failed sign-ins lock
# the username, and as many from one address lock the address (either alone), for
# AXES_COOLOFF_MINUTES; every failure during a lockout restarts it.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_MINUTES = int(os.environ.get("AXES_COOLOFF_MINUTES", "15"))
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "signin.lockout.lockout_response"
# Not reset on success: one own account signed into between guesses must not wipe the
# count of the address (nor of the accounts guessed at from it).
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the audit keeps every failure (signin admin)
AXES_ENABLE_ADMIN = False  # signin/admin.py shows the logs read-only, in Chinese
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, unless TRUSTED_PROXIES reverse proxies stand in front
# (then the X-Forwarded-For entry our outermost proxy appended: signin/client_address.py).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
globals().update(axes_ipware_settings(TRUSTED_PROXIES))

# Second factor (django-otp, TOTP): required for the roles that see personal data
# unmasked (gis_core.roles.PERSONAL_DATA_ROLES) while OTP_REQUIRED is on.
OTP_REQUIRED = os.environ.get("OTP_REQUIRED", "1") == "1"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Grid management platform")
# How long the step between password and code may take.
SIGNIN_PENDING_SECONDS = 300


# History context (user, URL) only for requests that may write; reads skip the overhead.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# History rows are read by record (pgh_obj) only: the foreign keys they copy (area, building
# …) get no index there, which every write of a tracked row would keep up for nothing
# (geometries: gis_core.history). The record's and the context's keys keep theirs.
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(db_index=True)
PGHISTORY_CONTEXT_FIELD = pghistory.ContextForeignKey(db_index=True)

# Elderly-care terminals (iot): a left-safe-zone alert needs this many consecutive fixes
# clearly outside (farther out than their accuracy), and as many clearly inside to count
# as back; a device is silent after IOT_SILENT_MINUTES without any message; low battery
# at or below IOT_LOW_BATTERY percent; a fix more than IOT_FUTURE_SECONDS ahead of its
# arrival is flagged "future".
IOT_ZONE_FIXES = int(os.environ.get("IOT_ZONE_FIXES", "3"))
IOT_SILENT_MINUTES = int(os.environ.get("IOT_SILENT_MINUTES", "30"))
IOT_LOW_BATTERY = int(os.environ.get("IOT_LOW_BATTERY", "15"))
IOT_FUTURE_SECONDS = int(os.environ.get("IOT_FUTURE_SECONDS", "600"))

# Positions over time (README, "Positions over time"): daily partitions are created
# IOT_PARTITION_DAYS_AHEAD days ahead; a day's full fixes are kept IOT_POSITION_FULL_DAYS
# whole days, then downsampled into the history (one fix per terminal per
# IOT_HISTORY_INTERVAL seconds, plus every fix within IOT_ALERT_KEEP_MINUTES of an alert of
# that terminal), itself kept IOT_HISTORY_DAYS.
IOT_PARTITION_DAYS_AHEAD = int(os.environ.get("IOT_PARTITION_DAYS_AHEAD", "7"))
IOT_POSITION_FULL_DAYS = int(os.environ.get("IOT_POSITION_FULL_DAYS", "7"))
IOT_HISTORY_DAYS = int(os.environ.get("IOT_HISTORY_DAYS", "365"))
IOT_HISTORY_INTERVAL = int(os.environ.get("IOT_HISTORY_INTERVAL", "60"))
IOT_ALERT_KEEP_MINUTES = int(os.environ.get("IOT_ALERT_KEEP_MINUTES", "10"))

# MQTT credentials of gateways (3G watches arrive through one) and of the terminal
# simulator: they may publish any terminal's uplink. IOT_BROKER_DIR holds the broker's
# passwd/acl files that `manage.py iot_broker_sync` regenerates from the terminal
# registry (from passwd.base/acl.base, the service users), then reloads the broker.
MQTT_GATEWAY_URL = os.environ.get("MQTT_GATEWAY_URL") or _embedded("mqtt_gateway_url") or ""
IOT_BROKER_DIR = os.environ.get("IOT_BROKER_DIR") or _embedded("mqtt_dir") or ""

# Incidents and cases: working periods of a working day (time limits count these hours),
# the share of a case's time limit after which it is "due soon", the days after closing
# when a case is archived automatically, the radius of "same problem nearby" when
# reporting, and the photo limits.
INCIDENTS_WORK_PERIODS = os.environ.get("INCIDENTS_WORK_PERIODS", "09:00-12:00,13:00-18:00")
INCIDENTS_WARN_FRACTION = float(os.environ.get("INCIDENTS_WARN_FRACTION", "0.8"))
INCIDENTS_ARCHIVE_DAYS = int(os.environ.get("INCIDENTS_ARCHIVE_DAYS", "15"))
INCIDENTS_NEARBY_M = float(os.environ.get("INCIDENTS_NEARBY_M", "50"))
INCIDENTS_PHOTO_MAX_BYTES = int(os.environ.get("INCIDENTS_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
INCIDENTS_PHOTOS_MAX = int(os.environ.get("INCIDENTS_PHOTOS_MAX", "9"))
# Service applications (services app): scanned materials, and when an application is "due soon".
SERVICES_SCAN_MAX_BYTES = int(os.environ.get("SERVICES_SCAN_MAX_BYTES", str(20 * 2**20)))
SERVICES_SCANS_MAX = int(os.environ.get("SERVICES_SCANS_MAX", "20"))
SERVICES_DUE_SOON_DAYS = int(os.environ.get("SERVICES_DUE_SOON_DAYS", "2"))
# Appointments (预约): how many days ahead residents may book; the public booking's limits
# per client address and per phone, and the public free-slot lookups per address (DRF
# throttle rates, "count/period", counted in the cache like TRACK_RATE).
APPOINTMENT_DAYS_AHEAD = int(os.environ.get("APPOINTMENT_DAYS_AHEAD", "30"))
APPOINTMENT_BOOK_RATE = os.environ.get("APPOINTMENT_BOOK_RATE", "20/hour")
APPOINTMENT_PHONE_RATE = os.environ.get("APPOINTMENT_PHONE_RATE", "5/day")
APPOINTMENT_SLOTS_RATE = os.environ.get("APPOINTMENT_SLOTS_RATE", "60/min")

# Public case tracking (/track/, /api/v1/track/<number>/): lookups per client address, and
# wrong checks (tracking key or phone digits) per number within TRACK_FAILURE_WINDOW
# seconds before the number answers 429. Counters live in the cache (CACHES).
TRACK_RATE = os.environ.get("TRACK_RATE", "30/min")
TRACK_MAX_FAILURES = int(os.environ.get("TRACK_MAX_FAILURES", "10"))
TRACK_FAILURE_WINDOW = int(os.environ.get("TRACK_FAILURE_WINDOW", "3600"))

# Open311 GeoReport v2: the jurisdiction_id a client may send (our district's division code).
OPEN311_JURISDICTION = os.environ.get("OPEN311_JURISDICTION", "530103")

# ── Notifications (README, "Notifications") ───────────────────────────────────────────
# Channels: SMS over SMPP 3.4 (smpp://system_id:password@host:port), e-mail over SMTP
# (smtp://user:password@host:port, smtps://… or ?starttls=1), a webhook (JSON POST signed
# with HMAC-SHA256 under NOTIFY_WEBHOOK_SECRET). Non-urgent messages wait out the quiet
# hours (local time) and at most NOTIFY_RATE_LIMIT ("count/seconds") go to one recipient.
SMPP_URL = os.environ.get("SMPP_URL", "")
SMPP_SOURCE_ADDR = os.environ.get("SMPP_SOURCE_ADDR", "106900001234")
SMPP_TIMEOUT = float(os.environ.get("SMPP_TIMEOUT", "15"))
# Up to SMPP_WINDOW submit_sm await their answer at once on the session; after
# ESME_RTHROTTLED no new submit for SMPP_THROTTLE_PAUSE seconds (doubling, at most 8 ×).
SMPP_WINDOW = int(os.environ.get("SMPP_WINDOW", "20"))
SMPP_THROTTLE_PAUSE = float(os.environ.get("SMPP_THROTTLE_PAUSE", "0.25"))
SMTP_URL = os.environ.get("SMTP_URL", "")
NOTIFY_EMAIL_FROM = os.environ.get("NOTIFY_EMAIL_FROM", "noreply@grid.example")
NOTIFY_WEBHOOK_URL = os.environ.get("NOTIFY_WEBHOOK_URL", "")
NOTIFY_WEBHOOK_SECRET = os.environ.get("NOTIFY_WEBHOOK_SECRET", "")
NOTIFY_QUIET_HOURS = os.environ.get("NOTIFY_QUIET_HOURS", "22:00-07:00")
NOTIFY_RATE_LIMIT = os.environ.get("NOTIFY_RATE_LIMIT", "5/3600")
NOTIFY_MAX_TRIES = int(os.environ.get("NOTIFY_MAX_TRIES", "6"))
NOTIFY_RETRY_SECONDS = int(os.environ.get("NOTIFY_RETRY_SECONDS", "15"))
NOTIFY_EXPIRE_HOURS = int(os.environ.get("NOTIFY_EXPIRE_HOURS", "24"))
NOTIFY_CLAIM_TIMEOUT = int(os.environ.get("NOTIFY_CLAIM_TIMEOUT", "120"))
# A worker claims (commits ``sending``) at most NOTIFY_BATCH messages at once: the most a
# SIGKILL can leave "interrupted" (claimed, perhaps handed over, unrecorded).
NOTIFY_BATCH = int(os.environ.get("NOTIFY_BATCH", "100"))
NOTIFY_REPLY_DAYS = int(os.environ.get("NOTIFY_REPLY_DAYS", "7"))
NOTIFY_DISPATCH_PHONE = os.environ.get("NOTIFY_DISPATCH_PHONE", "0871-12345")
# An SOS or fall nobody acknowledged this many minutes after it arrived escalates (notify.rules:
# step 1 after N minutes, step 2 after 2N); 0 turns escalation off everywhere (districts
# switch it off in the admin's rule switches).
NOTIFY_SOS_ESCALATE_MINUTES = int(os.environ.get("NOTIFY_SOS_ESCALATE_MINUTES", "5"))
# ── The residents' portal (README, "Residents' portal") ──────────────────────────────────
# SMS codes: valid PORTAL_CODE_MINUTES, single use, PORTAL_CODE_ATTEMPTS wrong tries each;
# asked for at most PORTAL_CODE_PHONE_RATE per phone and PORTAL_CODE_IP_RATE per address.
# Reports filed at most PORTAL_REPORT_PHONE_RATE per phone and PORTAL_REPORT_IP_RATE per
# address. A resident's sign-in (我的办件) lasts PORTAL_SESSION_MINUTES.
PORTAL_CODE_MINUTES = int(os.environ.get("PORTAL_CODE_MINUTES", "10"))
PORTAL_CODE_ATTEMPTS = int(os.environ.get("PORTAL_CODE_ATTEMPTS", "5"))
PORTAL_CODE_PHONE_RATE = os.environ.get("PORTAL_CODE_PHONE_RATE", "5/hour")
PORTAL_CODE_IP_RATE = os.environ.get("PORTAL_CODE_IP_RATE", "20/hour")
PORTAL_REPORT_PHONE_RATE = os.environ.get("PORTAL_REPORT_PHONE_RATE", "10/day")
PORTAL_REPORT_IP_RATE = os.environ.get("PORTAL_REPORT_IP_RATE", "30/day")
PORTAL_SESSION_MINUTES = int(os.environ.get("PORTAL_SESSION_MINUTES", "60"))

# The job queue runs its tasks from notify.tasks (and its periodic recovery), notices.tasks
# and iot.tasks (the clock of positions: partitions ahead, retention; queue maintenance).
PROCRASTINATE_WORKER_DEFAULTS = {"queues": ["urgent", "notify", "maintenance"], "concurrency": 4}

# ── Notices and warnings (README, "Notices and warnings") ─────────────────────────────────
# SMS of a notice go out at most NOTICES_SMS_RATE a second (the gateway's contracted rate),
# in jobs of NOTICES_CHUNK messages. CAP alerts name NOTICES_CAP_SENDER as their sender.
NOTICES_SMS_RATE = int(os.environ.get("NOTICES_SMS_RATE", "100"))
NOTICES_CHUNK = int(os.environ.get("NOTICES_CHUNK", "1000"))
NOTICES_CAP_SENDER = os.environ.get("NOTICES_CAP_SENDER", "grid.example")
NOTICES_CAP_MAX_BYTES = int(os.environ.get("NOTICES_CAP_MAX_BYTES", str(5 * 1024 * 1024)))

# ── Single sign-on (README, "Single sign-on") ────────────────────────────────────────────
# After axes' lockout check and local passwords (the superuser, accounts outside the
# directory; users the directory or the OpenID provider created have none): the district's
# LDAP directory when LDAP_SERVER_URI is set and OpenID Connect when OIDC_OP_ISSUER and the
# client are. config/sso.py reads the environment; roles and areas come from groups
# (gis_core.identity).
from config.sso import sso_settings

globals().update(sso_settings(os.environ, backends=AUTHENTICATION_BACKENDS))
