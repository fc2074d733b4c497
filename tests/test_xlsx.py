"""Reading a station's sheet as a hostile file: bounded, and every refusal in Chinese."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from core import xlsx

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types '
    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="名单" sheetId="1" r:id="rId7"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId7" Target="worksheets/名单.xml" Type="worksheet"/></Relationships>'
)


def workbook(
    sheet_data: str, shared: list[str] | None = None, sheet_xml: str = "", **extra: str
) -> io.BytesIO:
    """A minimal .xlsx whose first sheet is not sheet1.xml, as some programs write it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr(
            "xl/worksheets/名单.xml",
            sheet_xml
            or '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{sheet_data}</sheetData></worksheet>",
        )
        if shared is not None:
            items = "".join(f"<si><t>{text}</t></si>" for text in shared)
            archive.writestr(
                "xl/sharedStrings.xml",
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"{items}</sst>",
            )
        for name, content in extra.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def test_cells_are_read_by_their_column_with_gaps_and_left_out_rows():
    data = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c>'
        '<c r="C1" t="inlineStr"><is><t>户号</t></is></c></row>'
        '<row r="3"><c r="B3" t="n"><v>13912345678</v></c><c r="C3"><v>1.40830199001E+17</v></c>'
        '<c r="D3" t="b"><v>1</v></c></row>'
    )
    rows = list(xlsx.rows(workbook(data, shared=["姓名"]), max_rows=10))
    assert rows == [["姓名", "", "户号"], [], ["", "13912345678", "1.40830199001e+17", "TRUE"]]


def test_rich_text_is_joined_without_its_phonetic_guide():
    shared = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>'
    shared += "<r><t>薛</t></r><r><t>建国</t></r><rPh><t>xue</t></rPh></si></sst>"
    data = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    file = workbook(data, **{"xl/sharedStrings.xml": shared})
    assert list(xlsx.rows(file, max_rows=10)) == [["薛建国"]]


def test_a_sheet_past_the_row_limit_is_refused_as_soon_as_it_passes():
    data = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(1, 8)
    )
    read = []
    with pytest.raises(xlsx.TooManyRows):
        for row in xlsx.rows(workbook(data), max_rows=5):
            read.append(row)
    assert len(read) == 5


def test_a_row_numbered_far_ahead_is_refused_without_making_the_rows_between():
    data = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    with pytest.raises(xlsx.TooManyRows):
        list(xlsx.rows(workbook(data), max_rows=1000))


def test_one_shared_string_in_many_cells_is_one_string_not_many_copies():
    """The decompression bomb of issue 15: 20,000 rows pointing at one long shared string."""
    long = "长" * 50_000
    data = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, 20_001))
    file = workbook(data, shared=[long])
    assert len(file.getvalue()) < 200_000
    cut = long[: xlsx.MAX_CELL_CHARS]  # stored once, cut; decoded row by row
    assert sum(row[0] == cut for row in xlsx.rows(file, max_rows=200_000)) == 20_000


def test_a_part_that_unpacks_past_its_limit_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_SHEET_BYTES", 1000)
    data = '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * 2000 + "</t></is></c></row>"
    with pytest.raises(xlsx.UnreadableSheet, match="表格解压后超过"):
        list(xlsx.rows(workbook(data), max_rows=10))


def test_a_zip_of_thousands_of_parts_is_refused_before_it_is_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(xlsx.MAX_PARTS + 1):
            archive.writestr(f"p{n}", "")
    buffer.seek(0)
    with pytest.raises(xlsx.UnreadableSheet, match="部件过多"):
        list(xlsx.rows(buffer, max_rows=10))


@pytest.mark.parametrize(
    "sheet",
    [
        # An entity that expands a billion times ("billion laughs").
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
        "</sheetData></worksheet>",
        # An external entity that would read a file of the server.
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>'
        "</sheetData></worksheet>",
        "<worksheet><sheetData><row>",  # cut short
    ],
)
def test_entities_and_broken_xml_are_refused_with_a_message(sheet):
    with pytest.raises(xlsx.UnreadableSheet, match="表格文件已损坏"):
        list(xlsx.rows(workbook("", sheet_xml=sheet), max_rows=10))


def test_a_workbook_saved_by_openpyxl_reads_as_written():
    book = Workbook()
    book.active.append(["姓名", "身份证号码"])
    book.active.append(["张娟", "140830199001010037"])
    book.create_sheet("第二张").append(["不读"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    assert list(xlsx.rows(buffer, max_rows=10)) == [
        ["姓名", "身份证号码"],
        ["张娟", "140830199001010037"],
    ]


def test_a_table_of_too_many_distinct_strings_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_SHARED_STRINGS", 3)
    data = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    with pytest.raises(xlsx.UnreadableSheet, match="不同内容的单元格过多"):
        list(xlsx.rows(workbook(data, shared=["甲", "乙", "丙", "丁"]), max_rows=10))


def test_a_cell_pointing_past_the_shared_strings_is_refused_with_a_message():
    data = '<row r="1"><c r="A1" t="s"><v>5</v></c></row>'
    with pytest.raises(xlsx.UnreadableSheet, match="表格文件已损坏"):
        list(xlsx.rows(workbook(data, shared=["姓名"]), max_rows=10))


@pytest.mark.parametrize("where", ["inline", "shared"])
def test_a_huge_cell_is_cut_while_it_is_read_never_held_whole(where):
    """Issue 27, item 7: one 250 MB cell in a 256 KB file took the worker to 558 MB; the cell
    limit was applied after the parser had built the whole text."""
    import tracemalloc

    huge = "A" * (40 * 1024 * 1024)  # 40 MB of text, a few dozen KB compressed
    if where == "inline":
        book = workbook(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{huge}</t></is></c></row>')
    else:
        book = workbook('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared=[huge])
    del huge
    assert len(book.getvalue()) < 1024 * 1024
    tracemalloc.start()
    try:
        cell = next(iter(xlsx.rows(book, max_rows=10)))[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(cell) <= xlsx.MAX_CELL_CHARS + 1
    assert peak < 8 * 1024 * 1024, peak  # the file's chunks, never the cell
