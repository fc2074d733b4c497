"""A worker that stops dead after an import's first batch (tests/test_import_worker.py): the
test then kills it with SIGKILL, as a crash or the OOM killer would, at a known point. The
worker's import is patched here, in its own process, to stall once its first batch is in."""

import time

from django.apps import AppConfig


class StallConfig(AppConfig):
    name = "tests.stall"

    def ready(self) -> None:
        from registry import imports

        import_batch = imports._import_batch

        def stall_after_the_first_batch(*args, **kwargs):
            import_batch(*args, **kwargs)
            while True:  # until SIGKILL
                time.sleep(60)

        imports._import_batch = stall_after_the_first_batch
