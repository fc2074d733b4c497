"""The resident registry: households (户) and residents (参保人)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Station, StationScopedQuerySet
from registry import id_numbers


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


class HouseholdQuerySet(StationScopedQuerySet):
    pass


class Household(models.Model):
    """A household register (户口簿), identified by its 户号."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="households", verbose_name="所属医保站"
    )
    household_number = models.CharField("户号", max_length=20, unique=True)
    address = models.CharField("户籍地址", max_length=100)
    created_at = models.DateTimeField("登记时间", default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "户"
        verbose_name_plural = verbose_name
        ordering = ["household_number"]

    def __str__(self) -> str:
        head = self.head
        return f"{self.household_number}（户主：{head.name}）" if head else self.household_number

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.pk])

    @property
    def head(self) -> Resident | None:
        members = getattr(self, "_prefetched_objects_cache", {}).get("members")
        if members is not None:
            return next((m for m in members if m.relationship_to_head == Relationship.HEAD), None)
        return self.members.filter(relationship_to_head=Relationship.HEAD).first()


class ResidentQuerySet(StationScopedQuerySet):
    def search(self, query: str) -> ResidentQuerySet:
        """Find by full ID number, household number, or name (a 2-character name included).

        An ID number or household number is an exact match on a unique index; a name matches
        anywhere in the name, exact matches first.
        """
        query = query.strip()
        if not query:
            return self
        number = id_numbers.normalize(query)
        if len(number) == 18 and number[:17].isdigit():
            return self.filter(id_number=number)
        if number.isdigit():
            return self.filter(household__household_number=number)
        return self.filter(name__contains=query).order_by(
            Case(When(name=query, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "name",
            "pk",
        )


class Resident(models.Model):
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
        "与户主关系", max_length=20, choices=Relationship.choices, blank=True
    )
    name = models.CharField("姓名", max_length=30, db_index=True)
    id_number = models.CharField(
        "身份证号码", max_length=18, unique=True, error_messages={"unique": "该身份证号码已登记。"}
    )
    ethnicity = models.CharField("民族", max_length=10, default="汉族")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("现住址", max_length=100, blank=True)
    insurance_type = models.CharField(
        "参保险种", max_length=10, choices=InsuranceType.choices, default=InsuranceType.RESIDENT
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = "参保人"
        verbose_name_plural = verbose_name
        ordering = ["name", "pk"]
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
        return reverse("registry:resident_detail", args=[self.pk])

    @property
    def sex(self) -> str:
        return id_numbers.sex(self.id_number)

    @property
    def sex_display(self) -> str:
        return "男" if self.sex == "male" else "女"

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
