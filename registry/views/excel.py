"""Importing residents from a station's Excel sheet (the work itself is registry/imports.py)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import StaffRequest, get_for_user, role_required
from accounts.models import Role
from registry import imports, sheets
from registry.models import (
    ImportStatus,
    ResidentImport,
)

MAX_SHEET_BYTES = 20 * 1024 * 1024


@role_required(Role.CASEWORKER)
def import_create(request: StaffRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("sheet")
        if upload is None:
            error = "请选择要导入的 Excel 文件。"
        elif (upload.size or 0) > MAX_SHEET_BYTES:
            error = "文件超过 20 MB，请分成几个表格导入。"
        elif upload.read(4) != b"PK\x03\x04":  # .xlsx is a zip file
            error = "只能导入 Excel（.xlsx）格式的表格；.xls 请先另存为 .xlsx。"
        else:
            upload.seek(0)
            job = ResidentImport(
                station=request.user.counter_station,
                created_by=request.user,
                file_name=(upload.name or "表格.xlsx")[:200],
                valid_rows_only=bool(request.POST.get("valid_rows_only")),
                heartbeat_at=timezone.now(),
            )
            # A name of our own: the caseworker's file name stays in the job, not the storage.
            job.sheet.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
            job.save()
            imports.enqueue(job)
            return redirect(job)
    recent = ResidentImport.objects.for_user(request.user)[:10]
    return render(
        request,
        "registry/import_form.html",
        {"error": error, "recent": recent, "columns": "、".join(sheets.COLUMNS)},
    )


@role_required(Role.CASEWORKER)
def import_detail(request: StaffRequest, pk: int) -> HttpResponse:
    job = get_for_user(ResidentImport.objects.all(), request, pk=pk)
    if job.running and imports.resume(ResidentImport.objects.filter(pk=job.pk)):
        job.refresh_from_db()  # its worker had died: queued again, it resumes where it was
    return render(request, "registry/import_detail.html", {"job": job})


@require_POST
@role_required(Role.CASEWORKER)
def import_valid_rows(request: StaffRequest, pk: int) -> HttpResponse:
    """The caseworker chose to import the valid rows of a sheet that had errors."""
    job = get_for_user(ResidentImport.objects.all(), request, pk=pk)
    name = job.sheet.name
    if job.status != ImportStatus.REFUSED or not name or not job.sheet.storage.exists(name):
        messages.error(request, "该表格不能再次导入，请重新上传。")
        return redirect(job)
    again = ResidentImport.objects.create(
        station=job.station,
        created_by=request.user,
        file_name=job.file_name,
        sheet=name,
        valid_rows_only=True,
        heartbeat_at=timezone.now(),
    )
    imports.enqueue(again)
    return redirect(again)
