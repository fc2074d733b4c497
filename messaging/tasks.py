"""Sending texts, run by the worker process (`manage.py worker`)."""

from __future__ import annotations

from django_tasks import task

from messaging import services


@task()
def send_text(message_id: int) -> None:
    services.send(message_id)
