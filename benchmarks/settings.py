"""Production settings plus the benchmark's floor view (benchmarks/urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
