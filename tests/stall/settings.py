"""The test settings, with a worker that stalls after an import's first batch."""

from config.test_settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.stall.apps.StallConfig"]  # noqa: F405
