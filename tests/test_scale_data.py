"""The benchmarks' scale data look like a county's history (issue 31): what the counter would
have written, each record as its rules allow."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from filing.models import Filing, FilingStatus
from registry.models import ENROLLMENT_MATERIALS, ChangeStatus, Enrollment, InfoChange, Resident
from reimbursement.models import REQUIRED, CaseStatus, ReimbursementCase

# transaction=True: on PostgreSQL the command ends with VACUUM, which no transaction may hold.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_scale_data_hold_a_countys_history(capsys):
    call_command("generate_scale_data", residents=600, cases=150, filings=200)
    assert Resident.objects.count() == 600  # the number asked, not a household more
    # One enrollment each; complete ones hold their kind's materials; open ones are recent.
    assert Enrollment.objects.count() == 600
    for enrollment in Enrollment.objects.all():
        if enrollment.completed_at is not None:
            assert set(ENROLLMENT_MATERIALS[enrollment.newborn]) <= set(enrollment.received)
        else:
            assert timezone.now() - enrollment.created_at < datetime.timedelta(days=30)
    # Changes for about a tenth, mostly completed.
    changes = InfoChange.objects.count()
    assert 20 <= changes <= 110
    assert InfoChange.objects.filter(status=ChangeStatus.COMPLETED).count() > changes / 2
    # A case forwarded or complete has every document; one waiting is recent.
    for case in ReimbursementCase.objects.all():
        if case.status in (CaseStatus.COMPLETE, CaseStatus.FORWARDED):
            assert set(REQUIRED[case.kind]) <= set(case.received)
        if case.status == CaseStatus.INCOMPLETE:
            assert timezone.now() - case.created_at < datetime.timedelta(days=61)
    # Filings in every outcome; a pending one filed within the last two days.
    statuses = set(Filing.objects.values_list("status", flat=True))
    assert {FilingStatus.APPROVED, FilingStatus.CANCELLED, FilingStatus.REJECTED} <= statuses
    for filing in Filing.objects.filter(status=FilingStatus.PENDING):
        assert timezone.now() - filing.submitted_at < datetime.timedelta(hours=48)
    assert Filing.objects.filter(status=FilingStatus.REJECTED).exclude(rejection_reason="").exists()
