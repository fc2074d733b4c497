"""Working days on China's official calendar, with 调休 make-up working days.

Sources, in order: days an administrator entered (`CalendarDay`, for a year the State
Council has published but the installed `chinese-calendar` package does not know yet), then
the `chinese-calendar` package, then — for a year neither knows — plain Monday to Friday.
The calendar never fails for an unknown year; `unknown_years` tells the administrator which
years are being counted as plain weekdays.
"""

from __future__ import annotations

import datetime
import functools

import chinese_calendar

from workdays.models import CalendarDay, PublishedYear


@functools.lru_cache(maxsize=8192)  # twenty years of days
def _package_says(day: datetime.date) -> bool | None:
    """The installed calendar's answer, or None for a year it does not know. Kept per day for
    the process (the package's data does not change while it runs): each of its calls checks
    the year by scanning every holiday it knows, and a page of review deadlines asks some two
    hundred times."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def package_knows(day: datetime.date) -> bool:
    return _package_says(day) is not None


def is_working_day(day: datetime.date, entered: dict[datetime.date, bool] | None = None) -> bool:
    if entered is None:
        entered = entered_days(day.year, day.year)
    if day in entered:
        return entered[day]
    said = _package_says(day)
    return day.weekday() < 5 if said is None else said


def entered_days(first_year: int, last_year: int) -> dict[datetime.date, bool]:
    rows = CalendarDay.objects.filter(date__year__gte=first_year, date__year__lte=last_year)
    return dict(rows.values_list("date", "is_working_day"))


def add_working_days(
    start: datetime.date, count: int, entered: dict[datetime.date, bool] | None = None
) -> datetime.date:
    """The `count`-th working day after `start` (a filing received on a Friday with a limit of
    2 working days is due on the Tuesday)."""
    if entered is None:
        entered = entered_days(start.year, start.year + 1 + count // 200)
    day = start
    remaining = count
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, entered):
            remaining -= 1
    return day


def working_days_between(
    start: datetime.date, end: datetime.date, entered: dict[datetime.date, bool] | None = None
) -> int:
    """The working days after `start` up to `end` included: a filing received on a Friday and
    decided on the Tuesday took 2 (the measure of `add_working_days`); the same day, 0."""
    if entered is None:
        entered = entered_days(start.year, end.year)
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        days += is_working_day(day, entered)
    return days


def year_is_known(year: int) -> bool:
    """Known when the installed calendar has it, or an administrator marked it published after
    entering its days. A single entered day does not make it known (春节 may still be missing)."""
    return (
        package_knows(datetime.date(year, 1, 1)) or PublishedYear.objects.filter(year=year).exists()
    )


def unknown_years(today: datetime.date) -> list[int]:
    """This year and next, where counted as plain weekdays for want of published holidays."""
    return [year for year in (today.year, today.year + 1) if not year_is_known(year)]


def unknown_years_between(first: datetime.date, last: datetime.date) -> list[int]:
    """The years from `first` to `last` counted as plain weekdays (for one deadline)."""
    return [year for year in range(first.year, last.year + 1) if not year_is_known(year)]
