"""Lists page by keyset (core/keyset.py): 首页 / 上一页 / 下一页 / 末页 walk every row once,
in order, ties broken by the key; a link's position cannot widen what the user may see."""

from __future__ import annotations

import datetime
import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from core.keyset import seek, token
from filing.models import FilingStatus
from registry.models import Resident
from tests.conftest import make_case, make_filing, make_id

pytestmark = pytest.mark.django_db


def _links(html: str) -> dict[str, str]:
    """The pagination's links by their words, unescaped."""
    found = re.findall(
        r'<a class="page-link" href="([^"]*)"[^>]*>(首页|上一页|下一页|末页)</a>', html
    )
    return {words: href.replace("&amp;", "&") for href, words in found}


@pytest.fixture
def twelve(station_a) -> list[str]:
    """Twelve residents of station A; two pairs share a name (the key decides their order)."""
    names = [
        "赵一",
        "赵二",
        "赵二",
        "钱三",
        "孙四",
        "李五",
        "李五",
        "周六",
        "吴七",
        "郑八",
        "冯九",
        "陈十",
    ]
    for index, name in enumerate(names):
        Resident.objects.create(
            station=station_a, name=name, id_number=make_id(f"14083019900201{index:02d}1")
        )
    return sorted(set(names))


def test_next_walks_every_resident_once_in_name_order(settings, as_alice, twelve, resident_b):
    settings.PAGE_SIZE = 5
    url = reverse("registry:resident_list")
    expected = list(Resident.objects.filter(station__name="古魏镇医保站").order_by("name", "pk"))
    seen: list[int] = []
    page = as_alice.get(url)
    while True:
        seen += [row["url"] for row in page.context["rows"]]  # type: ignore[misc]
        assert "共 12 条" in page.content.decode()
        links = _links(page.content.decode())
        if "下一页" not in links:
            break
        page = as_alice.get(url + links["下一页"])
    assert seen == [resident.get_absolute_url() for resident in expected]
    assert resident_b.name not in page.content.decode()  # another station's: never


def test_previous_and_last_lead_back_to_the_same_rows(settings, as_alice, twelve):
    settings.PAGE_SIZE = 5
    url = reverse("registry:resident_list")
    first = as_alice.get(url)
    assert "上一页" not in _links(first.content.decode())
    second = as_alice.get(url + _links(first.content.decode())["下一页"])
    back = as_alice.get(url + _links(second.content.decode())["上一页"])
    assert [r["url"] for r in back.context["rows"]] == [r["url"] for r in first.context["rows"]]
    last = as_alice.get(url + _links(first.content.decode())["末页"])
    rows = [r["url"] for r in last.context["rows"]]
    ordered = Resident.objects.filter(station__name="古魏镇医保站").order_by("name", "pk")
    assert rows == [resident.get_absolute_url() for resident in ordered][-5:]
    links = _links(last.content.decode())
    assert "下一页" not in links and "末页" not in links and "首页" in links


def test_a_tampered_or_foreign_position_shows_the_first_page(settings, as_alice, twelve):
    settings.PAGE_SIZE = 5
    url = reverse("registry:resident_list")
    first = as_alice.get(url)
    token = _links(first.content.decode())["下一页"].split("after=")[1]
    for garbled in (token[:-3] + "abc", "x" * 900, "", "%00", token.replace(":", "")):
        page = as_alice.get(url, {"after": garbled})
        assert page.status_code == 200
        assert page.context["rows"] == first.context["rows"]


def test_a_position_is_only_a_place_in_the_list_the_user_may_see(
    settings, as_alice, as_bob, twelve, resident_b
):
    """A link copied from another station's list moves within one's own rows only."""
    settings.PAGE_SIZE = 1
    url = reverse("registry:resident_list")
    theirs = _links(as_bob.get(url).content.decode()).get("下一页", "?after=")
    page = as_alice.get(url + theirs)
    assert page.status_code == 200
    assert resident_b.name not in page.content.decode()


def test_a_status_filter_is_kept_across_pages(settings, as_alice, alice, resident_a):
    settings.PAGE_SIZE = 2
    now = timezone.now()
    for days in range(5):
        make_filing(
            resident_a,
            alice,
            status=FilingStatus.CANCELLED,
            submitted_at=now - datetime.timedelta(days=days),
            start_date=datetime.date(2020 + days, 1, 1),
            end_date=datetime.date(2020 + days, 6, 30),
        )
    make_filing(resident_a, alice, status=FilingStatus.APPROVED, submitted_at=now)
    url = reverse("filing:list")
    page = as_alice.get(url, {"status": FilingStatus.CANCELLED})
    seen = len(page.context["rows"])
    while "下一页" in (links := _links(page.content.decode())):
        assert "status=cancelled" in links["下一页"]
        page = as_alice.get(url + links["下一页"])
        seen += len(page.context["rows"])
    assert seen == 5
    assert "共 5 条" in page.content.decode()


def test_seek_pages_descending_with_ties_broken_by_the_key(alice, resident_a):
    """Cases accepted at the same instant still come once each, newest key first."""
    moment = timezone.now()
    cases = [make_case(resident_a, alice, created_at=moment) for _ in range(5)]
    from reimbursement.models import ReimbursementCase

    records = ReimbursementCase.objects.values("pk", "created_at")
    order = ("-created_at", "-pk")
    query = QueryDict()
    seen = []
    while True:
        page = seek(records, order, query, count=5, size=2)
        seen += [row["pk"] for row in page.object_list]
        if not page.next_url:
            break
        query = QueryDict(page.next_url[1:])
    assert seen == sorted((case.pk for case in cases), reverse=True)
    back = seek(records, order, QueryDict(page.previous_url[1:]), count=5, size=2)
    assert [row["pk"] for row in back.object_list] == seen[2:4]


def test_the_review_queue_pages_by_keyset(settings, as_carol, alice, bob, resident_a, resident_b):
    settings.PAGE_SIZE = 1
    now = timezone.now()
    for resident, user, hours in ((resident_a, alice, 3), (resident_b, bob, 1)):
        make_filing(
            resident,
            user,
            status=FilingStatus.PENDING,
            submitted_at=now - datetime.timedelta(hours=hours),
        )
    url = reverse("filing:review_queue")
    first = as_carol.get(url).content.decode()
    assert resident_a.name in first and resident_b.name not in first  # the due first
    second = as_carol.get(url + _links(first)["下一页"]).content.decode()
    assert resident_b.name in second and "下一页" not in _links(second)


def test_the_review_queue_walks_filings_of_one_instant_once_each(
    settings, as_carol, alice, station_a
):
    """Five filings submitted at the same instant, two a page: the key orders them (the
    index filing_status_queue holds the whole order), forward and back."""
    settings.PAGE_SIZE = 2
    moment = timezone.now() - datetime.timedelta(hours=2)
    residents = [
        Resident.objects.create(
            station=station_a, name=f"同时{index}", id_number=make_id(f"14083019800301{index:02d}1")
        )
        for index in range(5)
    ]
    for resident in residents:
        make_filing(resident, alice, status=FilingStatus.PENDING, submitted_at=moment)
    url = reverse("filing:review_queue")
    seen, pages = [], []
    html = as_carol.get(url).content.decode()
    while True:
        pages.append(html)
        seen += re.findall(r"同时\d", html)
        if "下一页" not in _links(html):
            break
        html = as_carol.get(url + _links(html)["下一页"]).content.decode()
    assert seen == [resident.name for resident in residents]
    back = as_carol.get(url + _links(pages[-1])["上一页"]).content.decode()
    assert re.findall(r"同时\d", back) == ["同时2", "同时3"]


def test_a_position_with_nothing_beyond_it_shows_the_first_page(alice, resident_a):
    from reimbursement.models import ReimbursementCase

    cases = [make_case(resident_a, alice) for _ in range(3)]
    records = ReimbursementCase.objects.values("pk", "created_at")
    order = ("-created_at", "-pk")
    last = seek(records, order, QueryDict("last=1"), count=3, size=2)
    assert not last.next_url  # the last page links no further
    oldest = cases[0]  # created first: last in the list
    position = token({"created_at": oldest.created_at, "pk": oldest.pk}, ("created_at", "pk"))
    beyond = seek(records, order, QueryDict(f"after={position}"), count=3, size=2)
    assert [row["pk"] for row in beyond.object_list] == [cases[2].pk, cases[1].pk]
    assert not beyond.previous_url and beyond.next_url
