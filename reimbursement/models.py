"""Out-of-county reimbursement cases and their document checklists, DOMAIN.md §1.3-1.4 [001]."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Policy, Station, StationCount, StationScopedQuerySet, User
from core.links import record_url
from core.versioning import Versioned
from registry.models import Resident


class CaseKind(models.TextChoices):
    INPATIENT = "inpatient", "县域外住院补偿"
    CHRONIC = "chronic", "县域外慢性病补偿"


class Birth(models.TextChoices):
    NONE = "", "否"
    NATURAL = "natural", "顺产"
    CAESAREAN = "caesarean", "剖腹产"


class Document(models.TextChoices):
    INVOICE_TOTAL = "invoice_total", "费用总发票"
    FEE_LIST = "fee_list", "费用清单"
    CERTIFICATES = "certificates", "诊断建议书、入院证、出院证"
    INPATIENT_RECORD = "inpatient_record", "住院病历（全套）"
    ID_CARD_COPIES = (
        "id_card_copies",
        "病人本人的身份证、社保卡复印件（身份证正反面+社保卡正面复印在一张上）",
    )
    INVOICE = "invoice", "费用发票"
    PRESCRIPTION = "prescription", "处方"
    EXAMINATIONS = "examinations", "对应发票、处方的检查单"
    CHRONIC_ID_COPIES = "chronic_id_copies", "病人本人的身份证、社保卡复印件"
    BIRTH_CERTIFICATE = "birth_certificate", "出生医学证明"
    ACCIDENT_SURVEY = "accident_survey", "意外伤害调查表（在中国人寿保险公司领取）"
    LARGE_AMOUNT_LETTER = "large_amount_letter", "大额补偿承诺书"


# [001] 一、县域外住院补偿需提交资料 1-5; 二、县域外慢性病补偿需提交资料 1-4.
REQUIRED = {
    CaseKind.INPATIENT: (
        Document.INVOICE_TOTAL,
        Document.FEE_LIST,
        Document.CERTIFICATES,
        Document.INPATIENT_RECORD,
        Document.ID_CARD_COPIES,
    ),
    CaseKind.CHRONIC: (
        Document.INVOICE,
        Document.PRESCRIPTION,
        Document.EXAMINATIONS,
        Document.CHRONIC_ID_COPIES,
    ),
}


@dataclass(frozen=True)
class ChecklistItem:
    document: Document
    why: str  # "" for a required document; the condition for a conditional one
    received: bool

    @property
    def label(self) -> str:
        return self.document.label


def checklist(
    *,
    kind: str,
    total_cost: Decimal | None,
    birth: str,
    accidental_injury: bool,
    threshold: Decimal,
    received: list[str],
) -> list[ChecklistItem]:
    """Every document the case needs, required first, then those whose condition holds
    ([001] 注 1-3, inpatient only):
    1. a birth (顺产 or 剖腹产) needs the 出生医学证明;
    2. an accidental injury needs the 意外伤害调查表 from 中国人寿;
    3. a total cost at or above the county's threshold (3万元以上, 30,000 by default) needs the
       大额补偿承诺书."""
    items = [ChecklistItem(d, "", d in received) for d in REQUIRED[CaseKind(kind)]]
    if kind == CaseKind.INPATIENT:
        if birth in (Birth.NATURAL, Birth.CAESAREAN):
            why = f"{Birth(birth).label}"
            items.append(
                ChecklistItem(
                    Document.BIRTH_CERTIFICATE, why, Document.BIRTH_CERTIFICATE in received
                )
            )
        if accidental_injury:
            items.append(
                ChecklistItem(
                    Document.ACCIDENT_SURVEY, "意外受伤", Document.ACCIDENT_SURVEY in received
                )
            )
        if total_cost is not None and total_cost >= threshold:
            why = f"总费用达到 {threshold:,.2f} 元"
            items.append(
                ChecklistItem(
                    Document.LARGE_AMOUNT_LETTER, why, Document.LARGE_AMOUNT_LETTER in received
                )
            )
    return items


class CaseStatus(models.TextChoices):
    INCOMPLETE = "incomplete", "材料不全"
    COMPLETE = "complete", "材料齐全"
    FORWARDED = "forwarded", "已报送"
    VOIDED = "voided", "已作废"


def waiting_days(created_at: datetime.datetime, today: datetime.date) -> int:
    """Days a case has waited since it was accepted, counted by local calendar days."""
    return (today - timezone.localtime(created_at).date()).days


class ReimbursementCase(Versioned):
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="reimbursement_cases",
        verbose_name="经办医保站",
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="reimbursement_cases",
        verbose_name="参保人",
    )
    kind = models.CharField("补偿类型", max_length=10, choices=CaseKind)
    hospital = models.CharField("就诊医院", max_length=100)
    admission_date = models.DateField("入院日期", null=True, blank=True)
    discharge_date = models.DateField("出院日期", null=True, blank=True)
    chronic_disease = models.CharField("慢性病病种", max_length=50, blank=True)
    total_cost = models.DecimalField("总费用（元）", max_digits=12, decimal_places=2)
    birth = models.CharField("分娩", max_length=10, choices=Birth, blank=True, default="")
    accidental_injury = models.BooleanField("意外受伤", default=False)
    received = models.JSONField("已收材料", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=CaseStatus, default=CaseStatus.INCOMPLETE
    )
    created_at = models.DateTimeField("受理时间", default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    completed_at = models.DateTimeField("材料齐全时间", null=True, blank=True)
    forwarded_at = models.DateTimeField("报送时间", null=True, blank=True)
    forwarded_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报送人",
    )
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = StationScopedQuerySet.as_manager()
    json_choices = {"received": Document}

    class Meta:
        verbose_name = "县域外补偿"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["station", "created_at"], name="case_station_day"),
            models.Index(fields=["station", "status", "created_at"], name="case_station_status"),
            models.Index(fields=["created_at"], name="case_created"),
            # The cases waiting for documents, the oldest first (the homes' lists), read from
            # those alone: a county's past cases grow, its waiting ones do not.
            models.Index(
                fields=["created_at", "station"],
                condition=models.Q(status="incomplete"),
                name="case_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident.name} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return record_url("reimbursement:detail", self.pk)

    def threshold(self) -> Decimal:
        return Policy.for_county(self.station.county_id).large_amount_threshold

    def checklist(self, threshold: Decimal | None = None) -> list[ChecklistItem]:
        """`threshold` saves the policy query when a list of cases is checked at once."""
        return checklist(
            kind=self.kind,
            total_cost=self.total_cost,
            birth=self.birth,
            accidental_injury=self.accidental_injury,
            threshold=self.threshold() if threshold is None else threshold,
            received=self.received,
        )

    def missing(self, threshold: Decimal | None = None) -> list[ChecklistItem]:
        return [item for item in self.checklist(threshold) if not item.received]

    def needs_large_amount_letter(self) -> bool:
        return any(i.document == Document.LARGE_AMOUNT_LETTER for i in self.checklist())

    def refresh_status(self) -> None:
        """材料不全 ↔ 材料齐全 follow the checklist; 已报送 is final."""
        if self.status in (CaseStatus.FORWARDED, CaseStatus.VOIDED):
            return
        complete = not self.missing()
        self.status = CaseStatus.COMPLETE if complete else CaseStatus.INCOMPLETE
        if complete and self.completed_at is None:
            self.completed_at = timezone.now()
        if not complete:
            self.completed_at = None

    def waiting_days(self, today: datetime.date) -> int:
        return waiting_days(self.created_at, today)


class CaseTally(StationCount):
    """How many cases a station has (triggers of migration reimbursement 0006,
    core/tallies.py): the case list's page count without counting the station's cases."""

    counted = "cases"
    cases = models.IntegerField(default=0)


def case_problems(
    *,
    kind: str,
    hospital: str,
    admission_date: datetime.date | None,
    discharge_date: datetime.date | None,
    chronic_disease: str,
    total_cost: Decimal | None,
    today: datetime.date,
) -> dict[str, str]:
    """What a case must hold before it is saved, by field (§1.3-1.4 [001]): an inpatient case
    its stay, admitted and discharged by today and in that order; a chronic case its disease;
    a hospital; a cost above nothing. The counter's form places these messages;
    services.save_case refuses with the same ones on every other path."""
    problems: dict[str, str] = {}
    if kind not in CaseKind.values:
        problems["kind"] = "请选择补偿类型。"
    if not hospital:
        problems["hospital"] = "请填写就诊医院。"
    if total_cost is not None and total_cost < 0:
        problems["total_cost"] = "总费用不能为负数。"
    elif total_cost is not None and total_cost == 0:
        problems["total_cost"] = "总费用应大于 0 元。"
    elif total_cost is None:
        problems["total_cost"] = "请填写总费用。"
    if kind == CaseKind.INPATIENT:
        if not admission_date:
            problems["admission_date"] = "住院补偿须填写入院日期。"
        elif admission_date > today:
            problems["admission_date"] = "入院日期不能晚于今天。"
        if not discharge_date:
            problems["discharge_date"] = "住院补偿须填写出院日期。"
        elif discharge_date > today:
            problems["discharge_date"] = "出院日期不能晚于今天。"
        elif admission_date and discharge_date < admission_date:
            problems["discharge_date"] = "出院日期不能早于入院日期。"
    elif kind == CaseKind.CHRONIC and not chronic_disease:
        problems["chronic_disease"] = "慢性病补偿须填写病种。"
    return problems
