"""Reading the first sheet of an .xlsx file row by row, in bounded memory.

A station's sheet comes from anywhere, so it is read as a hostile file: the zip's directory,
every part's unpacked size and the sheet's row count are checked as the file is read, and
nothing is expanded. A cell of Excel's shared-string table is decoded when its row is read,
where a reader that copies every cell up front (calamine, which the import used before)
turned a 165 KB file into 1.4 GB. Only the current row is kept in memory; the shared strings
are the one table held whole (as UTF-8 bytes), and their size and count are limited.
"""

from __future__ import annotations

import re
import struct
import zipfile
from array import array
from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import TreeBuilder

from defusedxml.ElementTree import (
    DefusedXMLParser,
    iterparse,  # no entity expansion, no external entities
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"

MAX_PARTS = 2000  # files inside the zip; a workbook has a few dozen
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024  # unpacked
# Distinct strings: 200,000 rows of 7 columns have at most 1.4 M.
MAX_SHARED_STRINGS = 1_500_000
MAX_SHEET_BYTES = 256 * 1024 * 1024  # unpacked: 200,000 rows of 7 columns take ~70 MB
MAX_CELL_CHARS = 1000  # a cell is a name, a number or an address
READ_BYTES = 64 * 1024  # unpacked bytes handed to the XML parser at a time


class UnreadableSheet(Exception):
    """The file is not a workbook this reader can take; the message is for the caseworker."""


class TooManyRows(UnreadableSheet):
    pass


def rows(file: IO[bytes], *, max_rows: int, max_columns: int = 30) -> Iterator[list[str]]:
    """Each row of the first sheet, header included, as a list of cell texts by column (the
    first `max_columns` columns). Empty rows come out as empty lists, so a row's position in
    the sheet is its number. Raises UnreadableSheet (TooManyRows past `max_rows` rows)."""
    _check_directory(file)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableSheet("无法读取该文件，请上传 Excel（.xlsx）格式的表格。") from error
    try:
        with archive:
            sheet = _first_sheet(archive)
            shared = _shared_strings(archive)
            yield from _sheet_rows(archive, sheet, shared, max_rows, max_columns)
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        SyntaxError,
        ValueError,
        KeyError,
        IndexError,  # a cell pointing past the shared-string table
    ) as error:
        # SyntaxError: ElementTree's ParseError, and defusedxml's refusals of entities.
        raise UnreadableSheet("表格文件已损坏或不是 Excel（.xlsx）格式，无法读取。") from error


def _check_directory(file: IO[bytes]) -> None:
    """A zip lists its parts in a directory at its end; Python's zipfile reads all of it
    into memory. A crafted file of tiny parts would fill the memory before anything else is
    read, so the count in the directory's last record is checked first."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(max(0, size - 65_557))  # the record (22 bytes) and at most a 64 KB comment
    tail = file.read()
    file.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise UnreadableSheet("无法读取该文件，请上传 Excel（.xlsx）格式的表格。")
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    if entries == 0xFFFF or entries > MAX_PARTS:  # 0xFFFF: a ZIP64 count, never a workbook's
        raise UnreadableSheet("该文件包含的部件过多，不是正常的 Excel 表格。")


def _part(archive: zipfile.ZipFile, name: str, limit: int) -> IO[bytes]:
    """A part of the zip, refused if it unpacks to more than `limit` bytes. zipfile stops at
    the size the directory declares, so a part cannot unpack to more than was checked."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise UnreadableSheet(f"表格解压后超过 {limit // (1024 * 1024)} MB，请分成几个表格导入。")
    return archive.open(info)


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The file of the workbook's first sheet, as the workbook and its relationships name it."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise UnreadableSheet("无法读取该文件，请上传 Excel（.xlsx）格式的表格。")
    first = None
    with _part(archive, "xl/workbook.xml", 16 * 1024 * 1024) as handle:
        for _, element in iterparse(handle):
            if element.tag == MAIN + "sheet":
                first = element.get(RELATIONSHIPS + "id")
                break
    if first and "xl/_rels/workbook.xml.rels" in names:
        with _part(archive, "xl/_rels/workbook.xml.rels", 16 * 1024 * 1024) as handle:
            for _, element in iterparse(handle):
                if element.tag == PACKAGE + "Relationship" and element.get("Id") == first:
                    target = element.get("Target", "")
                    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    if path in names:
                        return path
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise UnreadableSheet("表格中没有工作表。")


class SharedStrings:
    """The shared-string table as UTF-8 bytes and end offsets, not a list of Python strings:
    1.4 M distinct strings took 97 MB as strings, ~16 MB so. A cell's text is decoded when
    its row is read, and dropped with the row."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("Q")

    def append(self, text: str) -> None:
        self.data += text.encode()
        self.ends.append(len(self.data))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> str:
        start = self.ends[index - 1] if index > 0 else 0
        return self.data[start : self.ends[index]].decode()


def _shared_strings(archive: zipfile.ZipFile) -> SharedStrings:
    strings = SharedStrings()
    if "xl/sharedStrings.xml" not in archive.namelist():
        return strings
    with _part(archive, "xl/sharedStrings.xml", MAX_SHARED_STRINGS_BYTES) as handle:
        for element in _finished(handle, keep_within=MAIN + "si"):
            if element.tag == MAIN + "si":
                strings.append(_text(element))
                if len(strings) > MAX_SHARED_STRINGS:
                    raise UnreadableSheet("表格中不同内容的单元格过多，请分成几个表格导入。")
    return strings


class _BoundedBuilder(TreeBuilder):
    """Builds the elements of a part as the parser meets them, keeping at most
    MAX_CELL_CHARS + 1 characters of any one text: a cell of 250 MB in a small, well
    compressed file is cut while it is read, never held whole (the extra character lets the
    import see that the cell was too long, and refuse its row). Each start and end is queued
    for `_finished`."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, Any]] = []
        self._kept = 0

    def start(self, tag: Any, attrs: Any) -> Any:
        self._kept = 0
        element = super().start(tag, attrs)
        self.events.append(("start", element))
        return element

    def end(self, tag: Any) -> Any:
        self._kept = 0
        element = super().end(tag)
        self.events.append(("end", element))
        return element

    def data(self, data: str) -> None:
        room = MAX_CELL_CHARS + 1 - self._kept
        if room > 0:
            super().data(data[:room])
            self._kept += min(len(data), room)


def _events(handle: IO[bytes]) -> Iterator[tuple[str, Any]]:
    """("start" | "end", element) of an XML part, read in chunks of READ_BYTES."""
    builder = _BoundedBuilder()
    parser = DefusedXMLParser(target=builder)  # no entity expansion, no external entities
    while chunk := handle.read(READ_BYTES):
        parser.feed(chunk)
        yield from builder.events
        builder.events.clear()
    parser.close()
    yield from builder.events


def _finished(handle: IO[bytes], keep_within: str) -> Iterator[Any]:
    """Each element of an XML part as it ends, then dropped from the tree: memory holds the
    open elements only (and the element `keep_within` whole, until it ends), however long
    the part, and however its elements are nested."""
    open_elements: list[Any] = []
    for event, element in _events(handle):
        if event == "start":
            open_elements.append(element)
            continue
        open_elements.pop()
        yield element
        if open_elements and not any(e.tag == keep_within for e in open_elements):
            del open_elements[-1][-1]  # the element just ended is its parent's last child


def _text(element: Any) -> str:
    """The text of a string item: its runs joined, without the phonetic guide (rPh)."""
    parts = []
    for child in element:
        if child.tag == MAIN + "t":
            parts.append(child.text or "")
        elif child.tag == MAIN + "r":
            parts.extend(t.text or "" for t in child.iter(MAIN + "t"))
    return "".join(parts)[:MAX_CELL_CHARS]


_COLUMN = re.compile(r"[A-Z]+")


def _column(reference: str | None, position: int) -> int:
    """The column index of a cell reference like "C7" (0 for A); by position if absent."""
    letters = _COLUMN.match(reference or "")
    if not letters:
        return position
    index = 0
    for letter in letters.group():
        index = index * 26 + ord(letter) - 64
    return index - 1


def _sheet_rows(
    archive: zipfile.ZipFile, sheet: str, shared: SharedStrings, max_rows: int, max_columns: int
) -> Iterator[list[str]]:
    number = 0
    cells: dict[int, str] = {}
    with _part(archive, sheet, MAX_SHEET_BYTES) as handle:
        for element in _finished(handle, keep_within=MAIN + "c"):
            if element.tag == MAIN + "c":
                column = _column(element.get("r"), len(cells))
                if column < max_columns:
                    cells[column] = _cell(element, shared)
            elif element.tag == MAIN + "row":
                reached = max(int(element.get("r") or 0), number + 1)
                while number < reached:  # rows Excel left out are empty rows
                    number += 1
                    if number > max_rows:
                        raise TooManyRows(f"表格超过 {max_rows} 行。")
                    if number < reached:
                        yield []
                width = max(cells) + 1 if cells else 0
                yield [cells.get(index, "") for index in range(width)]
                cells = {}


def _cell(element: Any, shared: SharedStrings) -> str:
    kind = element.get("t", "n")
    if kind == "inlineStr":
        inline = element.find(MAIN + "is")
        return _text(inline).strip() if inline is not None else ""
    value = element.find(MAIN + "v")
    text = (value.text or "") if value is not None else ""
    if kind == "s":
        return shared[int(text)].strip() if text else ""
    if kind == "n" and text:
        return number_text(float(text))
    if kind == "b":
        return "TRUE" if text == "1" else "FALSE"
    return text[:MAX_CELL_CHARS].strip()


def number_text(value: float) -> str:
    """A number as the caseworker sees it. A phone or household number typed as a number
    reads 13912345678, not 13912345678.0. A number too large to be exact (an 18-digit ID
    number stored as a number has lost its last digits) keeps its exponent form, so it can
    never pass for a valid number."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)
