"""What several benchmarks share."""

from __future__ import annotations

import statistics


def fresh_household_number(start: int) -> int:
    """The first household number at or after `start` above every one already given from
    there (12 digits): a benchmark run again in the same database never clashes with an
    earlier run's households."""
    from django.db.models import Max

    from registry.models import Household

    span = Household.objects.filter(
        household_number__gte=str(start), household_number__lt=str(start + 1_000_000)
    )
    highest = span.aggregate(highest=Max("household_number"))["highest"]
    return int(highest) + 1 if highest else start


def p95(values: list[float]) -> float:
    """The 95th percentile; with fewer than two values (a tiny run), the largest."""
    if len(values) < 2:
        return max(values, default=0.0)
    return statistics.quantiles(values, n=20)[-1]
