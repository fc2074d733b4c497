"""One small PDF engine for every form and letter: a template and a context in, PDF bytes out.

Rendering needs no request, so tests and benchmarks call `render_pdf` directly. Everything
a printable uses is read from disk: the print stylesheet below, and the system fonts through
fontconfig. Nothing is fetched over the network, not even from the portal itself.

Fonts (installed by scripts/setup.sh): the body is set in AR PL UMing CN, a Simplified Chinese
宋体; names with rare characters fall back to HanaMin A/B (CJK Extension A-F) and BabelStone Han
(the newest 通用规范汉字表 characters). They are TrueType fonts on purpose: WeasyPrint keeps
glyph IDs when it subsets, and the CJK glyphs of the OpenType Noto CJK fonts sit at IDs near
65,000, which made every page carry ~150 KB of empty glyph slots (and render slower).
"""

from __future__ import annotations

import base64
import binascii
import logging
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from printing.images import within_limits

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "print" / "print.css"

# The printed font stack, in fallback order: (family, file, index in a collection).
FONTS = (
    ("AR PL UMing CN", "/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("HanaMinA", "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", 0),
    ("HanaMinB", "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", 0),
    ("BabelStone Han", "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf", 0),
    ("DejaVu Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
)

logger = logging.getLogger(__name__)


def _data_head(url: str) -> bytes:
    """The first bytes of a base64 data: URI, enough for any image header."""
    _, _, encoded = url.partition(",")
    try:
        return base64.b64decode(encoded[:262_144])
    except (binascii.Error, ValueError):
        return b""


@cache
def _engine():
    """WeasyPrint, its font configuration, the parsed stylesheet and a fetcher that reads
    data: URIs (a drawn signature) and files only, built once per worker: parsing fonts and
    CSS again for every print would double the time of a one-page letter."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class CheckedFetcher(URLFetcher):
        """Images come as data: URIs (a drawn signature) and are decoded only when their
        header says they are of a signature's size (printing/images.py)."""

        def fetch(self, url, headers=None):
            if url.startswith("data:image/") and not within_limits(_data_head(url)):
                logger.warning("an image too large to print was left out")
                raise ValueError("image too large")
            return super().fetch(url, headers)

    fetcher = CheckedFetcher(allowed_protocols={"data", "file"})
    font_config = FontConfiguration()
    stylesheet = CSS(filename=str(PRINT_CSS), font_config=font_config, url_fetcher=fetcher)
    return HTML, font_config, stylesheet, fetcher


def _document(template_name: str, context: dict):
    html_class, font_config, stylesheet, fetcher = _engine()
    html = render_to_string(template_name, {**context, "for_pdf": True})
    document = html_class(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=font_config
    )
    if len(document.pages) == 1:
        _drop_page_number(document.pages[0])
    return document


def _drop_page_number(page) -> None:
    """A one-page document carries no "第 1 页 共 1 页". CSS cannot say "only when there are
    several pages", so the laid-out page-number box is taken off after layout."""
    box = page._page_box
    box.children = [
        child for child in box.children if getattr(child, "at_keyword", "") != "@bottom-center"
    ]


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render one printable to PDF bytes (A4, fonts subset and embedded)."""
    return _document(template_name, context).write_pdf()


def render_pdfs(parts: list[tuple[str, dict]]) -> bytes:
    """Several printables in one PDF (what one visit needs, printed at once). Each is laid
    out alone, so its page numbers and its one-page rule stay its own."""
    documents = [_document(template_name, context) for template_name, context in parts]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """Inline, so the browser opens its viewer and the caseworker presses print."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


@cache
def _covered_codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for family, path, index in FONTS:
        if not Path(path).exists():
            logger.warning("print font %s is not installed (%s)", family, path)
            continue
        covered.update(TTFont(path, fontNumber=index, lazy=True).getBestCmap())
    return frozenset(covered)


@dataclass(frozen=True)
class MissingCharacter:
    char: str
    codepoint: str
    where: str

    def __str__(self) -> str:
        return f"“{self.char}”（{self.codepoint}，{self.where}）"


def missing_characters(values: dict[str, str]) -> list[MissingCharacter]:
    """Characters of these values (label -> text) that no print font can draw. A name must
    never be printed with an empty box without the caseworker being told first."""
    covered = _covered_codepoints()
    missing = []
    seen = set()
    for label, text in values.items():
        for char in str(text or ""):
            if char.isspace() or unicodedata.category(char) == "Cc" or char in seen:
                continue
            if ord(char) not in covered:
                seen.add(char)
                missing.append(MissingCharacter(char, f"U+{ord(char):04X}", label))
    return missing


def printable_response(
    request,
    *,
    template_name: str,
    context: dict,
    filename: str,
    checked: dict[str, str],
    back_url: str = "",
) -> HttpResponse:
    """One URL per printable: the on-screen preview (with the missing-character warning and
    the print button), or with ?format=pdf the PDF itself, inline."""
    from django.shortcuts import render

    context = {**context, "title": filename.removesuffix(".pdf")}
    if request.GET.get("format") == "pdf":
        return pdf_response(render_pdf(template_name, context), filename)
    missing = missing_characters(checked)
    return render(request, template_name, {**context, "missing": missing, "back_url": back_url})
