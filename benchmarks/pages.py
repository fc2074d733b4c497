"""Page and search benchmark on the scale data (issue 9).

    DATABASE_URL=postgres://... .venv/bin/python manage.py generate_scale_data
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/pages.py

Server time of each list and search page (Django's test client in this process: no network,
no browser), its query count and size, and the database time of the two registry searches.
Every list is timed on its first, middle and last page (keyset links, core/keyset.py), both
home pages as rebuilt after a change, the filing form, and an ID-number search as the counter
sends it (a POST), and the county's report of a year (issue 30: within 2 s). Targets
(issue 31): any page of any list p95 <= 25 ms at 1 M residents;
caseworker home rebuilt p95 <= 12 ms, supervisor home <= 25 ms; filing form <= 25 ms and
<= 40 KB. BENCH_RUNS=2 times each page twice (CI runs every benchmark so, on tiny data).
"""

from __future__ import annotations

import gc
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

RUNS = int(os.environ.get("BENCH_RUNS", "40"))


def main() -> None:
    import django

    django.setup()
    # As the server does before its workers fork (config/gunicorn.py): what loading made is
    # out of the collector's reach.
    gc.collect()
    gc.freeze()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import Role, Station, User
    from audit.models import AuditEntry
    from audit.page_cache import renew_marks
    from benchmarks.common import p95
    from core.keyset import token
    from filing.models import Filing
    from registry.models import Enrollment, InfoChange, Resident
    from reimbursement.models import ReimbursementCase

    station = Station.objects.filter(county__code="140881").order_by("pk").first()
    if station is None:
        sys.exit("No scale data: run manage.py generate_scale_data first.")
    caseworker = User.objects.filter(station=station, role=Role.CASEWORKER).first()
    supervisor, _ = User.objects.get_or_create(
        username="scale_supervisor",
        defaults={"full_name": "规模审核员", "role": Role.SUPERVISOR, "county": station.county},
    )
    rows = {
        "residents": Resident.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "information changes": InfoChange.objects.count(),
        "cases": ReimbursementCase.objects.count(),
        "filings": Filing.objects.count(),
        "audit entries": AuditEntry.objects.count(),
        "history (residents)": Resident.history.count(),
    }
    sample = list(Resident.objects.filter(station=station).values_list("id_number", "name")[:2000])
    rng = random.Random(1)

    from django.utils import timezone

    this_year, this_month = timezone.localdate().year, timezone.localdate().month

    def timed(client: Client, method: str, url: str, data=None, before=None):
        call = getattr(client, method)
        for _ in range(3):
            call(url, data)
        times = []
        for _ in range(RUNS):
            if before:
                before()
            started = time.perf_counter()
            response = call(url, data)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 302), (url, response.status_code)
        if before:
            before()
        with CaptureQueriesContext(connection) as queries:
            response = call(url, data)
        return times, len(queries.captured_queries), len(response.content)

    def search_then_list(client: Client, list_url: str, query: str):
        client.post(list_url, {"q": query})
        return timed(client, "get", list_url)

    def deep(name: str, client: Client, url: str, records, order: tuple[str, ...], data=None):
        """The list's first, middle and last page, as its links open them."""
        fields = tuple(field.lstrip("-") for field in order)
        count = records.count()
        middle = records.order_by(*order).values(*fields)[count // 2] if count else None
        pages = [("首页", data or {}), ("末页", {**(data or {}), "last": "1"})]
        if middle is not None:
            pages.insert(1, ("中间页", {**(data or {}), "after": token(middle, fields)}))
        return [(f"{name}（{where}）", *timed(client, "get", url, query)) for where, query in pages]

    def audit_pages(name: str, data: dict):
        """The audit log's newest page, one in the middle and the oldest (its links: 更早)."""
        entries = AuditEntry.objects.filter(county=station.county)
        if data.get("station"):
            entries = entries.filter(station=data["station"])
        seqs = entries.order_by("county_seq").values_list("county_seq", flat=True)
        count = entries.count()
        pages = [("最新一页", data)]
        if count:
            pages.append(("中间页", {**data, "before": seqs[count // 2]}))
            pages.append(("最早一页", {**data, "before": seqs[min(count - 1, 25)]}))
        return [
            (f"{name}（{where}）", *timed(county, "get", reverse("oversight:audit_log"), query))
            for where, query in pages
        ]

    from django.conf import settings

    from oversight import reports

    def where_counted(period) -> str:
        rows = reports.rows_to_count(supervisor, period)
        return "页面内统计" if rows <= settings.REPORT_ROWS_IN_REQUEST else "后台统计"

    def counted(period):
        """The report counted in this process, as the worker or the page counts it."""
        today = timezone.localdate()
        times = []
        with CaptureQueriesContext(connection) as queries:
            reports.report(supervisor, period, today)
        for _ in range(max(2, RUNS // 8)):
            started = time.perf_counter()
            reports.report(supervisor, period, today)
            times.append((time.perf_counter() - started) * 1000)
        return times, len(queries.captured_queries), 0

    year_of_county = reports.year(this_year)
    worker = Client()
    worker.force_login(caseworker)
    county = Client()
    county.force_login(supervisor)

    def changed() -> None:
        """What a change at the station leaves behind (audit.page_cache.records_changed)."""
        renew_marks([f"station:{station.pk}", f"stations-of:{station.county_id}"])

    two_char = next((n for _, n in sample if len(n) == 2), "王芳")
    mine = {"station": station}
    ours = {"station__county": station.county}
    resident = Resident.objects.filter(station=station, filings__isnull=True).first()
    results = [
        *deep(
            "参保人列表（本站）",
            worker,
            reverse("registry:resident_list"),
            Resident.objects.filter(**mine),
            ("name", "pk"),
        ),
        *deep(
            "参保人列表（全县）",
            county,
            reverse("registry:resident_list"),
            Resident.objects.filter(**ours),
            ("name", "pk"),
        ),
        (
            "按身份证号查找（提交）",
            *timed(worker, "post", reverse("registry:resident_list"), {"q": sample[0][0]}),
        ),
        (
            f"按两字姓名查找（{two_char}）",
            *search_then_list(worker, reverse("registry:resident_list"), two_char),
        ),
        (
            "按户号查找",
            *search_then_list(worker, reverse("registry:resident_list"), "140881000100"),
        ),
        *deep(
            "备案记录列表（本站）",
            worker,
            reverse("filing:list"),
            Filing.objects.filter(**mine),
            ("-submitted_at", "-pk"),
        ),
        *deep(
            "备案记录列表（全县）",
            county,
            reverse("filing:list"),
            Filing.objects.filter(**ours),
            ("-submitted_at", "-pk"),
        ),
        *deep(
            "补偿案件列表（本站）",
            worker,
            reverse("reimbursement:list"),
            ReimbursementCase.objects.filter(**mine),
            ("-created_at", "-pk"),
        ),
        (
            "补偿案件列表（本站刚有变更）",
            *timed(worker, "get", reverse("reimbursement:list"), before=changed),
        ),
        (
            "补偿案件列表（材料不全，刚有变更）",
            *timed(worker, "get", reverse("reimbursement:list"), {"status": "incomplete"}, changed),
        ),
        (
            f"补偿案件按姓名查找（{two_char}）",
            *search_then_list(worker, reverse("reimbursement:list"), two_char),
        ),
        ("经办员首页", *timed(worker, "get", reverse("home"))),
        ("经办员首页（本站刚有变更）", *timed(worker, "get", reverse("home"), before=changed)),
        ("审核员首页（全县）", *timed(county, "get", reverse("home"))),
        ("审核员首页（全县刚有变更）", *timed(county, "get", reverse("home"), before=changed)),
        *deep(
            "备案审核队列（全县）",
            county,
            reverse("filing:review_queue"),
            Filing.objects.filter(**ours).awaiting_review(),
            ("submitted_at", "pk"),
        ),
        (
            "异地就医备案表（填写）",
            *timed(worker, "get", reverse("filing:create", args=[resident.pk])),
        ),
        *audit_pages("审计记录（全县）", {}),
        *audit_pages("审计记录（按医保站筛选）", {"station": station.pk}),
        (
            "审计记录（按人员和日期筛选）",
            *timed(
                county,
                "get",
                reverse("oversight:audit_log"),
                {"user": caseworker.pk, "start": "2025-01-01", "end": "2026-12-31"},
            ),
        ),
        (
            "审计记录（按操作筛选：修改）",
            *timed(county, "get", reverse("oversight:audit_log"), {"action": "update"}),
        ),
        # 报表 (issue 30): a year of the whole county, and a month of one station. The county's
        # year is counted by the worker past REPORT_ROWS_IN_REQUEST: the page then shows its
        # progress line, then the kept report; the counting itself is timed below.
        (
            f"业务统计报表（全县，一年：{where_counted(year_of_county)}）",
            *timed(county, "get", reverse("reports"), {"kind": "year", "year": str(this_year)}),
        ),
        ("业务统计报表（全县，一年：统计本身）", *counted(year_of_county)),
        (
            "业务统计报表（本站，一月）",
            *timed(
                worker,
                "get",
                reverse("reports"),
                {"kind": "month", "year": str(this_year), "month": str(this_month)},
            ),
        ),
    ]

    # The database alone: the ID lookup, and name searches within the station.
    id_times = []
    for number, _ in rng.sample(sample, min(50, len(sample))):
        started = time.perf_counter()
        list(Resident.objects.filter(id_number=number).values_list("pk", flat=True))
        id_times.append((time.perf_counter() - started) * 1000)
    name_times = []
    station_residents = Resident.objects.filter(station=station)
    for _, name in rng.sample(sample, min(50, len(sample))):
        query = name[:2]
        started = time.perf_counter()
        list(station_residents.search(query).values_list("pk", "name")[:25])
        station_residents.search(query).count()
        name_times.append((time.perf_counter() - started) * 1000)

    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.cursor().connection.info.server_version}"
    else:
        database = f"{connection.vendor} {connection.Database.sqlite_version}"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {database}"
    )
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    print()
    print("| 页面 | p50 (ms) | p95 (ms) | 查询数 | 大小 (KB) |")
    print("|---|---|---|---|---|")
    for name, times, queries, size in results:
        print(
            f"| {name} | {statistics.median(times):.1f} | {p95(times):.1f} | {queries} "
            f"| {size / 1024:.0f} |"
        )
    print()
    id_p50, id_p95 = statistics.median(id_times), p95(id_times)
    name_p50, name_p95 = statistics.median(name_times), p95(name_times)
    print(f"身份证号码查找（数据库）: p50 {id_p50:.2f} ms, p95 {id_p95:.2f} ms")
    print(f"姓名查找（本站，含计数）: p50 {name_p50:.1f} ms, p95 {name_p95:.1f} ms")


if __name__ == "__main__":
    main()
