"""Peak memory of the worker importing hostile and large sheets (issue 15: ~200 MB for any
20 MB upload).

    .venv/bin/python benchmarks/import_memory.py

Each sheet is imported by a fresh worker process (`manage.py worker --batch`) on a SQLite
database of its own; the figure is that process's peak resident set size (VmHWM), beside
the same worker's peak with nothing to do.
"""

from __future__ import annotations

import io
import os
import platform
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="worksheet"/></Relationships>'
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
HEADER = ["姓名", "身份证号码", "民族", "联系电话", "现住址", "户号", "与户主关系"]


def xlsx(rows, shared: list[str]) -> bytes:
    """A workbook written part by part (rows: an iterable of XML row strings)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        items = "".join(f"<si><t>{text}</t></si>" for text in shared)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{items}</sst>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def header_row() -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADER)
    return f'<row r="1">{cells}</row>'


def shared_string_bomb() -> bytes:
    """Issue 15's file: 20,000 rows whose name cell points at one 70,000-character string."""
    rows = (
        f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>14083019900101003{n % 10}</t></is></c></row>'
        for n in range(2, 20_002)
    )
    return xlsx([header_row(), *rows], ["名" * 70_000])


def one_long_row() -> bytes:
    """A row of 5 million cells (the sheet part unpacks to ~150 MB)."""
    cells = ('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(5_000_000))
    return xlsx([header_row(), '<row r="2">', *cells, "</row>"], [])


def largest_sheet() -> bytes:
    """The largest real sheet the limits let through: 200,000 residents with long addresses,
    about 20 MB."""
    from core import id_numbers

    def row(n: int) -> str:
        number = id_numbers.make(f"1408301950{n // 28 % 12 + 1:02d}{n % 28 + 1:02d}{n % 997:03d}")
        values = [
            f"居民{n}",
            number,
            "汉族",
            f"139{n:08d}",
            f"山西省运城市芮城县古魏镇西关村{n}号院{n % 7}单元{n % 31}室"
            f"（靠近村委会东侧第{n % 9}排）",
            str(140830_000000 + n // 4),
            "户主" if n % 4 == 0 else "子",
        ]
        cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
        return f'<row r="{n}">{cells}</row>'

    return xlsx([header_row(), *(row(n) for n in range(2, 200_002))], [])


def distinct_strings() -> bytes:
    """The shared-string table at its limit: 200,000 rows of 7 cells, every cell a string of
    its own in the table (1.4 M strings)."""
    shared = [f"{n:07d}" for n in range(1_400_000)]
    rows = (
        f'<row r="{n}">'
        + "".join(f'<c t="s"><v>{(n - 2) * 7 + column}</v></c>' for column in range(7))
        + "</row>"
        for n in range(2, 200_002)
    )
    return xlsx([header_row(), *rows], shared)


def peak_rss_mb(sheet: bytes | None, database: Path) -> float:
    """The peak RSS of a worker process that imports `sheet` (None: a worker with no work)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    if sheet is not None:
        code = (
            "import django; django.setup()\n"
            "from django.core.files.base import ContentFile\n"
            "from accounts.models import *\n"
            "from registry.models import ResidentImport\n"
            "from registry.imports import import_sheet\n"
            "county = County.objects.get_or_create(code='140830', name='芮城县', "
            "pooling_region_code='140800')[0]\n"
            "station = Station.objects.get_or_create(county=county, name='古魏镇医保站')[0]\n"
            "user = User.objects.get_or_create(username='u', role=Role.CASEWORKER, "
            "station=station, county=county)[0]\n"
            "job = ResidentImport(station=station, created_by=user, file_name='x.xlsx')\n"
            f"sheet = open({str(database) + '.xlsx'!r}, 'rb').read()\n"
            "job.sheet.save('x.xlsx', ContentFile(sheet))\n"
            "import_sheet.enqueue(job.pk)\n"
        )
        Path(str(database) + ".xlsx").write_bytes(sheet)
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    # The worker reports its own peak as it ends: VmHWM, the high-water mark of its memory
    # since exec. (ru_maxrss would not do: Linux carries it over from the parent at fork, and
    # this parent holds the sheet it built.)
    measured = (
        "import runpy, sys\n"
        "sys.argv = ['manage.py', 'worker', '--batch', '--no-reload', '--no-startup-delay',"
        " '-v0']\n"
        "try:\n"
        "    runpy.run_path('manage.py', run_name='__main__')\n"
        "finally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    peak = int(status.split('VmHWM:')[1].split()[0])\n"
        "    from registry.models import ResidentImport\n"
        "    job = ResidentImport.objects.order_by('pk').last()\n"
        "    if job:\n"
        "        print('JOB', job.get_status_display(), job.imported, job.error_count,\n"
        "              (job.errors or [['', '']])[0][1][:40])\n"
        "    print('PEAK', peak)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", measured], cwd=ROOT, env=env, check=True, capture_output=True
    ).stdout.decode()
    if sheet is not None:
        print("   ", out.split("JOB")[-1].split("PEAK")[0].strip())
    return int(out.split("PEAK")[-1]) / 1024


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    database = folder / "memory.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    cases = {
        "idle": None,
        "bomb": shared_string_bomb,
        "long-row": one_long_row,
        "largest": largest_sheet,
        "distinct": distinct_strings,
    }
    for name, build in cases.items():
        if which not in ("all", name):
            continue
        sheet = build() if build else None
        size = f"{len(sheet) / 1024:,.0f} KB" if sheet else "-"
        print(
            f"{name:10} upload {size:>10}  worker peak RSS {peak_rss_mb(sheet, database):7.0f} MB"
        )


if __name__ == "__main__":
    main()
