"""A worker that stops dead after an import's first batch (tests/test_import_worker.py): the
test then kills it with SIGKILL, as a crash or the OOM killer would, at a known point."""
