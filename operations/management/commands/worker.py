"""The background worker: `manage.py worker` (scripts/run.sh, scripts/serve.sh and
scripts/cluster.sh start it).

It runs the tasks queued in the database (django-tasks-db's worker, with its options). First,
and then every WORKER_SWEEP_SECONDS in a thread of its own (operations/sweep.py), it queues
again the work a dead worker left unfinished (an Excel import resumes after its last
committed batch; with several servers, any server's worker takes it over), anchors the audit
chains' ends outside the database, and forgets what is kept for a while only.
"""

import threading

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from operations import sweep


class Command(DatabaseWorker):
    help = "后台任务进程：先接续中断的导入，再依次处理排队的任务（导入、审计校验等），并定时巡检。"

    def handle(self, *args, **options):
        queued = sweep.sweep()
        if queued:
            self.stdout.write(f"已重新排队 {queued} 个中断的导入。")
        stopped = threading.Event()
        sweeper = threading.Thread(
            target=sweep.sweep_now_and_then, args=(stopped,), name="sweep", daemon=True
        )
        sweeper.start()
        try:
            super().handle(*args, **options)
        finally:
            stopped.set()
