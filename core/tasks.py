"""Queueing a task from inside a transaction, whichever backend queues it (config/settings.py,
TASK_QUEUE_URL)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend


def queued_in_database(task: Task[..., Any] | None = None) -> bool:
    """Whether `task` (or any task of the default backend) is queued in the database."""
    backend = task.get_backend() if task is not None else task_backends["default"]
    return isinstance(backend, DatabaseBackend)


def enqueue(task: Task[..., Any], *args: Any) -> None:
    """Queue `task(*args)` for the worker, once the caller's rows are there for it to read.

    In the database, the task's row commits with the caller's rows, or neither does. In Redis,
    a task queued before the commit could be taken by a worker that does not see the rows yet
    (or ever, should the request fail), so it is queued when the transaction commits. Should
    Redis refuse it then, the error is logged and the rows stay: the worker's sweep queues an
    import without a worker again, and a chain check that waits too long
    (audit.tasks.requeue_waiting_checks)."""
    if queued_in_database(task):
        task.enqueue(*args)
        return

    def queue_it() -> None:  # a function, not a partial: Django logs a failed hook by its name
        task.enqueue(*args)

    transaction.on_commit(queue_it, robust=True)


def redis_worker() -> Any:
    """An RQ worker for the tasks queued in Redis (`manage.py worker` with TASK_QUEUE_URL). It
    runs each task in its own process, not in a forked child: killed, its task goes with it, as
    with the database's worker, and the sweep gives an import to another worker. The database
    connection is renewed around each task, as Django does around each request."""
    import django_rq
    from django.db import close_old_connections
    from django_tasks_rq.backend import Job
    from rq.worker import SimpleWorker

    class Worker(SimpleWorker):
        def perform_job(self, *args: Any, **kwargs: Any) -> bool:
            close_old_connections()
            try:
                return super().perform_job(*args, **kwargs)
            finally:
                close_old_connections()

    queue = django_rq.get_queue("default", job_class=Job)
    return Worker([queue], connection=queue.connection, job_class=Job)
