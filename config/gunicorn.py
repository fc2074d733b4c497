"""gunicorn settings for one county server (scripts/serve.sh). Values come from the
environment so a deployment changes none of the code."""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Rendering PDFs is CPU-bound: a process per core, plus one, with a few threads each for the
# pages that wait on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
accesslog = "-"
# No query strings in the access log: searches are POSTed, but keep the log free of
# personal data whatever a client sends.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
preload_app = True  # import Django and WeasyPrint once, share the memory


def pre_fork(server, worker):
    """The app is loaded before the workers fork (preload_app): its objects are moved out of
    the collector's reach, so that no worker's collection walks them again (shorter pauses on
    a page's many allocations, and memory pages stay shared rather than copied)."""
    gc.freeze()
