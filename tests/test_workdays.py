"""Working days on the official calendar, for the manual-review deadline [002]."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from workdays import rules as workdays
from workdays.models import CalendarDay, PublishedYear

pytestmark = pytest.mark.django_db
D = datetime.date


def _first_unpublished_year() -> int:
    """The first year the installed chinese-calendar does not know: 2027 with version 1.11.
    Computed, so that upgrading the package (as docs/deployment.md recommends each November)
    moves these tests on instead of breaking them."""
    year = 2026
    while workdays.package_knows(D(year, 1, 1)):
        year += 1
    return year


UNPUBLISHED = _first_unpublished_year()


@pytest.fixture
def in_november_before_it(monkeypatch):
    """Pages read today's date: November of the year before the unpublished one."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: D(UNPUBLISHED - 1, 11, 22))


def test_a_filing_received_on_friday_with_two_working_days_is_due_on_tuesday():
    assert workdays.add_working_days(D(2026, 11, 20), 2) == D(2026, 11, 24)


def test_the_national_day_week_is_skipped():
    # 2026-09-30 (Wed): 10-01..10-07 are holidays; the 1st and 2nd working days after are
    # 10-08 (Thu) and 10-09 (Fri).
    assert workdays.add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)


def test_a_tiaoxiu_saturday_counts_as_a_working_day():
    # 2026-10-10 is a Saturday worked in exchange (调休): from Friday 10-09 the deadline is
    # Monday 10-12, not Tuesday 10-13.
    assert workdays.is_working_day(D(2026, 10, 10))
    assert workdays.add_working_days(D(2026, 10, 9), 2) == D(2026, 10, 12)


def test_a_year_with_no_published_holidays_falls_back_to_weekdays():
    # 元旦 is a holiday every year; until the year is published it counts as a plain weekday.
    new_year = D(UNPUBLISHED, 1, 1)
    assert workdays.is_working_day(new_year) is (new_year.weekday() < 5)
    assert workdays.is_working_day(D(UNPUBLISHED, 1, 3)) is (D(UNPUBLISHED, 1, 3).weekday() < 5)
    assert workdays.unknown_years(D(UNPUBLISHED - 1, 11, 22)) == [UNPUBLISHED]


def test_the_administrator_enters_next_years_holidays(client, erin, in_november_before_it):
    client.force_login(erin)
    page = client.get(reverse("administration:calendar")).content.decode()
    assert f"尚无 {UNPUBLISHED} 年的法定节假日安排" in page
    new_year = D(UNPUBLISHED, 1, 1)
    client.post(
        reverse("administration:calendar"),
        {"date": new_year.isoformat(), "is_working_day": "False", "note": "元旦"},
    )
    day = CalendarDay.objects.get()
    assert not day.is_working_day and day.history.get().history_user == erin
    assert not workdays.is_working_day(new_year)
    # One entered day does not make the year known: 春节 may still be missing.
    assert workdays.unknown_years(D(UNPUBLISHED - 1, 11, 22)) == [UNPUBLISHED]
    assert (
        f"尚无 {UNPUBLISHED} 年" in client.get(reverse("administration:calendar")).content.decode()
    )
    client.post(reverse("administration:calendar"), {"publish": str(UNPUBLISHED)})
    assert workdays.unknown_years(D(UNPUBLISHED - 1, 11, 22)) == []
    assert "尚无" not in client.get(reverse("administration:calendar")).content.decode()
    assert PublishedYear.objects.get().history.get().history_user == erin


def test_a_year_is_confirmed_only_once_its_days_are_entered(client, erin, in_november_before_it):
    client.force_login(erin)
    url = reverse("administration:calendar")
    page = client.post(url, {"publish": str(UNPUBLISHED)}, follow=True).content.decode()
    assert f"请先逐日录入 {UNPUBLISHED} 年的放假日和调休上班日" in page
    page = client.post(url, {"publish": "1999"}, follow=True).content.decode()
    assert "只能确认今年或明年尚未公布的年度安排" in page
    assert not PublishedYear.objects.exists()


def test_a_filings_deadline_in_an_unpublished_year_says_so(
    as_carol, resident_a, alice, in_november_before_it
):
    from django.utils import timezone

    from tests.conftest import make_filing

    filing = make_filing(resident_a, alice, status="pending", review="manual")
    filing.submitted_at = timezone.make_aware(datetime.datetime(UNPUBLISHED - 1, 12, 31, 9))
    filing.save()
    page = as_carol.get(reverse("filing:detail", args=[filing.pk])).content.decode()
    assert f"{UNPUBLISHED} 年的法定节假日尚未录入，暂按周一至周五计算" in page
    PublishedYear.objects.create(year=UNPUBLISHED)
    page = as_carol.get(reverse("filing:detail", args=[filing.pk])).content.decode()
    assert "尚未录入" not in page


def test_an_entered_day_overrides_the_package():
    CalendarDay.objects.create(date=D(2026, 11, 23), is_working_day=False, note="测试")
    assert not workdays.is_working_day(D(2026, 11, 23))
    assert workdays.add_working_days(D(2026, 11, 20), 2) == D(2026, 11, 25)


def test_the_supervisor_is_told_when_the_deadline_counts_plain_weekdays(
    as_carol, in_november_before_it
):
    page = as_carol.get(reverse("filing:review_queue")).content.decode()
    assert f"{UNPUBLISHED} 年的法定节假日尚未录入" in page


def test_entries_written_while_the_calendar_was_filings_still_verify(as_erin):
    """The calendar moved from filing/ to workdays/: older entries name it filing.calendarday."""
    from audit.models import AuditEntry, ChainHead
    from audit.verification import verify

    CalendarDay.objects.create(date=D(2027, 2, 16), is_working_day=False, note="春节")
    entry = AuditEntry.objects.latest("id")
    assert entry.record_type == "workdays.calendarday"
    entry.record_type = "filing.calendarday"  # as written before the move, hash and all
    entry.hash = entry.compute_hash()
    AuditEntry.objects.filter(id=entry.id).update(record_type=entry.record_type, hash=entry.hash)
    ChainHead.objects.filter(chain="-").update(last_hash=entry.hash)
    assert verify().ok


@pytest.mark.parametrize(("days", "due"), [(2, D(2026, 11, 24)), (3, D(2026, 11, 25))])
def test_the_review_deadline_counts_the_countys_working_days(resident_a, alice, county, days, due):
    """[002]: 2 working days in 江苏; a county of 2–3 days sets its own."""
    from django.utils import timezone

    from accounts.models import Policy
    from tests.conftest import make_filing

    policy = Policy.for_county(county)
    policy.manual_review_working_days = days
    policy.save()
    filing = make_filing(resident_a, alice, status="pending", review="manual")
    filing.submitted_at = timezone.make_aware(datetime.datetime(2026, 11, 20, 10))  # a Friday
    assert filing.review_deadline() == due
