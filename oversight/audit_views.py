"""The audit trail as supervisors and auditors read it: the county's log with filters, its
export, and the chain check."""

from __future__ import annotations

import datetime
import functools
from html import escape

from django import forms
from django.apps import apps
from django.contrib import messages
from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.access import StaffRequest, role_required
from accounts.models import Role, Station, User
from audit import anchors
from audit.exports import exported_workbook, spreadsheet_cell
from audit.history import masked
from audit.models import Action, AuditEntry, ChainCheck, CheckStatus
from audit.tasks import check_chain
from core import tasks
from core.labels import label
from core.replica import reads_from_replica
from core.validators import check_dates, clean_text
from core.widgets import set_choices
from filing.models import CommitmentLetter, Filing, Material
from registry.models import Enrollment, InfoChange, Resident
from reimbursement.models import ReimbursementCase

PAGE = 25
UNKNOWN_NAMES = "unknown_names"
EXPORT_LIMIT = 50_000


@functools.cache
def record_types() -> tuple[tuple[str, str], ...]:
    """The business models with history, by their Chinese names. Found once per process:
    each `model.history` read makes simple_history build a manager class anew."""
    choices = []
    for model in apps.get_models():
        if hasattr(model, "history") and not model.__name__.startswith("Historical"):
            choices.append((model._meta.label_lower, str(model._meta.verbose_name)))
    return tuple(sorted(choices, key=lambda choice: choice[1]))


class LogFilter(forms.Form):
    # The county's stations and staff as (pk, name) choices, read by one small query each
    # (a ModelChoiceField reads its rows as models through a server-side cursor, per field).
    station = forms.TypedChoiceField(label="医保站", coerce=int, required=False, empty_value=None)
    user = forms.TypedChoiceField(label="操作人", coerce=int, required=False, empty_value=None)
    start = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    record_type = forms.ChoiceField(label="记录类型", required=False)
    action = forms.ChoiceField(
        label="操作", required=False, choices=[("", "全部"), *Action.choices]
    )
    # By name, or from the resident's page (its 审计记录 link gives the record): an ID number
    # would stand in this GET form's address, and so in every proxy's access log.
    resident = forms.CharField(
        label="参保人姓名",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    resident_pk = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    signins = forms.ChoiceField(
        label="登录类事件",
        required=False,
        choices=[("", "按角色默认"), ("without", "不含"), ("only", "只看"), ("all", "全部显示")],
    )
    scope = forms.ChoiceField(
        label="范围",
        required=False,
        choices=[("", "本县的记录"), (UNKNOWN_NAMES, "不存在的登录名的登录尝试")],
    )

    def __init__(self, *args, county_id: int, signins: str = "without", **kwargs) -> None:
        """`signins`: whether the log shows sign-in events when the form does not say; a
        supervisor reads the business (without), an auditor the security view too (all)."""
        super().__init__(*args, **kwargs)
        self.county_id = county_id
        self.default_signins = signins
        stations = Station.objects.filter(county_id=county_id).order_by("name")
        staff = User.objects.filter(county_id=county_id).order_by("username")
        # Kept for the rows too, which name their station and user from these.
        self.station_names = dict(stations.values_list("pk", "name"))
        people = staff.values_list("pk", "full_name", "username")
        self.staff_names = {pk: name or username for pk, name, username in people}
        set_choices(self, "station", [("", "全部医保站"), *self.station_names.items()])
        set_choices(self, "user", [("", "全部人员"), *self.staff_names.items()])
        set_choices(self, "record_type", [("", "全部"), *record_types()])
        check_dates(self)

    def entries(self):
        """The county's entries matching the filters, newest first (each filter on an index)."""
        data = self.cleaned_data if self.is_valid() else {}
        entries = AuditEntry.objects.select_related("user", "station")
        if self.is_bound and self.errors:  # told beside the field; never the whole log instead
            return entries.none()
        if data.get("scope") == UNKNOWN_NAMES:
            # Attempts on login names no account has belong to no county; every county's
            # auditors see them (security/signals.py).
            entries = entries.filter(
                county__isnull=True, action__in=(Action.LOGIN_FAILED, Action.LOCKED_OUT)
            )
        else:
            entries = entries.filter(county_id=self.county_id)
            signins = data.get("signins") or self.default_signins
            if signins == "without":
                entries = entries.exclude(action__in=SIGNIN_ACTIONS)
            elif signins == "only":
                entries = entries.filter(action__in=SIGNIN_ACTIONS)
        if data.get("station"):
            entries = entries.filter(station=data["station"])
        if data.get("user"):
            entries = entries.filter(user=data["user"])
        if data.get("record_type"):
            entries = entries.filter(record_type=data["record_type"])
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("resident") or data.get("resident_pk"):
            entries = entries.filter(self._about_residents(data))
        if data.get("start"):
            entries = entries.filter(at__gte=_day_start(data["start"]))
        if data.get("end"):
            entries = entries.filter(at__lt=_day_start(data["end"] + datetime.timedelta(days=1)))
        # The county's own numbering: only the county's indexes give this order (see
        # AuditEntry.county_seq), whatever other counties wrote meanwhile.
        return entries.order_by("-county_seq")

    def applied(self) -> str:
        """The filters applied, in words, for the export's audit entry."""
        if not self.is_bound or not self.is_valid():
            return "无"
        shown = []
        for name, value in self.cleaned_data.items():
            if value in (None, "") or name == "resident_pk":
                continue
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
            shown.append(f"{field.label}={value}")
        if self.cleaned_data.get("resident_pk"):
            shown.append(f"参保人编号={self.cleaned_data['resident_pk']}")
        return "；".join(shown) or "无"

    def resident_shown(self) -> Resident | None:
        """The resident whose page led here (its 审计记录 link), to say whose trail this is."""
        pk = self.cleaned_data.get("resident_pk") if self.is_valid() else None
        return (
            Resident.objects.filter(station__county_id=self.county_id, pk=pk).first()
            if pk
            else None
        )

    def clean_resident(self) -> str:
        name = clean_text(self.cleaned_data["resident"])
        if any(char.isdigit() for char in name):
            raise forms.ValidationError(
                "请按姓名查找；按身份证号码查找请在参保人页面点“审计记录”，号码不出现在网址中。"
            )
        return name

    def _about_residents(self, data: dict) -> Q:
        """The county's residents asked for (the one of the resident's page, or those whose
        name starts so) and their records: enrollment, changes, filings with their materials
        and letters, reimbursement cases. Each resident has a handful, so the entries are
        found through the (record_type, record_id) index."""
        residents = Resident.objects.filter(station__county_id=self.county_id)
        if data.get("resident_pk"):
            residents = residents.filter(pk=data["resident_pk"])
        if data.get("resident"):
            residents = residents.search(data["resident"])
        ids = list(residents.values_list("pk", flat=True)[:RESIDENTS_AT_MOST])
        filings = Filing.objects.filter(resident__in=ids)
        records: dict[type[models.Model], list] = {Resident: ids}
        related: tuple[tuple[type[models.Model], models.QuerySet], ...] = (
            (Enrollment, Enrollment.objects.filter(resident__in=ids)),
            (InfoChange, InfoChange.objects.filter(resident__in=ids)),
            (Filing, filings),
            (Material, Material.objects.filter(filing__in=filings)),
            (CommitmentLetter, CommitmentLetter.objects.filter(filing__in=filings)),
            (ReimbursementCase, ReimbursementCase.objects.filter(resident__in=ids)),
        )
        for model, rows in related:
            records[model] = list(rows.values_list("pk", flat=True))
        found = Q(pk__in=[])  # nothing, when no resident matches
        for kind, keys in records.items():
            if keys:
                found |= Q(
                    record_type=kind._meta.label_lower, record_id__in=[str(key) for key in keys]
                )
        return found


# A name search matching many residents (王芳) shows the trail of the first this many.
RESIDENTS_AT_MOST = 20


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# 登录、退出 and the like: a county's log is a third logins; a supervisor reading who changed
# what sees them only when asked, an auditor always.
SIGNIN_ACTIONS = (
    Action.LOGIN,
    Action.LOGOUT,
    Action.LOGIN_FAILED,
    Action.LOCKED_OUT,
    Action.UNLOCK,
)


def _filter(request: StaffRequest) -> LogFilter:
    signins = "all" if request.user.role == Role.AUDITOR else "without"
    return LogFilter(request.GET or None, county_id=request.user.own_county.pk, signins=signins)


@role_required(Role.SUPERVISOR, Role.AUDITOR)
@reads_from_replica
def log(request: StaffRequest) -> HttpResponse:
    """Keyset pagination (?before=<county_seq>): a page costs the same on the millionth entry
    as on the first, and no COUNT over the whole log is needed."""
    form = _filter(request)
    entries = form.entries()
    before = request.GET.get("before", "")
    if before.isascii() and before.isdigit():
        entries = entries.filter(county_seq__lt=int(before))
    page = list(entries.values(*LISTED)[: PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    query = request.GET.copy()
    query.pop("before", None)
    # One resident's trail is short: every entry's content shown, none folded.
    expanded = bool(form.is_bound and form.is_valid() and form.cleaned_data["resident_pk"])
    return render(
        request,
        "oversight/audit_log.html",
        {
            "form": form,
            "entries": page,
            "rows": _rows(page, form, expanded=expanded),
            "next_before": page[-1]["county_seq"] if more else None,
            "query": query.urlencode(),
            "export_limit": EXPORT_LIMIT,
            "resident_shown": form.resident_shown(),
            "expanded": expanded,
            "signins_default": form.default_signins,
        },
    )


# What a row of the log shows, read as values: not the entry's hashes; its user and station
# named from the filter's choices (the county's), without a join.
LISTED = (
    "county_seq",
    "at",
    "user_id",
    "username",
    "ip",
    "station_id",
    "action",
    "record_label",
    "changes",
    "detail",
)


# An entry's content beyond this many items is folded (N 项内容) in the county's log.
FOLDED_OVER = 4


def _rows(entries: list[dict], form: LogFilter, *, expanded: bool) -> SafeString:
    """The log's rows, written here rather than by the template engine: a page of entries of a
    dozen changed fields each is thousands of template lookups. Every value goes through the
    standard library's `escape` (what Django's escape() calls, without the lazy-text check
    that format_html makes per value, most of this page's time at a few thousand values)."""
    stations, staff = form.station_names, form.staff_names
    return mark_safe("".join(_row(entry, stations, staff, expanded) for entry in entries))


def _text(value: object) -> str:
    return escape(str(value))


# A field's name, one of a few dozen, escaped once per process.
_field_name = functools.lru_cache(maxsize=512)(_text)


def _row(entry: dict, stations: dict, staff: dict, expanded: bool) -> str:
    # A user of no county (a server's) by the login name the entry keeps.
    who = staff.get(entry["user_id"]) or entry["username"] or "系统"
    changes = masked(entry["changes"])
    items = "".join(
        f"<div>{_field_name(name)}：{_text(old) + ' → ' if old else ''}{_text(new)}</div>"
        for name, old, new in changes
    )
    if len(changes) > FOLDED_OVER and not expanded:
        items = f"<details><summary>{len(changes)} 项内容</summary>{items}</details>"
    detail = f'<div class="text-muted">{_text(entry["detail"])}</div>' if entry["detail"] else ""
    at = timezone.localtime(entry["at"]).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f'<tr><td>{entry["county_seq"]}</td><td class="text-nowrap">{at}</td>'
        f'<td class="text-nowrap">{_text(who)}</td><td>{_text(entry["ip"] or "")}</td>'
        f'<td class="text-nowrap">{_text(stations.get(entry["station_id"], ""))}</td>'
        f'<td class="audit-action">{_text(label(Action, entry["action"]))}</td>'
        f"<td>{_text(entry['record_label'])}</td><td>{items}{detail}</td></tr>"
    )


def _messages(form: forms.Form) -> list[str]:
    return [
        f"{form.fields[name].label if name in form.fields else ''}：{message}"
        for name, errors in form.errors.items()
        for message in errors
    ]


@role_required(Role.SUPERVISOR, Role.AUDITOR)
def export(request: StaffRequest) -> HttpResponse:
    from openpyxl import Workbook

    form = _filter(request)
    if form.is_bound and not form.is_valid():
        # An export applies its filter or sends nothing: the log page says what is wrong.
        messages.error(request, "筛选条件有误，没有导出：" + "；".join(_messages(form)))
        return redirect(f"{reverse('oversight:audit_log')}?{request.GET.urlencode()}")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计记录")
    sheet.append(
        [
            "序号",
            "时间",
            "操作人",
            "登录名",
            "IP 地址",
            "医保站",
            "操作",
            "记录类型",
            "记录",
            "变更内容",
            "说明",
        ]
    )
    count = 0
    names = dict(record_types())
    for entry in form.entries()[:EXPORT_LIMIT].iterator(chunk_size=2000):
        changes = "；".join(
            f"{label}：{old} → {new}" if old else f"{label}：{new}"
            for label, old, new in masked(entry.changes)
        )
        row = [
            entry.id,
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.user.full_name if entry.user else "",
            entry.username,
            entry.ip,
            entry.station.name if entry.station else "",
            entry.get_action_display(),
            names.get(entry.record_type, entry.record_type),
            entry.record_label,
            changes,
            entry.detail,
        ]
        sheet.append([row[0], *(spreadsheet_cell(value) for value in row[1:])])
        count += 1
    detail = f"导出审计记录 {count} 条（筛选：{form.applied()}）"[:300]
    return exported_workbook(request, workbook, "audit", detail)


@role_required(Role.SUPERVISOR, Role.AUDITOR)
def chain(request: StaffRequest) -> HttpResponse:
    """The county's chain checks. A check runs in the worker (minutes at millions of
    entries); the page starts one, unless one is already waiting or running, and shows the
    results."""
    checks = ChainCheck.objects.filter(county=request.user.county_id).select_related("requested_by")
    if request.method == "POST":
        if checks.filter(status__in=(CheckStatus.QUEUED, CheckStatus.RUNNING)).exists():
            messages.info(request, "本县的审计记录正在校验，请等待结果。")
        else:
            county = request.user.county
            assert county is not None  # supervisors and auditors belong to a county
            check = ChainCheck.objects.create(
                county=county, requested_by=request.user, full="full" in request.POST
            )
            tasks.enqueue(check_chain, check.pk)
            messages.success(request, "已开始校验，结果稍后显示在本页。")
        return redirect("oversight:audit_chain")
    recent = list(checks[:10])
    return render(
        request,
        "oversight/audit_chain.html",
        {
            "checks": recent,
            "running": any(check.running for check in recent),
            "anchor_refusal": anchors.refusal_shown(request.user.role),
        },
    )
