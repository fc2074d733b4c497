"""Production settings plus the benchmark's floor view (benchmarks/urls.py)."""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"

if os.environ.get("BENCHMARK_NOTHING_KEPT"):
    # Every page built as if a record had just changed: the worst case of the pages kept in the
    # cache (audit.page_cache.kept_until_changed).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
