"""Settings shared by every environment: apps, security headers, login, policy, static files."""

from __future__ import annotations

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent.parent

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "govuk_frontend_django",
    "joinedup.web.accounts",
    "joinedup.web.governance",
    "joinedup.web.audit",
    "joinedup.web.airlock",
    "joinedup.web.cases",
    "joinedup.web.mdt",
    "joinedup.web.people",
    "joinedup.web.referrals",
    "joinedup.web.linkflags",
    "joinedup.web.programme",
    "joinedup.web.workforce",
    "joinedup.web.dashboard",
    "joinedup.web.community",
    "joinedup.web.jobs",
    "joinedup.web.linkage_review",
    "joinedup.web.localities",
    "joinedup.web.feeds",
    "joinedup.web.cohorts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A bearer token on /api/ replaces the session's user: then the policy judges that user.
    "joinedup.web.accounts.tokens.TokenAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "joinedup.web.headers.SecurityHeadersMiddleware",
    # After authentication, before the policy: every /api/ request counts against the API rate.
    "joinedup.web.throttle.ApiThrottleMiddleware",
    # Last, so that it sees the resolved URL name: the one place where the policy is enforced.
    "joinedup.web.accounts.enforcement.PolicyMiddleware",
]

ROOT_URLCONF = "joinedup.web.urls"
WSGI_APPLICATION = "joinedup.web.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "joinedup.web.governance.context.reviews_due_banner",
                "joinedup.web.people.context.break_glass_banner",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Argon2id first: new passwords are hashed with it, older hashes are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout (joinedup.web.accounts.lockout): failures counted in the database, so that every
# worker process and every restart sees the same count.
JOINEDUP_LOCKOUT_ACCOUNT_FAILURES = 5
JOINEDUP_LOCKOUT_IP_FAILURES = 20
JOINEDUP_LOCKOUT_COOL_DOWN_SECONDS = 15 * 60
# Notices from the feed loader (a delivery refused under an agreement) stay in the IG lead's
# banner for this many days; after that they are in the audit log (verb notice.*) only.
JOINEDUP_NOTICE_DAYS = 30
# Throttling (joinedup.web.throttle): requests per user (signed out, per address), counted in
# the database. The API as a whole; looking up a person or a case (AC-15).
JOINEDUP_API_RATE = "300/minute"
JOINEDUP_LOOKUP_RATE = "60/minute"
# The information governance lead is warned this many days before an agreement's review date.
JOINEDUP_REVIEW_WARNING_DAYS = 30
# Break-glass access to a person without a case: how long it lasts, and how often a day.
JOINEDUP_BREAK_GLASS_MINUTES = 60
JOINEDUP_BREAK_GLASS_PER_DAY = 3
# A risk scoring this (likelihood x impact, 1 to 25) or more is listed for the Executive.
JOINEDUP_RISK_ESCALATION_SCORE = 15
# Reminders to action owners before a meeting come from this address.
DEFAULT_FROM_EMAIL = "JoinedUp programme office <programme-office@localhost>"

# Sessions: server-side, HttpOnly, same-site, ended by closing the browser and after a working day.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
# Stored in UTC, shown in UK time (AUD-08).
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# GOV.UK Frontend's compiled CSS asks for /assets/fonts and /assets/images, hence /assets/.
STATIC_URL = "/assets/"
STATICFILES_DIRS = [WEB_DIR / "static"]
# WhiteNoise serves the packaged assets straight from the package: no collectstatic, no CDN.
WHITENOISE_USE_FINDERS = True

# Application logs name pages, never people (AUD-07): the filter drops query strings, the request
# object (its form values and cookies) and exception messages that could quote a record, from
# every logger that sees requests and from the one handler. SQL and its parameters are never
# logged, DEBUG or not. Who did what to whom is in the audit log, not here.
_NO_PERSONAL_DATA = ["without_personal_data"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "without_personal_data": {"()": "joinedup.web.settings.logfilters.WithoutPersonalData"}
    },
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": _NO_PERSONAL_DATA,
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # No mail_admins: an error e-mail would carry the request, form values and all.
        "django": {"handlers": [], "level": "INFO", "filters": _NO_PERSONAL_DATA},
        "django.request": {"level": "INFO", "filters": _NO_PERSONAL_DATA},
        "django.security": {"level": "INFO", "filters": _NO_PERSONAL_DATA},
        "django.security.csrf": {"level": "INFO", "filters": _NO_PERSONAL_DATA},
        # runserver's access log quotes the request line, query string and all.
        "django.server": {"level": "INFO", "filters": _NO_PERSONAL_DATA, "propagate": True},
        "django.db.backends": {"level": "INFO"},
        "django.template": {"level": "INFO"},
        "waitress": {"level": "WARNING", "filters": _NO_PERSONAL_DATA},
    },
}

# Background jobs (joinedup.web.jobs): each on a thread of the web process; tests run them inline.
JOINEDUP_JOBS = "thread"
