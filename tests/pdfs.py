"""Reading generated PDFs back, as a person holding the printout would."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

A4_POINTS = (595.28, 841.89)


def pdf_pages(pdf: bytes) -> list:
    return PdfReader(io.BytesIO(pdf)).pages


def pdf_text(pdf: bytes) -> str:
    """All text, with the spaces and line breaks PDF extraction adds removed, so that a test
    can look for 薛建国 or an ID number whatever the line wrapping."""
    text = "".join(page.extract_text() for page in pdf_pages(pdf))
    return re.sub(r"\s+", "", text)


def is_a4(page) -> bool:
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    return abs(width - A4_POINTS[0]) < 1 and abs(height - A4_POINTS[1]) < 1
