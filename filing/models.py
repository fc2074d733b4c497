"""Cross-region medical-care filing (异地就医备案), DOMAIN.md §2, seeds [000]-[004]."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, cast

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import (
    EmergencyFiling,
    Policy,
    Station,
    StationCount,
    StationScopedQuerySet,
    User,
)
from core import dates, id_numbers, regions
from core.labels import label
from core.links import record_url
from core.validators import EARLIEST_DATE, LATEST_DATE, PHONE, text_problem
from registry.models import InsuranceType, Resident, insurance_name
from workdays.rules import add_working_days


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it has no such day
    (2026-08-31 + 6 months = 2027-02-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


class FilingKind(models.TextChoices):
    """备案类型 [000][001]."""

    LONG_TERM = "long_term", "异地长期居住人员"
    TEMPORARY = "temporary", "临时外出就医人员"
    MATERNITY = "maternity", "异地生育就医人员"


class Category(models.TextChoices):
    """人员类别 §2.3: three long-term, three temporary, and maternity where a county offers it
    (Policy.maternity_filing, [004])."""

    RETIRED_RELOCATED = "retired_relocated", "异地安置退休人员"
    LONG_TERM_RESIDENT = "long_term_resident", "异地长期居住人员"
    POSTED_WORKER = "posted_worker", "常驻异地工作人员"
    REFERRAL = "referral", "异地转诊人员"
    EMERGENCY = "emergency", "异地急诊抢救人员"
    OTHER_TEMPORARY = "other_temporary", "其他临时外出就医人员"
    MATERNITY = "maternity", "异地生育就医人员"


LONG_TERM_CATEGORIES = (
    Category.RETIRED_RELOCATED,
    Category.LONG_TERM_RESIDENT,
    Category.POSTED_WORKER,
)
TEMPORARY_CATEGORIES = (Category.REFERRAL, Category.EMERGENCY, Category.OTHER_TEMPORARY)


def kind_of(category: str) -> FilingKind:
    if category in LONG_TERM_CATEGORIES:
        return FilingKind.LONG_TERM
    if category == Category.MATERNITY:
        return FilingKind.MATERNITY
    return FilingKind.TEMPORARY


def categories_offered(policy: Policy) -> list[tuple[FilingKind, list[Category]]]:
    """The categories a county files, by kind: maternity only where it offers it, emergency
    care not where it needs no filing (Policy.emergency_filing, [004])."""
    temporary = [
        c
        for c in TEMPORARY_CATEGORIES
        if c != Category.EMERGENCY or policy.emergency_filing != EmergencyFiling.NOT_NEEDED
    ]
    kinds = [(FilingKind.LONG_TERM, list(LONG_TERM_CATEGORIES)), (FilingKind.TEMPORARY, temporary)]
    if policy.maternity_filing:
        kinds.append((FilingKind.MATERNITY, [Category.MATERNITY]))
    return kinds


class MaterialKind(models.TextChoices):
    HOUSEHOLD_REGISTER = "household_register", "户口簿（户籍已迁入定居地）"
    RESIDENCE_PERMIT = "residence_permit", "居住证"
    COMMUNITY_PROOF = "community_proof", "居住地社区盖章证明"
    POSTING_CERTIFICATE = "posting_certificate", "参保地单位派驻异地工作证明"
    EMPLOYER_PROOF = "employer_proof", "异地工作单位证明"
    LABOUR_CONTRACT = "labour_contract", "异地工作劳动合同"
    REFERRAL_FORM = "referral_form", "转诊备案表（转出医院盖章）"
    EMERGENCY_FORM = "emergency_form", "急诊转诊登记表"
    MATERNITY_FORM = "maternity_form", "异地就医生育保险登记备案表"


# §2.4 [002][003][004]: any one of these proves the category; emergency and other temporary
# care need none.
MATERIALS_FOR = {
    Category.RETIRED_RELOCATED: (
        MaterialKind.HOUSEHOLD_REGISTER,
        MaterialKind.RESIDENCE_PERMIT,
        MaterialKind.COMMUNITY_PROOF,
    ),
    Category.LONG_TERM_RESIDENT: (MaterialKind.RESIDENCE_PERMIT, MaterialKind.COMMUNITY_PROOF),
    Category.POSTED_WORKER: (
        MaterialKind.POSTING_CERTIFICATE,
        MaterialKind.EMPLOYER_PROOF,
        MaterialKind.LABOUR_CONTRACT,
    ),
    Category.REFERRAL: (MaterialKind.REFERRAL_FORM,),
    Category.EMERGENCY: (),
    Category.OTHER_TEMPORARY: (),
    Category.MATERNITY: (MaterialKind.MATERNITY_FORM,),
}
# Forms that no personal commitment letter replaces: a referral's stamped form [000][001], the
# county's emergency form [000], the maternity registration form [004].
FORM_REQUIRED = (Category.REFERRAL, Category.MATERNITY)
FORM_NOT_REPLACED = {
    Category.REFERRAL: "异地转诊须提供转出医院盖章的转诊备案表，不能以个人承诺书代替。",
    Category.EMERGENCY: "本县异地急诊备案须提供《急诊转诊登记表》，不能以个人承诺书代替。",
    Category.MATERNITY: (
        "异地生育就医备案须提供《异地就医生育保险登记备案表》，不能以个人承诺书代替。"
    ),
}


def materials_for(category: str, policy: Policy) -> tuple[str, ...]:
    """The materials that prove a category (any one of them), with the county's emergency form
    where it asks for one (忻州 [000])."""
    if category == Category.EMERGENCY and policy.emergency_filing == EmergencyFiling.COUNTY_FORM:
        return (MaterialKind.EMERGENCY_FORM,)
    return MATERIALS_FOR[Category(category)]


def form_required(category: str, policy: Policy) -> bool:
    return category in FORM_REQUIRED or (
        category == Category.EMERGENCY and policy.emergency_filing == EmergencyFiling.COUNTY_FORM
    )


class Evidence(models.TextChoices):
    MATERIALS = "materials", "提供备案材料"
    COMMITMENT = "commitment", "签署个人承诺书"
    NONE = "none", "无需材料"


class FilingStatus(models.TextChoices):
    """What the resident sees in the national app's 备案记录 [000][001][002][003]."""

    PENDING = "pending", "审核中"
    REJECTED = "rejected", "审核不通过"
    APPROVED = "approved", "已备案"
    CANCELLED = "cancelled", "已关闭"


EXPIRED_LABEL = "已过期"


class Review(models.TextChoices):
    AUTOMATIC = "automatic", "自动审核"
    MANUAL = "manual", "人工审核"


class AgentRelationship(models.TextChoices):
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    SIBLING = "sibling", "兄弟姐妹"
    RELATIVE = "relative", "其他亲属"
    OTHER = "other", "其他"


class FilingQuerySet(StationScopedQuerySet):
    def effective(self) -> FilingQuerySet:
        """Filings that are or will be in force: pending or approved, not rejected or closed."""
        return self.filter(status__in=[FilingStatus.PENDING, FilingStatus.APPROVED])

    def awaiting_letter(self) -> FilingQuerySet:
        """Pending on a commitment letter not yet signed: only the caseworker can act, by
        attaching the signed scan; no review can approve them before (Filing.evidence_complete)."""
        return self.filter(status=FilingStatus.PENDING, evidence=Evidence.COMMITMENT).exclude(
            _signed_letter()
        )

    def paper_to_scan(self) -> FilingQuerySet:
        """待上传扫描件: letters signed by hand at the counter (in force, or pending) whose
        scan the caseworker has still to attach."""
        return self.filter(
            status__in=(FilingStatus.PENDING, FilingStatus.APPROVED),
            commitment_letter__signed_on_paper=True,
            commitment_letter__scan="",
        )

    def awaiting_review(self) -> FilingQuerySet:
        """Pending filings a supervisor can decide on now. A condition of each row (not a set
        of the letters still unsigned, computed whole): the review queue reads the oldest rows
        in index order and stops at its page, whatever the number of pending filings."""
        return self.filter(status=FilingStatus.PENDING).filter(
            ~models.Q(evidence=Evidence.COMMITMENT) | _signed_letter()
        )

    def returned(self) -> FilingQuerySet:
        """Filings sent back (审核不通过) that the resident has not yet filed again: the
        resident must be told the reason, and what to bring."""
        later = Filing.objects.filter(
            resident=models.OuterRef("resident"), submitted_at__gt=models.OuterRef("submitted_at")
        )
        return self.filter(status=FilingStatus.REJECTED).exclude(models.Exists(later))

    def overlapping(self, start: datetime.date, end: datetime.date | None) -> FilingQuerySet:
        """Date ranges that share at least one day with [start, end] (None = no end)."""
        queryset = self.filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=start))
        if end is not None:
            queryset = queryset.filter(start_date__lte=end)
        return queryset


MOST_FILED_SHOWN = 8


def most_filed_care_regions(county_id: int) -> list[str]:
    """The care regions this county files most, most first: the place picker offers them
    before others that match alike. Counted once an hour (a county's habits change slowly)."""
    key = f"filing:most-filed:{county_id}"
    found = cache.get(key)
    if found is None:
        found = list(
            Filing.objects.filter(station__county_id=county_id)
            .values("care_region_code")
            .annotate(filed=models.Count("id"))
            .order_by("-filed", "care_region_code")
            .values_list("care_region_code", flat=True)[:MOST_FILED_SHOWN]
        )
        cache.set(key, found, 3600)
    return found


def _signed_letter() -> models.Exists:
    """The filing's letter is signed, on screen or by its scan (CommitmentLetter.is_signed)."""
    return models.Exists(
        CommitmentLetter.objects.filter(filing=models.OuterRef("pk")).exclude(
            signature="", scan="", signed_on_paper=False
        )
    )


def pending_by_deadline(filings: FilingQuerySet) -> FilingQuerySet:
    """Pending filings, the one due first at the top. A deadline is the submission day plus
    the county's working days, so it never comes earlier for a later submission: ordering by
    submission time is ordering by deadline, and the overdue come first. The database sorts
    and pages; deadlines are computed for the rows shown only (`pending_rows`). A filing
    waiting for its signed letter is the caseworker's to finish, not the supervisor's."""
    return filings.awaiting_review().order_by("submitted_at", "pk")


def review_deadline(
    submitted_at: datetime.datetime,
    policy: Policy,
    entered: dict[datetime.date, bool] | None = None,
) -> datetime.date:
    """Manual review is due within the county's working days (2 by default) of the day the
    filing was submitted [002]. (`entered` calendar days save queries over a list.)"""
    submitted = timezone.localtime(submitted_at).date()
    return add_working_days(submitted, policy.manual_review_working_days, entered)


class FilingTally(StationCount):
    """How many filings a station has (triggers of migration filing 0009): the unfiltered
    filing list's page count without counting the station's 10,000 filings."""

    counted = "filings"
    filings = models.IntegerField(default=0)


def expired(status: str, end_date: datetime.date | None, today: datetime.date) -> bool:
    """An approved filing whose end has passed [000]: no longer in force, nothing to cancel."""
    return status == FilingStatus.APPROVED and end_date is not None and end_date < today


def status_label(status: str, end_date: datetime.date | None, today: datetime.date) -> str:
    """The status a resident would read: 已过期 once an approved filing's end has passed."""
    return EXPIRED_LABEL if expired(status, end_date, today) else label(FilingStatus, status)


def filer_name(agent_name: str, resident_name: str) -> str:
    """备案人 on the commitment letter: the agent signs with the agent's own name [000][001]."""
    return agent_name or resident_name


class Filing(models.Model):
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="filings", verbose_name="经办医保站"
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="filings", verbose_name="参保人"
    )
    insured_region_code = models.CharField("参保地", max_length=6)
    care_region_code = models.CharField("就医地", max_length=6)
    insurance_type = models.CharField("参保险种", max_length=10, choices=InsuranceType.choices)
    category = models.CharField("人员类别", max_length=20, choices=Category)
    referring_hospital = models.CharField("转出医院", max_length=100, blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField(
        "结束日期", null=True, blank=True, help_text="长期居住可不填（长期有效）"
    )
    contact_name = models.CharField("联系人", max_length=30)
    contact_phone = models.CharField("联系电话", max_length=20)
    contact_address = models.CharField("联系人地址", max_length=100)

    agent_name = models.CharField("代办人姓名", max_length=30, blank=True)
    agent_id_number = models.CharField("代办人身份证号码", max_length=18, blank=True)
    agent_phone = models.CharField("代办人联系电话", max_length=20, blank=True)
    agent_relationship = models.CharField(
        "代办人与参保人关系", max_length=20, choices=AgentRelationship, blank=True
    )

    evidence = models.CharField("备案依据", max_length=12, choices=Evidence)
    late_filing = models.BooleanField("补办备案", default=False)
    admission_date = models.DateField(
        "入院日期",
        null=True,
        blank=True,
        help_text="急诊或补办备案：已在异地住院的，开始日期可追溯到入院日期。",
    )
    discharged_self_paid = models.BooleanField("已出院并自费结算", default=False)
    agent_documents_sighted = models.BooleanField(
        "已核验代办人及参保人的身份证或户口簿", default=False
    )
    posting_length_checked = models.BooleanField("已核实派驻异地工作时间达到规定", default=False)
    # "本人已仔细阅读备案告知书" [000][001]: ticked before anything is signed.
    notice_read = models.BooleanField("参保人（代办人）已阅读备案告知书", default=False)

    status = models.CharField(
        "状态", max_length=10, choices=FilingStatus, default=FilingStatus.PENDING
    )
    review = models.CharField("审核方式", max_length=10, choices=Review, blank=True)
    submitted_at = models.DateTimeField("申请时间", default=timezone.now)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    rejection_reason = models.CharField("退回原因", max_length=200, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="取消人",
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    # 备案错误 [000][001]: closed by a supervisor because the office filed it wrongly, whatever
    # the six-month lock of a resident's own cancellation (close_in_error_refusal).
    closed_in_error = models.BooleanField("备案错误关闭", default=False)
    history = HistoricalRecords()

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = "异地就医备案"
        verbose_name_plural = verbose_name
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["station", "submitted_at"], name="filing_station_day"),
            models.Index(
                fields=["station", "status", "submitted_at"], name="filing_station_status"
            ),
            # The county's review queue in its order, its key included: pending filings are the
            # newest of all, so PostgreSQL estimates the rows after a position at one or two;
            # with the whole order in the index it reads a page in order and stops, instead of
            # joining and sorting every pending filing after the position.
            models.Index(fields=["status", "submitted_at", "id"], name="filing_status_queue"),
            # The county's list, newest first, read by keyset from any point (core/keyset.py).
            models.Index(fields=["submitted_at", "id"], name="filing_submitted"),
            # The review queue and the supervisor's home count the county's pending filings:
            # from this index alone, the letter's check included (its `evidence` and `id`),
            # without reading the filings' rows (docs/benchmarks.md has the figures).
            models.Index(
                fields=["station", "submitted_at", "evidence", "id"],
                condition=models.Q(status="pending"),
                name="filing_pending",
            ),
            # The caseworker's 退回 list, newest return first, read from the returns alone.
            models.Index(
                fields=["station", "-reviewed_at"],
                condition=models.Q(status="rejected"),
                name="filing_returned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident.name} · {self.care_region_name} · {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return record_url("filing:detail", self.pk)

    # Places -----------------------------------------------------------------------------
    @property
    def insured_region_name(self) -> str:
        return regions.region_name(self.insured_region_code)

    @property
    def care_region_name(self) -> str:
        return regions.region_name(self.care_region_code)

    @property
    def is_cross_province(self) -> bool:
        """跨省 or 省内 (another city of the same province) [001][002]."""
        return regions.province_of(self.insured_region_code) != regions.province_of(
            self.care_region_code
        )

    @property
    def kind(self) -> FilingKind:
        return kind_of(self.category)

    @property
    def kind_display(self) -> str:
        return ("跨省" if self.is_cross_province else "省内") + self.kind.label

    @property
    def by_agent(self) -> bool:
        return bool(self.agent_name)

    @property
    def insurance_name(self) -> str:
        """参保险种 as the printed form names it (registry.models.PRINTED_INSURANCE_NAMES)."""
        return insurance_name(self.insurance_type)

    @property
    def filer_name(self) -> str:
        return filer_name(self.agent_name, self.resident.name)

    # FilingStatus -----------------------------------------------------------------------------
    def is_expired(self, today: datetime.date) -> bool:
        return expired(self.status, self.end_date, today)

    def status_label_on(self, today: datetime.date) -> str:
        return status_label(self.status, self.end_date, today)

    @property
    def status_display(self) -> str:
        return self.status_label_on(timezone.localdate())

    def review_deadline(
        self, policy: Policy | None = None, entered: dict[datetime.date, bool] | None = None
    ) -> datetime.date:
        policy = policy or Policy.for_county(self.station.county_id)
        return review_deadline(self.submitted_at, policy, entered)

    # Cancellation -----------------------------------------------------------------------
    def earliest_cancellation(self, policy: Policy) -> datetime.date | None:
        """A long-term filing in force cannot be cancelled within 6 months of its start
        [001][003]; temporary ones, and filings not yet approved, any time (None)."""
        if self.kind == FilingKind.LONG_TERM and self.status == FilingStatus.APPROVED:
            return add_months(self.start_date, policy.long_term_cancel_after_months)
        return None

    def cancel_refusal(self, today: datetime.date) -> str:
        """Why this filing cannot be cancelled today, or "" when it can."""
        if self.status in (FilingStatus.CANCELLED, FilingStatus.REJECTED):
            return "该备案已关闭或未通过审核，无需取消。"
        if self.is_expired(today):
            return "该备案已过期，无需取消。"
        policy = Policy.for_county(self.station.county_id)
        earliest = self.earliest_cancellation(policy)
        if earliest and today < earliest:
            months = policy.long_term_cancel_after_months
            return (
                f"异地长期居住备案自开始之日起 {months} 个月内不能取消，"
                f"最早可于 {earliest:%Y年%-m月%-d日} 取消。"
            )
        return ""

    def approve_refusal(self, policy: Policy) -> str:
        """Why a supervisor cannot approve this filing now, or "" when she can: it is not
        under review, or its evidence is not complete (a letter not yet signed)."""
        if self.status != FilingStatus.PENDING:
            return "该备案不在审核中。"
        if self.evidence_complete(policy):
            return ""
        if self.evidence == Evidence.COMMITMENT:
            return (
                "承诺书尚未签字，经办员上传签字的承诺书扫描件后才能审核通过；也可退回并说明原因。"
            )
        return "备案材料尚未齐全，不能审核通过；可退回并说明原因。"

    def close_in_error_refusal(self, today: datetime.date) -> str:
        """Why a supervisor cannot close this filing as 备案错误 today, or "" when she can.
        An office's own error is put right whatever the six-month lock [000][001] (that lock
        is about a resident changing their mind [001][003]): any filing that is or will be in
        force, until its end has passed. A filing no longer in force has nothing to correct."""
        if self.status in (FilingStatus.CANCELLED, FilingStatus.REJECTED):
            return "该备案已关闭或未通过审核，无需按备案错误关闭。"
        if self.is_expired(today):
            return "该备案已过期，无需按备案错误关闭。"
        return ""

    # Evidence ---------------------------------------------------------------------------
    def evidence_complete(self, policy: Policy) -> bool:
        """Materials: at least one of the category's materials (under the county's `policy`)
        sighted or scanned. Commitment: the letter signed on screen or its signed scan
        attached. None: nothing is needed."""
        required = materials_for(self.category, policy)
        if self.evidence == Evidence.MATERIALS:
            return self.materials.filter(kind__in=required).exists()
        if self.evidence == Evidence.COMMITMENT:
            letter = getattr(self, "commitment_letter", None)
            return bool(letter and letter.is_signed)
        return not required

    @property
    def takes_letter_scan(self) -> bool:
        """A signed letter's scan is attached while the filing is pending, or later to a letter
        signed by hand at the counter (CommitmentLetter.signed_on_paper)."""
        if self.evidence != Evidence.COMMITMENT:
            return False
        if self.status == FilingStatus.PENDING:
            return True
        letter = getattr(self, "commitment_letter", None)
        return (
            self.status == FilingStatus.APPROVED
            and letter is not None
            and letter.signed_on_paper
            and not letter.scan
        )

    @property
    def late_filing_advice(self) -> str:
        """§2.6 [004]: filed after a self-paid discharge, the bill is not settled directly."""
        if self.late_filing and self.discharged_self_paid:
            return (
                "参保人已出院并自费结算：补办备案后，该次住院费用不能直接结算，"
                "请按参保地规定申请医保手工报销。"
            )
        if self.late_filing and self.admission_date and self.start_date > self.admission_date:
            return (
                f"开始日期（{dates.chinese(self.start_date)}）晚于入院日期"
                f"（{dates.chinese(self.admission_date)}）：本次住院不在备案有效期内，"
                "不能直接结算，请按参保地规定申请医保手工报销。"
            )
        if self.late_filing:
            return "出院结算前补办备案的，就医地定点医疗机构可直接结算本次住院费用。"
        return ""


def upload_path(instance: Material | CommitmentLetter, filename: str) -> str:
    """Random names, never the uploaded one, outside the static URL space."""
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        getattr(instance, "content_type", ""), "bin"
    )
    return f"filing/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Material(models.Model):
    """A document of §2.4, its original sighted at the counter and/or its scan uploaded."""

    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, related_name="materials", verbose_name="备案"
    )
    kind = models.CharField("材料", max_length=30, choices=MaterialKind)
    sighted = models.BooleanField("已核验原件", default=False)
    file = models.FileField("扫描件", upload_to=upload_path, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "备案材料"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.get_kind_display()


class CommitmentLetter(models.Model):
    """个人承诺书 §2.4: signed on screen (a drawn signature), or printed, signed by hand and
    its scan attached."""

    filing = models.OneToOneField(
        Filing, on_delete=models.CASCADE, related_name="commitment_letter", verbose_name="备案"
    )
    signature = models.TextField("手写签名（图像）", blank=True)
    scan = models.FileField("签字承诺书扫描件", upload_to=upload_path, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    signed_on = models.DateField("签署日期", default=timezone.localdate)
    # Signed by hand on the printed letter at the counter, the paper kept by the office
    # ("由医保经办机构存档，两年内不得销毁" [000]): a counter without a signature pad. Its scan
    # follows (FilingQuerySet.paper_to_scan).
    signed_on_paper = models.BooleanField("手写签字（纸质存档）", default=False)
    history = HistoricalRecords(excluded_fields=["signature"])

    class Meta:
        verbose_name = "个人承诺书"
        verbose_name_plural = verbose_name
        indexes = [
            # 待上传扫描件 reads the few letters signed on paper without their scan.
            models.Index(
                fields=["filing"],
                condition=models.Q(signed_on_paper=True, scan=""),
                name="letter_paper_to_scan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filing.filer_name}的个人承诺书"

    @property
    def is_signed(self) -> bool:
        return bool(self.signature or self.scan or self.signed_on_paper)


def default_end_date(category: str, start: datetime.date, policy: Policy) -> datetime.date | None:
    """§2.6: temporary care and referrals are valid 6 months [000][003][004]; long-term
    filings are indefinite unless an end is given [004]. Ends are inclusive: 6 months from
    2026-11-22 is 2026-11-22 to 2027-05-21."""
    if category == Category.REFERRAL:
        return add_months(start, policy.referral_validity_months) - datetime.timedelta(days=1)
    if category in TEMPORARY_CATEGORIES or category == Category.MATERNITY:
        return add_months(start, policy.temporary_validity_months) - datetime.timedelta(days=1)
    return None


def earliest_end_date(category: str, start: datetime.date, policy: Policy) -> datetime.date:
    """The shortest validity allowed: 6 months for temporary care (≥ 6 months in principle
    [004]), one year for long-term filings (不得短于一年 [003])."""
    shortest = default_end_date(category, start, policy)
    if shortest is not None:  # temporary care and referrals
        return shortest
    return add_months(start, policy.long_term_min_validity_months) - datetime.timedelta(days=1)


def earliest_start_date(
    application_day: datetime.date,
    policy: Policy,
    *,
    admission_date: datetime.date | None = None,
) -> datetime.date:
    """§2.6: the start date may be backdated by the county's allowance (5 days on the national
    platform, none on 山西医保 [001], not before the application day in 江苏 [002]). An
    emergency or late filing of a stay already begun may start on its admission date, however
    long ago: 急诊先就医、后补办; 补办 before or after discharge [004]."""
    earliest = application_day - datetime.timedelta(days=policy.backdating_days)
    return min(earliest, admission_date) if admission_date else earliest


def evidence_problems(
    *,
    policy: Policy,
    category: str,
    evidence: str,
    sighted: list[str],
    scan_kind: str,
    has_scan: bool,
    letter_given: bool,
) -> dict[str, str]:
    """DOMAIN.md §2.4 [002][003][004]: the category's materials or the personal commitment
    letter — one, never both, and never neither unless the category needs no material. A
    referral needs its stamped referral form [000][001], maternity its registration form [004],
    emergency care the county's form where it asks for one [000]. The problems by form field."""
    problems: dict[str, str] = {}
    needed = materials_for(category, policy)
    if has_scan and not scan_kind:
        problems["scan_kind"] = "请选择扫描件是哪份材料。"
    provided = set(sighted) | ({scan_kind} if has_scan and scan_kind else set())
    wrong = [MaterialKind(kind).label for kind in provided if kind not in needed]
    if wrong:
        problems["sighted"] = f"{'、'.join(wrong)}不是{Category(category).label}的备案材料。"
    if form_required(category, policy) and evidence != Evidence.MATERIALS:
        problems["evidence"] = FORM_NOT_REPLACED[Category(category)]
        return problems
    one_only = "备案材料和个人承诺书只能选择其一。"
    if evidence == Evidence.MATERIALS:
        if not needed:
            problems["evidence"] = f"{Category(category).label}无需提供备案材料。"
        elif not provided & set(needed) and "sighted" not in problems:
            names = "、".join(MaterialKind(kind).label for kind in needed)
            problems["sighted"] = f"请核验原件或上传扫描件，至少一项：{names}。"
        if letter_given:
            problems["evidence"] = one_only
    elif evidence == Evidence.COMMITMENT:
        if provided:
            problems["evidence"] = one_only
    elif evidence == Evidence.NONE:
        if needed:
            problems["evidence"] = "请提供备案材料或签署个人承诺书。"
        if provided or letter_given:
            problems["evidence"] = "选择了“无需材料”，但又提供了材料或承诺书。"
    return problems


def posting_length(policy: Policy) -> str:
    """常驻异地工作 is a posting of the county's length: half a year [004], one year in 忻州
    [000] (Policy.posting_months)."""
    return {6: "半年", 12: "一年"}.get(policy.posting_months, f"{policy.posting_months} 个月")


def posting_rule(policy: Policy) -> str:
    """The posting rule as the 告知书 states it and a refusal repeats it."""
    return (
        f"常驻异地工作人员的派驻（异地工作）时间须达到{posting_length(policy)}以上，"
        "以单位证明或劳动合同为准。"
    )


def posting_check_label(policy: Policy) -> str:
    """What the caseworker ticks for a posted worker (Filing.posting_length_checked)."""
    return f"已核实派驻（异地工作）时间达到{posting_length(policy)}以上（单位证明、劳动合同或承诺）"


# The fields of a filing that a caseworker (or any other path) gives; the rest are the
# review's and the cancellation's.
GIVEN_FIELDS = (
    "insured_region_code",
    "care_region_code",
    "insurance_type",
    "category",
    "referring_hospital",
    "start_date",
    "end_date",
    "contact_name",
    "contact_phone",
    "contact_address",
    "agent_name",
    "agent_id_number",
    "agent_phone",
    "agent_relationship",
    "evidence",
    "agent_documents_sighted",
    "posting_length_checked",
    "late_filing",
    "admission_date",
    "discharged_self_paid",
    "notice_read",
)
AGENT_FIELDS = ("agent_name", "agent_id_number", "agent_phone", "agent_relationship")


CATEGORY_NOT_OFFERED = "本县不办理该类备案，请选择其他人员类别。"
CATEGORY_MISSING = "请选择人员类别。"
EVIDENCE_MISSING = "请选择备案依据：备案材料、个人承诺书或无需材料。"
NOTICE_UNREAD = "请参保人（代办人）阅读备案告知书后勾选“已阅读”。"


def text_limit(field: models.CharField) -> str:
    """A value longer than its column is refused, never cut: the form's message and the
    service's (and the import's) are this one."""
    return f"{field.verbose_name}不能超过 {field.max_length} 字。"


def with_default_end(values: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """An end date left blank is the category's default (default_end_date): 6 months for
    temporary care, none (长期) for long-term residence."""
    if values.get("end_date") is None and values.get("start_date") and values.get("category"):
        values["end_date"] = default_end_date(values["category"], values["start_date"], policy)
    return values


def filing_problems(
    values: dict[str, Any],
    *,
    policy: Policy,
    today: datetime.date,
    resident_id_number: str,
    by_agent: bool,
    sighted: list[str] = (),  # type: ignore[assignment]
    scan_kind: str = "",
    has_scan: bool = False,
    letter_given: bool = False,
) -> dict[str, str]:
    """Every rule of DOMAIN.md §2 that a filing must meet before it is written, by field:
    the categories the county offers, places and their level, dates, backdating, validity,
    late filing and admission, agent, evidence, posting length. The counter's form places
    these messages beside its fields; services.submit_filing refuses with the same ones on
    every other path. A value missing (a field the form already refused) is not checked
    again. The overlap with other filings needs a lock: services.submit_filing checks it."""
    problems: dict[str, str] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, message)

    category = values.get("category") or ""
    offered = [c for _, categories in categories_offered(policy) for c in categories]
    if category and category not in offered:
        add("category", CATEGORY_NOT_OFFERED)
        category = ""
    if not category:
        add("category", CATEGORY_MISSING)
    if values.get("insurance_type") not in InsuranceType.values:
        add("insurance_type", "请选择参保险种。")
    if values.get("evidence") not in Evidence.values:
        add("evidence", EVIDENCE_MISSING)
    if not values.get("notice_read"):
        add("notice_read", NOTICE_UNREAD)
    for field, problem in _place_problems(values).items():
        add(field, problem)
    for field, problem in _text_problems(values).items():
        add(field, problem)
    if category:
        for field, problem in _date_problems(values, category, policy, today).items():
            add(field, problem)
        for field, problem in evidence_problems(
            policy=policy,
            category=category,
            evidence=values.get("evidence") or "",
            sighted=list(sighted),
            scan_kind=scan_kind,
            has_scan=has_scan,
            letter_given=letter_given,
        ).items():
            add(field, problem)
        if category == Category.REFERRAL and not values.get("referring_hospital"):
            add("referring_hospital", "异地转诊须填写转出医院。")
        if category == Category.POSTED_WORKER and not values.get("posting_length_checked"):
            add("posting_length_checked", f"请核实派驻时间：{posting_rule(policy)}")
    for field, problem in _agent_problems(values, by_agent, resident_id_number).items():
        add(field, problem)
    if values.get("discharged_self_paid") and not values.get("late_filing"):
        add("discharged_self_paid", "“已出院并自费结算”只适用于补办备案。")
    return problems


def _place_problems(values: dict[str, Any]) -> dict[str, str]:
    """§2.1: the care region is a province for the province-level places and a prefecture
    elsewhere [000][001]; a filing is for care outside the insured region."""
    problems = {}
    insured, care = values.get("insured_region_code"), values.get("care_region_code")
    if not insured:
        problems["insured_region_code"] = "请选择参保地。"
    elif not regions.is_valid_care_region(insured):
        problems["insured_region_code"] = "参保地无效。"
    if not care:
        problems["care_region_code"] = "请选择就医地。"
    elif not regions.is_valid_care_region(care):
        problems["care_region_code"] = "就医地无效。"
    elif insured == care:
        problems["care_region_code"] = "就医地与参保地相同，无需办理异地就医备案。"
    return problems


def _text_problems(values: dict[str, Any]) -> dict[str, str]:
    """What the contact and agent fields hold: no control characters, a real phone number,
    no more than the field keeps (a longer value is refused, never cut)."""
    problems = {}
    for field in ("contact_name", "contact_address", "referring_hospital", "agent_name"):
        value, column = values.get(field) or "", _text_field(field)
        if problem := text_problem(value):
            problems[field] = problem
        elif column.max_length is not None and len(value) > column.max_length:
            problems[field] = text_limit(column)
    for field in ("contact_name", "contact_address"):
        if not values.get(field) and field not in problems:
            problems[field] = f"请填写{_text_field(field).verbose_name}。"
    for field, required in (("contact_phone", True), ("agent_phone", False)):
        phone = values.get(field) or ""
        if phone and not PHONE.match(phone):
            problems[field] = "请输入 11 位手机号码或带区号的固定电话。"
        elif required and not phone:
            problems[field] = "请填写联系电话。"
    return problems


def _text_field(name: str) -> models.CharField:
    return cast(models.CharField, Filing._meta.get_field(name))


def _date_problems(
    values: dict[str, Any], category: str, policy: Policy, today: datetime.date
) -> dict[str, str]:
    """§2.6: backdating by the county's allowance [001][002]; an emergency or late filing of a
    stay already begun from its admission date [004]; the validity of its category [000][003]
    [004]; no date outside 1900–2099."""
    problems: dict[str, str] = {}
    start, end = values.get("start_date"), values.get("end_date")
    admitted = values.get("admission_date")
    for field in ("start_date", "end_date", "admission_date"):
        value = values.get(field)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            problems[field] = "日期应在 1900 年至 2099 年之间，请核对。"
    if problems:
        return problems
    if admitted and admitted > today:
        problems["admission_date"] = "入院日期不能晚于今天。"
        admitted = None
    stay_begun = values.get("late_filing") or category == Category.EMERGENCY
    if values.get("late_filing") and not values.get("admission_date"):
        problems["admission_date"] = "补办备案请填写入院日期。"
    if admitted and not stay_begun:
        problems["admission_date"] = "入院日期只用于急诊或补办备案。"
        admitted = None
    if not start:
        problems["start_date"] = "请填写开始日期。"
        return problems
    earliest = earliest_start_date(today, policy, admission_date=admitted)
    if start < earliest:
        if admitted:
            message = f"开始日期不能早于入院日期（{dates.chinese(admitted)}）。"
        elif policy.backdating_days:
            message = (
                f"开始日期最多可向前追溯 {policy.backdating_days} 天，"
                f"不能早于 {dates.chinese(earliest)}。"
            )
        else:
            message = f"开始日期不能早于申请当天（{dates.chinese(today)}）。"
        problems["start_date"] = message
        return problems
    default = default_end_date(category, start, policy)
    if end is None:
        if default is not None:  # with_default_end was not applied: the end is the default
            end = default
        else:
            return problems
    minimum = earliest_end_date(category, start, policy)
    if end < start:
        problems["end_date"] = "结束日期不能早于开始日期。"
    elif category == Category.REFERRAL and default is not None and end != default:
        problems["end_date"] = (
            f"异地转诊备案有效期为 {policy.referral_validity_months} 个月，"
            f"结束日期应为 {dates.chinese(default)}（可留空自动计算）。"
        )
    elif end < minimum:
        if kind_of(category) == FilingKind.LONG_TERM:
            what = f"异地长期居住备案有效期不少于 {policy.long_term_min_validity_months} 个月"
        else:
            what = f"临时外出就医备案有效期不少于 {policy.temporary_validity_months} 个月"
        problems["end_date"] = f"{what}，结束日期不能早于 {dates.chinese(minimum)}。"
    return problems


def _agent_problems(
    values: dict[str, Any], by_agent: bool, resident_id_number: str
) -> dict[str, str]:
    """§2.5: an agent is named in full, with a relationship, and the agent's and the
    resident's 户口簿 or 身份证 are sighted and kept [001]; the agent is not the resident."""
    problems: dict[str, str] = {}
    if not by_agent:
        return problems
    for name, message in (
        ("agent_name", "请填写代办人姓名。"),
        ("agent_id_number", "请填写代办人身份证号码。"),
        ("agent_phone", "请填写代办人联系电话。"),
        ("agent_relationship", "请选择代办人与参保人的关系。"),
    ):
        if not values.get(name):
            problems[name] = message
    relationship = values.get("agent_relationship")
    if relationship and relationship not in AgentRelationship.values:
        problems["agent_relationship"] = "请选择代办人与参保人的关系。"
    agent_id = values.get("agent_id_number") or ""
    if agent_id:
        try:
            agent_id = id_numbers.validate(agent_id)
        except ValidationError as error:
            problems["agent_id_number"] = error.messages[0]
        else:
            if agent_id == resident_id_number:
                problems["agent_id_number"] = "代办人不能是参保人本人。"
    if not values.get("agent_documents_sighted"):
        problems["agent_documents_sighted"] = "代办的，请核验并留存代办人和参保人的身份证或户口簿。"
    return problems
