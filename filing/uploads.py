"""Checking uploaded scans and drawn signatures by their content, never by their name."""

from __future__ import annotations

import base64
import binascii

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from printing.images import within_limits

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIGNATURE_BYTES = 300 * 1024
SIGNATURE_PREFIX = "data:image/png;base64,"

_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def content_type_of(upload: UploadedFile) -> str:
    """The type the bytes say the file is (PDF, JPEG or PNG), or a ValidationError."""
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise ValidationError("文件超过 10 MB，请压缩或分页扫描后重新上传。", code="too_large")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    raise ValidationError(
        "只能上传 PDF、JPG 或 PNG 格式的扫描件（按文件内容识别，改扩展名无效）。", code="file_type"
    )


def clean_signature(value: str) -> str:
    """A signature drawn in the browser arrives as a PNG data: URI."""
    value = (value or "").strip()
    if not value:
        return ""
    if not value.startswith(SIGNATURE_PREFIX):
        raise ValidationError("签名图像无效，请清除后重新签名。", code="signature")
    try:
        data = base64.b64decode(value[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("签名图像无效，请清除后重新签名。", code="signature") from None
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) > MAX_SIGNATURE_BYTES:
        raise ValidationError("签名图像无效，请清除后重新签名。", code="signature")
    if not within_limits(data):  # read from the header: nothing decodes it here
        raise ValidationError("签名图像尺寸过大，请清除后在签名区重新签名。", code="signature")
    return value
