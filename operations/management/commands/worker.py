"""The background worker: `manage.py worker` (scripts/run.sh and scripts/serve.sh start it).

It runs the tasks queued in the database (django-tasks-db's worker, with its options), after
queuing again the work a dead worker left unfinished (an Excel import resumes after its last
committed batch), forgetting the claims of form tokens too old to be posted, and anchoring
the audit chains' ends outside the database.
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from audit import anchors
from registry import imports
from security import idempotency


class Command(DatabaseWorker):
    help = "后台任务进程：先接续中断的导入，再依次处理排队的任务（导入、审计校验等）。"

    def handle(self, *args, **options):
        queued = imports.resume()
        if queued:
            self.stdout.write(f"已重新排队 {queued} 个中断的导入。")
        imports.delete_expired_sheets()
        idempotency.forget_old_claims()
        anchors.write()
        super().handle(*args, **options)
