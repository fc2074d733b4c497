"""The resident registry: households (户) and residents (参保人)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Station, StationCount, StationScopedQuerySet, User
from core import id_numbers
from core.links import record_url
from core.validators import PHONE, clean_text
from core.versioning import Versioned


class Relationship(models.TextChoices):
    """与户主关系, after GB/T 4761 家庭关系代码 (the common ones at a rural counter)."""

    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    SON = "son", "子"
    DAUGHTER = "daughter", "女"
    GRANDSON = "grandson", "孙子"
    GRANDDAUGHTER = "granddaughter", "孙女"
    FATHER = "father", "父亲"
    MOTHER = "mother", "母亲"
    GRANDPARENT = "grandparent", "祖父母"
    SIBLING = "sibling", "兄弟姐妹"
    DAUGHTER_IN_LAW = "daughter_in_law", "儿媳"
    SON_IN_LAW = "son_in_law", "女婿"
    OTHER = "other", "其他"


class InsuranceType(models.TextChoices):
    """参保险种 with the national codes 310 and 390 (DOMAIN.md §2.2)."""

    EMPLOYEE = "employee", "城镇职工（310）"
    RESIDENT = "resident", "城乡居民（390）"


# What a resident reads on a printed form: the insurance by its name. The codes are for the
# caseworker, who keys them into the national system ("（390）" on residents' forms).
PRINTED_INSURANCE_NAMES = {
    InsuranceType.EMPLOYEE: "职工基本医疗保险",
    InsuranceType.RESIDENT: "城乡居民基本医疗保险",
}


def insurance_name(value: str) -> str:
    return PRINTED_INSURANCE_NAMES.get(InsuranceType(value), value) if value else ""


class Household(Versioned):
    """A household register (户口簿), identified by its 户号."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="households", verbose_name="所属医保站"
    )
    household_number = models.CharField("户号", max_length=20, unique=True)
    address = models.CharField("户籍地址", max_length=100)
    created_at = models.DateTimeField("登记时间", default=timezone.now, editable=False)
    # History rows are read by their own key and the record's id only: the record's other
    # indexes would only slow every write (an import writes a row per household).
    history = HistoricalRecords(
        excluded_fields=["version"], no_db_index=["station", "household_number"]
    )

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "户"
        verbose_name_plural = verbose_name
        ordering = ["household_number"]

    def __str__(self) -> str:
        head = self.head
        return f"{self.household_number}（户主：{head.name}）" if head else self.household_number

    def get_absolute_url(self) -> str:
        return record_url("registry:household_detail", self.pk)

    @property
    def audit_label(self) -> str:
        return f"户号 {self.household_number}"

    @property
    def head(self) -> Resident | None:
        members = getattr(self, "_prefetched_objects_cache", {}).get("members")
        if members is not None:
            return next((m for m in members if m.relationship_to_head == Relationship.HEAD), None)
        return self.members.filter(relationship_to_head=Relationship.HEAD).first()


class ResidentQuerySet(StationScopedQuerySet):
    def search(self, query: str) -> ResidentQuerySet:
        """Find by full ID number, household number, or name (a 2-character name included).

        An ID number or household number is an exact match on a unique index; a name is
        matched from its start (王芳 finds 王芳 and 王芳芳, the exact name first), which the
        (station, name) pattern index answers without reading the station's every row.
        """
        query = query.strip()
        if not query:
            return self
        number = id_numbers.normalize(query)
        if len(number) == 18 and number[:17].isascii() and number[:17].isdigit():
            return self.filter(id_number=number)
        if number.isascii() and number.isdigit():
            return self.filter(household__household_number=number)
        # By name: the exact name comes first, as a prefix sorts before what extends it.
        return self.filter(name__startswith=query).order_by("name", "pk")


def sex_display(id_number: str) -> str:
    """性别 as forms print it, read from the ID number."""
    return "男" if id_numbers.sex(id_number) == "male" else "女"


HOUSEHOLD_OF_ANOTHER_STATION = "该户属于其他医保站：参保人和所在的户须属于同一医保站。"


class Resident(Versioned):
    """An insured person (参保人), or one being enrolled.

    Sex, birth date and age are read from the ID number, never typed twice.
    """

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="residents", verbose_name="所属医保站"
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="户",
    )
    relationship_to_head = models.CharField(
        "与户主关系", max_length=20, choices=Relationship, blank=True
    )
    name = models.CharField("姓名", max_length=30, db_index=True)
    id_number = models.CharField(
        "身份证号码", max_length=18, unique=True, error_messages={"unique": "该身份证号码已登记。"}
    )
    ethnicity = models.CharField("民族", max_length=10, default="汉族")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("现住址", max_length=100, blank=True)
    insurance_type = models.CharField(
        "参保险种", max_length=10, choices=InsuranceType, default=InsuranceType.RESIDENT
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now, editable=False)
    # As for households: the history is read by key and record id, never searched by name.
    history = HistoricalRecords(
        excluded_fields=["version"], no_db_index=["station", "household", "name", "id_number"]
    )

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = "参保人"
        verbose_name_plural = verbose_name
        ordering = ["name", "pk"]
        indexes = [
            # A station's residents by name, read by keyset from any point (core/keyset.py).
            models.Index(fields=["station", "name", "id"], name="resident_station_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relationship_to_head="head"),
                name="one_head_per_household",
                violation_error_message="该户已有户主。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("registry:resident_detail", self.pk)

    def clean(self) -> None:
        """A resident and the household she is in belong to one station: its 登记表 prints
        the household's number and head, and its page links to the household."""
        household = self.household if self.household_id else None
        if household is not None and household.station_id != self.station_id:
            raise ValidationError(HOUSEHOLD_OF_ANOTHER_STATION)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.clean()  # on every path: a form, a service, a shell
        super().save(*args, **kwargs)

    @property
    def sex(self) -> str:
        return id_numbers.sex(self.id_number)

    @property
    def sex_display(self) -> str:
        return sex_display(self.id_number)

    @property
    def birth_date(self) -> datetime.date | None:
        return id_numbers.birth_date(self.id_number)

    @property
    def age(self) -> int:
        return id_numbers.age(self.id_number, timezone.localdate())

    @property
    def masked_id_number(self) -> str:
        return id_numbers.mask(self.id_number)

    @property
    def masked_phone(self) -> str:
        return id_numbers.mask_phone(self.phone)

    @property
    def insurance_name(self) -> str:
        return insurance_name(self.insurance_type)

    def direct_edit_refusal(self, user: User) -> str:
        """Why `user` may not edit this resident's information directly, or "".

        DOMAIN.md §1.2 [001]: registered information changes by 参保信息变更登记 — the items,
        a reason, the 变更登记表 the resident signs. A caseworker may still correct what she
        typed while the registration at her station is unfinished (nothing is signed yet); a
        supervisor may correct directly, with a reason that the history keeps."""
        if user.is_supervisor:
            return ""
        enrollment = Enrollment.objects.filter(resident=self).first()
        if (
            user.is_caseworker
            and enrollment is not None
            and enrollment.station_id == user.station_id
            and not enrollment.is_complete
        ):
            return ""
        return (
            "已登记的参保信息须通过“信息变更登记”修改：登记变更事项和原因，"
            "打印变更登记表请参保人签字。"
        )


class ResidentTally(StationCount):
    """How many residents a station has (triggers of migration registry 0010): the caseworker's
    home page and the unfiltered resident list read it instead of counting 50,000 rows."""

    counted = "residents"
    residents = models.IntegerField(default=0)

    class Meta:
        db_table = "registry_stationtally"  # its name before GLOSSARY.md's; triggers use it


class EnrollmentMaterial(models.TextChoices):
    """新增参保登记 materials, DOMAIN.md §1.1 [001]."""

    ID_OR_REGISTER = "id_or_register", "参保人身份证或户口簿原件及复印件"
    PARENTS_ID_CARDS = "parents_id_cards", "父母双方身份证原件及复印件"
    NEWBORN_REGISTER = "newborn_register", "新生儿户口簿原件及复印件"
    BIRTH_CERTIFICATE = "birth_certificate", "出生医学证明原件及复印件"
    SIGNED_FORM = "signed_form", "已签字的《城乡居民基本医疗保险参保登记表》"


ENROLLMENT_MATERIALS = {
    False: (EnrollmentMaterial.ID_OR_REGISTER, EnrollmentMaterial.SIGNED_FORM),
    True: (
        EnrollmentMaterial.PARENTS_ID_CARDS,
        EnrollmentMaterial.NEWBORN_REGISTER,
        EnrollmentMaterial.BIRTH_CERTIFICATE,
        EnrollmentMaterial.SIGNED_FORM,
    ),
}


class Guardian(models.TextChoices):
    FATHER = "father", "父亲"
    MOTHER = "mother", "母亲"
    OTHER = "other", "其他监护人"


def enrollment_status(complete: bool, newborn: bool, materials: list[str]) -> str:
    """已参保 once complete; before, 材料不全 while a required material is missing."""
    if complete:
        return "已参保"
    missing = [m for m in ENROLLMENT_MATERIALS[newborn] if m not in materials]
    return "材料不全" if missing else "待完成"


class Enrollment(models.Model):
    """新增参保登记 in 城乡居民基本医疗保险: one per resident. Complete only when every material
    of its kind (ordinary, or newborn) has been sighted."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="enrollments", verbose_name="经办医保站"
    )
    resident = models.OneToOneField(
        Resident,
        on_delete=models.PROTECT,
        related_name="enrollment",
        verbose_name="参保人",
        error_messages={"unique": "该参保人已办理参保登记。"},
    )
    newborn = models.BooleanField("新生儿参保登记", default=False)
    # A newborn is registered by a parent or guardian, who signs the 登记表 for the baby (§1.1
    # [001]: the parents' ID cards are among its materials).
    guardian_name = models.CharField("监护人姓名", max_length=30, blank=True)
    guardian_id_number = models.CharField("监护人身份证号码", max_length=18, blank=True)
    guardian_relationship = models.CharField(
        "监护人与新生儿关系", max_length=10, choices=Guardian, blank=True
    )
    # The baby has no phone: the 登记表's 联系电话 is the guardian's.
    guardian_phone = models.CharField("监护人联系电话", max_length=20, blank=True)
    received = models.JSONField("已收材料", default=list, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    history = HistoricalRecords()

    objects = StationScopedQuerySet.as_manager()
    json_choices = {"received": EnrollmentMaterial}

    class Meta:
        verbose_name = "参保登记"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["station", "created_at"], name="enrollment_station_day"),
            # The open ones (the homes' 待完成 lists) read alone: a station's past grows,
            # its open work does not.
            models.Index(
                fields=["station", "created_at"],
                condition=models.Q(completed_at__isnull=True),
                name="enrollment_open",
            ),
            # A county's open ones, the oldest first (a supervisor's home), read in that order
            # rather than every station's gathered and sorted.
            models.Index(
                fields=["created_at"],
                condition=models.Q(completed_at__isnull=True),
                name="enrollment_open_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident.name}的{'新生儿' if self.newborn else ''}参保登记"

    def get_absolute_url(self) -> str:
        return record_url("registry:enrollment_detail", self.pk)

    @property
    def required_materials(self) -> tuple[EnrollmentMaterial, ...]:
        return ENROLLMENT_MATERIALS[self.newborn]

    @property
    def missing_materials(self) -> list[EnrollmentMaterial]:
        return [m for m in self.required_materials if m not in self.received]

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def masked_guardian_id_number(self) -> str:
        return id_numbers.mask(self.guardian_id_number) if self.guardian_id_number else ""

    @property
    def status_display(self) -> str:
        return enrollment_status(self.is_complete, self.newborn, self.received)


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", "待签字"
    AWAITING_APPROVAL = "awaiting_approval", "待审核"
    COMPLETED = "completed", "已变更"
    REJECTED = "rejected", "未通过"


# The resident's fields a change may touch, with their labels (in the form's order).
CHANGEABLE_FIELDS = (
    "name",
    "id_number",
    "ethnicity",
    "phone",
    "address",
    "insurance_type",
    "household",
    "relationship_to_head",
)


class InfoChange(models.Model):
    """参保信息变更登记, DOMAIN.md §1.2 [001]: items with old and new values and a reason.

    Applied to the resident when completed: by the caseworker once the signed form and the ID
    card are sighted, or, for a correction of the ID number, by a supervisor's approval."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="info_changes", verbose_name="经办医保站"
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="info_changes", verbose_name="参保人"
    )
    items = models.JSONField("变更事项", default=list)
    reason = models.CharField("变更原因", max_length=200)
    id_card_sighted = models.BooleanField("已核验变更人身份证原件及复印件", default=False)
    form_signed = models.BooleanField("已签字的《基本医疗保险参保信息变更登记表》", default=False)
    status = models.CharField(
        "状态", max_length=20, choices=ChangeStatus, default=ChangeStatus.DRAFT
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    reviewed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    decided_at = models.DateTimeField("完成时间", null=True, blank=True)
    rejection_reason = models.CharField("未通过原因", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "参保信息变更"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["station", "created_at"], name="change_station_day"),
            # The open ones (unsigned, awaiting a supervisor) read alone, as enrollment_open.
            models.Index(
                fields=["station", "created_at"],
                condition=models.Q(status__in=["draft", "awaiting_approval"]),
                name="change_open",
            ),
            # The county's changes awaiting a supervisor (her home), the oldest first.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status=ChangeStatus.AWAITING_APPROVAL),
                name="change_awaiting_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident.name}的信息变更"

    def get_absolute_url(self) -> str:
        return record_url("registry:change_detail", self.pk)

    @property
    def corrects_id_number(self) -> bool:
        """A changed ID number is a correction that needs a supervisor's approval."""
        return any(item["field"] == "id_number" for item in self.items)

    @property
    def missing_materials(self) -> list[str]:
        missing = []
        if not self.id_card_sighted:
            missing.append(str(InfoChange.id_card_sighted.field.verbose_name))
        if not self.form_signed:
            missing.append(str(InfoChange.form_signed.field.verbose_name))
        return missing


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "正在校验"
    IMPORTING = "importing", "正在导入"
    REFUSED = "refused", "有错误，未导入"
    DONE = "done", "已完成"
    FAILED = "failed", "导入失败"


class ResidentImport(models.Model):
    """A station's Excel sheet of residents, checked row by row, then imported in batches by
    the background worker (registry/imports.py) while the page shows the progress."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="+", verbose_name="医保站"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    file_name = models.CharField("文件名", max_length=200)
    # The uploaded sheet, through Django's storage; deleted when the job ends (a refused
    # sheet is kept a day, for 只导入有效的行).
    sheet = models.FileField("表格文件", upload_to="imports/", max_length=300, blank=True)
    valid_rows_only = models.BooleanField("只导入有效行", default=False)
    status = models.CharField(
        "状态", max_length=12, choices=ImportStatus, default=ImportStatus.CHECKING
    )
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    imported = models.PositiveIntegerField("已导入", default=0)
    errors = models.JSONField("错误", default=list, blank=True)  # the first 1,000
    error_count = models.PositiveIntegerField("错误行数", default=0)
    # The rows the check refused, which the import passes over, and the sheet's last row
    # number whose batch is committed: a worker that dies mid-import resumes after it.
    refused_rows = models.JSONField(default=list, blank=True)
    resume_after = models.PositiveIntegerField(default=0)
    # Which run of the task holds the job, and when it last showed it is alive: a job whose
    # worker died (its heartbeat stops) is taken over by the next run, and only by one.
    lease = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "参保人导入"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return record_url("registry:import_detail", self.pk)

    @property
    def running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def percent(self) -> int:
        return min(100, int(self.done * 100 / self.total)) if self.total else 0


NEWBORN_RELATIONSHIPS = (
    Relationship.SON,
    Relationship.DAUGHTER,
    Relationship.GRANDSON,
    Relationship.GRANDDAUGHTER,
    Relationship.OTHER,
)


def newborn_problems(resident: Resident, today: datetime.date) -> dict[str, str]:
    """DOMAIN.md §1.1 [001]: 新生儿参保登记 is for a baby under one year, enrolled into an
    existing household (with the newborn's 户口簿) as a child of it. The problems by field."""
    errors: dict[str, str] = {}
    born = id_numbers.birth_date(resident.id_number) if resident.id_number else None
    if born and id_numbers.age(resident.id_number, today) >= 1:
        errors["id_number"] = "新生儿参保登记适用于未满 1 周岁的婴儿，请按普通参保登记办理。"
    if not resident.household_id:
        errors["household_number"] = "新生儿须登记到已有的户，请填写户号。"
    elif resident.relationship_to_head not in NEWBORN_RELATIONSHIPS:
        errors["relationship_to_head"] = "新生儿与户主关系应为子、女、孙子、孙女或其他。"
    return errors


GUARDIAN_FIELDS = ("guardian_name", "guardian_id_number", "guardian_relationship", "guardian_phone")


def guardian_problems(guardian: dict[str, str], resident_id_number: str = "") -> dict[str, str]:
    """§1.1 [001]: a newborn is registered by a parent or guardian, who signs the 登记表 for the
    baby: named, with an ID number, a relationship, and a phone the office can call (the
    登记表's 联系电话). The problems by field."""
    problems: dict[str, str] = {}
    for field, message in (
        ("guardian_name", "新生儿参保登记请填写监护人姓名。"),
        ("guardian_id_number", "新生儿参保登记请填写监护人身份证号码。"),
        ("guardian_relationship", "请选择监护人与新生儿的关系。"),
        ("guardian_phone", "新生儿参保登记请填写监护人联系电话。"),
    ):
        if not guardian.get(field):
            problems[field] = message
    relationship = guardian.get("guardian_relationship")
    if relationship and relationship not in Guardian.values:
        problems["guardian_relationship"] = "请选择监护人与新生儿的关系。"
    phone = guardian.get("guardian_phone") or ""
    if phone and not PHONE.match(phone):
        problems["guardian_phone"] = "请输入 11 位手机号码或带区号的固定电话。"
    number = guardian.get("guardian_id_number") or ""
    if number:
        try:
            number = id_numbers.validate(number)
        except ValidationError as error:
            problems["guardian_id_number"] = error.messages[0]
        else:
            if number == resident_id_number:
                problems["guardian_id_number"] = "监护人不能是新生儿本人。"
    return problems


# The resident's free-text columns, checked alike by the counter's form and the import: a
# value longer than its column is refused, never cut (a cut name prints on the 登记表).
RESIDENT_TEXT = ("name", "ethnicity", "address")


def too_long(field_name: str) -> str:
    field = Resident._meta.get_field(field_name)
    return f"{field.verbose_name}超过 {field.max_length} 字。"  # type: ignore[union-attr]


def clean_resident_text(field_name: str, value: str) -> str:
    """A resident's name, ethnicity or address as kept: trimmed, no control characters, no
    longer than its column, a name of at least 2 characters. ValidationError otherwise."""
    value = clean_text(value)
    limit = Resident._meta.get_field(field_name).max_length  # type: ignore[union-attr]
    if limit is not None and len(value) > limit:
        raise ValidationError(too_long(field_name))
    if field_name == "name" and value and len(value) < 2:
        raise ValidationError("姓名至少 2 个字。")
    return value


def resident_problems(resident: Resident, fields: tuple[str, ...] | None = None) -> dict[str, str]:
    """What a resident must hold, by field, checked by the service that writes it (enroll,
    request_change) whatever path called: the same checks the counter's form makes. `fields`
    limits them to those (a change checks only what it changes)."""
    wanted = fields or ("id_number", *RESIDENT_TEXT, "phone", "insurance_type")
    problems: dict[str, str] = {}
    for field in wanted:
        value = getattr(resident, field, "")
        try:
            if field == "id_number":
                id_numbers.validate(value)
            elif field in RESIDENT_TEXT:
                if not clean_resident_text(field, value) and field == "name":
                    raise ValidationError("姓名至少 2 个字。")
            elif field == "phone" and value and not PHONE.match(value):
                raise ValidationError("请输入 11 位手机号码或带区号的固定电话。")
            elif field == "insurance_type" and value not in InsuranceType.values:
                raise ValidationError("请选择参保险种。")
        except ValidationError as error:
            problems[field] = error.messages[0]
    return problems
