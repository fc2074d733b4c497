"""An image's size read from its header, before anything decodes it.

A 9 KB PNG can claim 9000 × 9000 pixels, and decoding it for a PDF takes hundreds of MB. The
signature's upload check (filing/uploads.py) and the PDF engine's fetcher (printing/pdf.py)
both read the width and height here and refuse an image larger than MAX_PIXELS."""

from __future__ import annotations

import struct

# A signature pad's drawing is 600 × 160 (1200 × 320 on a high-density screen).
MAX_WIDTH, MAX_HEIGHT = 2000, 1000
PNG = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers: every SOFn but DHT (C4), JPG (C8) and DAC (CC).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG from its header, or None when it has none."""
    if data.startswith(PNG) and len(data) >= 24 and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data.startswith(b"\xff\xd8"):
        at = 2
        while at + 9 <= len(data) and data[at] == 0xFF:
            marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
            if marker in _SOF:
                height, width = struct.unpack(">HH", data[at + 5 : at + 9])
                return width, height
            at += 2 + length
    return None


def within_limits(data: bytes, width: int = MAX_WIDTH, height: int = MAX_HEIGHT) -> bool:
    """Whether the image's header says it is no larger than `width` × `height`."""
    size = dimensions(data)
    return size is not None and size[0] <= width and size[1] <= height
