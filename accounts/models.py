"""Counties, township stations, staff accounts with their roles, and each county's policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self, TypeVar

from asgiref.local import Local
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import request_finished, request_started
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.http import QueryDict
from simple_history.models import HistoricalRecords

from core import regions
from core.keyset import SeekPage, seek
from core.versioning import Versioned

_M = TypeVar("_M", bound=models.Model)

six_digits = RegexValidator(r"^\d{6}$", "请输入 6 位数字的行政区划代码。")


class County(models.Model):
    """A county or district (县 / 区); its stations and staff belong to it."""

    code = models.CharField("行政区划代码", max_length=6, unique=True, validators=[six_digits])
    name = models.CharField("县（区）名称", max_length=50)
    # The pooling region (统筹区) is usually the prefecture-level city, e.g. 山西省运城市.
    pooling_region_code = models.CharField(
        "统筹区（参保地）代码", max_length=6, validators=[six_digits]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "县（区）"
        verbose_name_plural = verbose_name
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new county has its policy at once, with the defaults: read paths never write."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            Policy.objects.get_or_create(county=self)

    def clean(self) -> None:
        if self.pooling_region_code and not regions.is_known(self.pooling_region_code):
            raise ValidationError({"pooling_region_code": "未知的统筹区代码。"})


class Station(Versioned):
    """A township medical-insurance station (乡镇医保站), serving one township."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="stations", verbose_name="所属县（区）"
    )
    name = models.CharField("医保站名称", max_length=50)
    township = models.CharField("乡镇", max_length=30)
    address = models.CharField("办理地址", max_length=100)
    phone = models.CharField("联系电话", max_length=30)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "医保站"
        verbose_name_plural = verbose_name
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="station_name_unique_in_county")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "经办员"
    SUPERVISOR = "supervisor", "审核员"
    AUDITOR = "auditor", "审计员"
    ADMINISTRATOR = "administrator", "系统管理员"


# Separation of duties (等保 2.0: system, security and audit administrators apart): the roles
# that read the audit trail or every station's records are created, given and reset only on
# the server (`manage.py auditor`, `manage.py supervisor`), never by the portal's
# administrators, so that whoever administers accounts cannot choose, or become, who reviews
# and audits them.
SERVER_MANAGED_ROLES = (Role.SUPERVISOR, Role.AUDITOR)


class User(Versioned, AbstractUser):
    """A member of staff. Caseworkers belong to a station; the other roles to a county.

    `county` is kept for every user (a caseworker's is their station's) so that county-wide
    scoping is one filter for every role.
    """

    full_name = models.CharField("姓名", max_length=30)
    role = models.CharField("角色", max_length=20, choices=Role)
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="所属县（区）",
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="所属医保站",
    )
    must_change_password = models.BooleanField(
        "下次登录须修改密码",
        default=False,
        help_text="管理员设置的初始密码或重置的密码，本人登录后必须先修改。",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login", "version"])

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="caseworker") | models.Q(station__isnull=False),
                name="caseworker_has_station",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.CASEWORKER and not self.station_id:
            raise ValidationError({"station": "经办员必须属于一个医保站。"})
        if (
            self.role
            and self.role != Role.CASEWORKER
            and not self.county_id
            and not self.is_superuser
        ):
            raise ValidationError({"county": "请选择所属县（区）。"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.station is not None:
            self.county_id = self.station.county_id
        if self.role != Role.CASEWORKER:
            self.station = None
        super().save(*args, **kwargs)

    @property
    def is_caseworker(self) -> bool:
        return self.role == Role.CASEWORKER

    @property
    def own_county(self) -> County:
        """The county every member of staff works for (a superuser made by hand has none)."""
        if self.county is None:
            raise PermissionDenied("该账户不属于任何县（区），请联系系统管理员。")
        return self.county

    @property
    def counter_station(self) -> Station:
        """The station a caseworker registers business for (only caseworkers do)."""
        if self.station is None:
            raise PermissionDenied("只有医保站的经办员可以办理该业务。")
        return self.station

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def can_read_history(self) -> bool:
        """DOMAIN.md: the administrator cannot read the audit trail; the other roles can
        (caseworkers only for their own station's records, which scoping already ensures)."""
        return self.role in (Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR)

    @property
    def workplace(self) -> str:
        return str(self.station or self.county or "")


class EmergencyFiling(models.TextChoices):
    """How a county files emergency care elsewhere (DOMAIN.md policy parameters, [000][004])."""

    NOT_NEEDED = "not_needed", "无需备案（如广东）"
    WITHOUT_MATERIALS = "without_materials", "备案，无需材料（先就医，后补办）"
    COUNTY_FORM = "county_form", "备案，须提供《急诊转诊登记表》（如忻州）"


class Policy(Versioned):
    """A county's policy parameters: the values the seeds disagree on (DOMAIN.md, end).

    Code that applies a rule reads it from here (`Policy.for_county`), never from a constant.
    """

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, related_name="policy", verbose_name="县（区）"
    )
    # DOMAIN.md [001][002]: the national platform 5 days, Shanxi 0, Jiangsu the day itself.
    backdating_days = models.PositiveSmallIntegerField(
        "备案开始日期可向前追溯天数",
        default=5,
        validators=[MaxValueValidator(30)],
        help_text="国家平台 5 天；山西医保 0 天；江苏不早于申请当天（0）。",
    )
    temporary_validity_months = models.PositiveSmallIntegerField(
        "临时外出就医备案有效期（月）", default=6, validators=[MinValueValidator(1)]
    )
    referral_validity_months = models.PositiveSmallIntegerField(
        "异地转诊备案有效期（月）", default=6, validators=[MinValueValidator(1)]
    )
    long_term_min_validity_months = models.PositiveSmallIntegerField(
        "长期居住备案最短有效期（月）", default=12, validators=[MinValueValidator(1)]
    )
    long_term_cancel_after_months = models.PositiveSmallIntegerField(
        "长期居住备案最早可取消（开始后月数）", default=6
    )
    # DOMAIN.md [001].
    large_amount_threshold = models.DecimalField(
        "大额补偿承诺书起点（元）",
        max_digits=12,
        decimal_places=2,
        default=Decimal("30000.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="总费用达到或超过此金额须填写大额补偿承诺书。",
    )
    manual_review_working_days = models.PositiveSmallIntegerField(
        "人工审核时限（工作日）", default=2, validators=[MinValueValidator(1)]
    )
    automatic_review = models.BooleanField(
        "材料齐全的备案自动审核、即时生效",
        default=True,
        help_text="勾选：材料或承诺书齐全即生效（国家平台、山西）；不勾选：全部人工审核（如江苏）。",
    )
    emergency_filing = models.CharField(
        "异地急诊抢救人员备案",
        max_length=20,
        choices=EmergencyFiling,
        default=EmergencyFiling.WITHOUT_MATERIALS,
        # [004]: 先就医、后补办; Guangdong needs no filing. [000]: 忻州 asks for its form.
        help_text="急诊先就医、后补办备案；广东无需备案；忻州须提供《急诊转诊登记表》。",
    )
    emergency_effective_at_once = models.BooleanField(
        "急诊备案即时生效",
        default=True,
        help_text="勾选：急诊备案材料齐全即生效，即使其他备案须人工审核。",
    )
    # DOMAIN.md policy parameters: 常驻异地工作 is a posting of half a year or more [004]; 忻州
    # asks for one year [000].
    posting_months = models.PositiveSmallIntegerField(
        "常驻异地工作人员派驻时间不少于（月）",
        choices=[(6, "半年（6 个月）"), (12, "一年（12 个月）")],
        default=6,
        help_text="派驻证明或劳动合同载明的异地工作时间须达到此长度（国家平台半年；忻州一年）。",
    )
    maternity_filing = models.BooleanField(
        "办理异地生育就医备案",
        default=False,
        help_text="部分省份（如广东）单设异地生育就医备案，须填《异地就医生育保险登记备案表》。",
    )
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.county}政策参数"

    @classmethod
    def for_county(cls, county: County | int) -> Policy:
        """The county's policy: read once per request (a page asks for it several times) and
        never written here. Every county has one from its creation (County.save, migration
        accounts 0008); one missing all the same reads as the defaults, unsaved."""
        county_id = county if isinstance(county, int) else county.pk
        read = getattr(_this_request, "policies", None)
        if read is not None and county_id in read:
            return read[county_id]
        policy = cls.objects.filter(county_id=county_id).first() or cls(county_id=county_id)
        if read is not None:
            read[county_id] = policy
        return policy


# The policies a request has read (Policy.for_county), emptied as each request starts.
_this_request = Local()


def _request_started(**kwargs: Any) -> None:
    _this_request.policies = {}


def _request_finished(**kwargs: Any) -> None:
    _this_request.policies = None


request_started.connect(_request_started, dispatch_uid="accounts-policies-started")
request_finished.connect(_request_finished, dispatch_uid="accounts-policies-finished")


class StationScopedQuerySet(models.QuerySet[_M]):
    """Scoping by station, in one place for every model that belongs to a station.

    A caseworker sees their station's records; a supervisor or auditor their county's; an
    administrator none (they manage accounts and policy, not residents' business). Views fetch
    records only through `for_user`, so a record out of reach is a 404, not a 403.
    """

    station_field = "station"

    def for_user(self, user: User | AnonymousUser) -> Self:
        if not isinstance(user, User):
            return self.none()
        if user.role == Role.CASEWORKER:
            return self.filter(**{self.station_field: user.station_id})
        if user.role in (Role.SUPERVISOR, Role.AUDITOR):
            return self.filter(**{f"{self.station_field}__county": user.county_id})
        return self.none()


class StationCount(models.Model):
    """How many rows of one table each station has, kept by the database itself (triggers,
    core/tallies.py): a page reads one row per station instead of counting thousands. Derived
    data: never backed up, rebuilt by the triggers as a restore inserts the rows."""

    station = models.OneToOneField(
        Station, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    counted: str  # the column with the count

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.station_id}: {getattr(self, self.counted)}"

    @classmethod
    def total_for(cls, user: User) -> int:
        """How many rows `user` reaches (the counted model's for_user(user).count())."""
        tallies: StationScopedQuerySet[Any] = StationScopedQuerySet(cls).for_user(user)
        return tallies.aggregate(n=models.Sum(cls.counted))["n"] or 0

    @classmethod
    def page(
        cls,
        records: models.QuerySet,
        columns: tuple[str, ...],
        order: tuple[str, ...],
        user: User,
        query: QueryDict,
        filtered: bool,
    ) -> SeekPage:
        """The page of a list of `records` (the user's) that `query` asks for, read as
        `values(*columns)` in `order` by keyset (core/keyset.py). Its count: for
        every record within reach, the stations' tallies; once searched or filtered, the
        records counted without the joins the listed columns add (a resident's name for each
        filing or case)."""
        count = records.count() if filtered else cls.total_for(user)
        return seek(records.values(*columns), order, query, count)
