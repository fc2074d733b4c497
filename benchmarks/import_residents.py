"""Import of 100,000 residents from one Excel sheet, with history and audit entries (issue 9:
target <= 60 s).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/import_residents.py [rows]

Writes the sheet into the storage, then runs the import's task here as the worker would
(checking every row, then writing in batches), timing it.
"""

from __future__ import annotations

import datetime
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")


def main(rows: int) -> None:
    import django

    django.setup()
    from django.core.files import File
    from openpyxl import Workbook

    from accounts.models import County, Role, Station, User
    from benchmarks.common import fresh_household_number
    from core import id_numbers
    from demo import data as demo
    from registry.imports import import_sheet
    from registry.models import ImportStatus, Resident, ResidentImport

    county, _ = County.objects.get_or_create(
        code="140882", defaults={"name": "河津市", "pooling_region_code": "140800"}
    )
    station, _ = Station.objects.get_or_create(
        county=county,
        name="导入测试医保站",
        defaults={"township": "清涧街道", "address": "河津市", "phone": "0359-5000000"},
    )
    user, _ = User.objects.get_or_create(
        username="import_bench",
        defaults={
            "full_name": "导入测试",
            "role": Role.CASEWORKER,
            "station": station,
            "county": county,
        },
    )
    rng = random.Random(99)
    used = set(Resident.objects.values_list("id_number", flat=True))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["姓名", "身份证号码", "民族", "联系电话", "现住址", "户号", "与户主关系"])
    household = fresh_household_number(140882_500000) - 1
    started = time.perf_counter()
    for index in range(rows):
        if index % 4 == 0:
            household += 1
        while True:
            born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 29000))
            number = id_numbers.make(f"140882{born:%Y%m%d}{rng.randrange(1000):03d}")
            if number not in used:
                used.add(number)
                break
        sheet.append(
            [
                demo._name(rng),
                number,
                "汉族",
                f"139{rng.randrange(10**7, 10**8)}",
                "山西省运城市河津市清涧街道",
                str(household),
                "户主" if index % 4 == 0 else "子",
            ]
        )
    path = Path(tempfile.mkdtemp()) / "bench.xlsx"
    workbook.save(path)
    written = time.perf_counter() - started
    job = ResidentImport(station=station, created_by=user, file_name="bench.xlsx")
    with path.open("rb") as handle:
        job.sheet.save("bench.xlsx", File(handle), save=True)
    started = time.perf_counter()
    import_sheet.call(job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, (job.status, job.errors[:3])
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; sheet of {rows:,} rows "
        f"written in {written:.1f} s"
    )
    print(
        f"import of {job.imported:,} residents (checked, with history and audit entries): "
        f"{elapsed:.1f} s  target <= 60 s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
