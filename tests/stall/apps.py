import time

from django.apps import AppConfig


def stall_after_the_first_batch(sender, job, imported, **kwargs) -> None:
    while True:  # until SIGKILL
        time.sleep(60)


class StallConfig(AppConfig):
    name = "tests.stall"

    def ready(self) -> None:
        from registry.imports import batch_committed

        batch_committed.connect(stall_after_the_first_batch)
