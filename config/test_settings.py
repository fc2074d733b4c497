"""Settings for the test suite: the real settings, a known secret and a fast password hasher."""

import os

# The test client speaks plain HTTP; production behind HTTPS is checked by check --deploy.
os.environ.setdefault("PORTAL_HTTPS", "False")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("AUDIT_KEY", "test-only-audit-key-not-for-production-use-9876543210")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# No collectstatic in tests: WhiteNoise serves from the apps' folders instead.
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
# Each test starts with an empty cache of its own (tests/conftest.py), not the dev server's.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each run anchors the audit chains in a file of its own (tests/conftest.py empties it).
AUDIT_ANCHOR_FILE = os.environ.get(  # a worker process started by a test is given the test's
    "AUDIT_ANCHOR_FILE",
    str(BASE_DIR / "var" / f"test-anchors-{os.getpid()}.log"),  # noqa: F405
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory database: the live server's concurrent requests
    # and the worker processes of tests/test_import_worker.py take turns through SQLite's
    # locks instead of failing on them. One file per run, so that two runs side by side
    # never share one.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    TEST_DATABASE = BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_DATABASE)}  # noqa: F405
# A second alias for the replica's tests (tests/test_replica.py): the test database itself,
# through a connection of its own. READ_REPLICA stays off unless a test turns it on.
DATABASES["replica"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "TEST": {"MIRROR": "default"},
    "ATOMIC_REQUESTS": False,  # as in production: only the primary wraps a request
}
if DATABASES["replica"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A reader: no journal-mode switch (which waits for the request's write lock) and no
    # write transactions; WAL lets it read while the request's own transaction is open.
    DATABASES["replica"]["OPTIONS"] = {"timeout": 20}  # noqa: F405
