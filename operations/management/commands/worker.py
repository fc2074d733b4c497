"""The background worker: `manage.py worker` (scripts/run.sh, scripts/serve.sh and
scripts/cluster.sh start it).

It runs the queued tasks: those queued in the database with django-tasks-db's worker (and its
options), or, with TASK_QUEUE_URL, those queued in Redis with an RQ worker (`--batch` then
means: until the queue is empty). First, and then every WORKER_SWEEP_SECONDS in a thread of its
own (operations/sweep.py), it queues again the work a dead worker left unfinished (an Excel
import resumes after its last committed batch; with several servers, any server's worker takes
it over), anchors the audit chains' ends outside the database, and forgets what is kept for a
while only.
"""

import threading

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from core import tasks
from operations import sweep


class Command(DatabaseWorker):
    help = "后台任务进程：先接续中断的导入，再依次处理排队的任务（导入、审计校验等），并定时巡检。"

    def add_arguments(self, parser):
        if tasks.queued_in_database():
            super().add_arguments(parser)
            return
        # The RQ worker's: the database worker's options that scripts give, with their meaning.
        parser.add_argument("--batch", action="store_true", help="队列为空时退出。")
        parser.add_argument("--no-reload", action="store_true", help="（兼容选项，不自动重载）")
        parser.add_argument("--no-startup-delay", action="store_true", help="（兼容选项）")

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
            if tasks.queued_in_database():
                super().handle(*args, **options)
            else:
                tasks.redis_worker().work(burst=options["batch"], logging_level="INFO")
        finally:
            stopped.set()
