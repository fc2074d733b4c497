"""The production settings, with a worker that stalls after an import's first batch:
scripts/cluster_check.py kills it there, as a crash would, and another server's worker must
take the import over."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.stall.apps.StallConfig"]  # noqa: F405
