"""The resident registry at the counter: register, find, edit, and the history it leaves."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from registry.models import Enrollment, Household, Relationship, Resident
from tests.conftest import NEW_RESIDENT, ZHANG_JUAN_ID, make_id

pytestmark = pytest.mark.django_db


def test_it_registers_a_resident_with_sex_and_age_from_the_id_number(as_alice, alice):
    response = as_alice.post(reverse("registry:resident_create"), NEW_RESIDENT)
    resident = Resident.objects.get(id_number=ZHANG_JUAN_ID)
    assert response.status_code == 302
    assert response["Location"] == resident.get_absolute_url()
    assert resident.station == alice.station
    assert resident.sex_display == "女"
    page = as_alice.get(resident.get_absolute_url()).content.decode()
    assert "1995-04-04" in page and "女" in page


def test_it_records_the_caseworker_in_the_history(as_alice, alice):
    as_alice.post(reverse("registry:resident_create"), NEW_RESIDENT)
    resident = Resident.objects.get(id_number=ZHANG_JUAN_ID)
    assert resident.history.get().history_user == alice
    Enrollment.objects.create(station=alice.station, resident=resident, created_by=alice)
    as_alice.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {**NEW_RESIDENT, "phone": "13900001111"},
    )
    latest = resident.history.latest()
    assert latest.history_user == alice
    assert latest.phone == "13900001111"
    page = as_alice.get(resident.get_absolute_url()).content.decode()
    assert "联系电话：182****2688 → 139****1111" in page
    assert "李秀梅" in page


def test_it_accepts_the_id_number_as_an_id_card_reader_types_it(as_alice):
    # Readers type the number and Enter; some IMEs give full-width digits and a lower-case x.
    data = {**NEW_RESIDENT, "id_number": "１１０１０５１９４９１２３１００２x", "name": "测试"}
    as_alice.post(reverse("registry:resident_create"), data)
    assert Resident.objects.filter(id_number="11010519491231002X").exists()


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("32128219950404004", "身份证号码应为 18 位，当前为 17 位。"),
        ("321282199504040042", "校验位错误：最后一位应为 1"),
        (make_id("99128219950404004"), "前两位 99 不是有效的省级行政区划代码"),
        (make_id("32128219950230004"), "出生日期 19950230 不是有效日期"),
        (make_id("32128221000101004"), "晚于今天"),
    ],
)
def test_a_bad_id_number_reshows_the_form_with_what_was_typed(as_alice, id_number, message):
    response = as_alice.post(
        reverse("registry:resident_create"), {**NEW_RESIDENT, "id_number": id_number}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'value="{id_number}"' in page
    assert 'value="张娟"' in page and "西关村8号" in page
    assert not Resident.objects.exists()
    assert not Resident.history.exists()


def test_a_duplicate_id_number_links_to_the_existing_resident(as_alice, resident_a):
    response = as_alice.post(
        reverse("registry:resident_create"), {**NEW_RESIDENT, "id_number": resident_a.id_number}
    )
    page = response.content.decode()
    assert "该身份证号码已登记为" in page
    assert f'href="{resident_a.get_absolute_url()}"' in page
    assert Resident.objects.count() == 1


def test_a_duplicate_in_another_station_is_refused_without_a_link(as_alice, resident_b):
    response = as_alice.post(
        reverse("registry:resident_create"), {**NEW_RESIDENT, "id_number": resident_b.id_number}
    )
    page = response.content.decode()
    assert "已在其他医保站登记" in page
    assert resident_b.get_absolute_url() not in page
    assert Resident.objects.count() == 1


def test_it_joins_a_household_by_number_and_refuses_a_second_head(as_alice, resident_a):
    data = {**NEW_RESIDENT, "household_number": "140830100001", "relationship_to_head": "head"}
    page = as_alice.post(reverse("registry:resident_create"), data).content.decode()
    assert "已有户主 薛建国" in page
    data["relationship_to_head"] = Relationship.SPOUSE
    as_alice.post(reverse("registry:resident_create"), data)
    resident = Resident.objects.get(id_number=ZHANG_JUAN_ID)
    assert resident.household == resident_a.household
    household_page = as_alice.get(resident.household.get_absolute_url()).content.decode()
    assert "户主：薛建国" in household_page and "张娟" in household_page


def test_a_household_of_another_station_is_refused_and_audited(as_alice, household_b, resident_b):
    data = {
        **NEW_RESIDENT,
        "household_number": household_b.household_number,
        "relationship_to_head": "son",
    }
    page = as_alice.post(reverse("registry:resident_create"), data).content.decode()
    assert f"户号 {household_b.household_number} 已由其他医保站登记，不能在本站使用" in page
    assert resident_b.name not in page and household_b.get_absolute_url() not in page
    assert not Resident.objects.filter(id_number=ZHANG_JUAN_ID).exists()
    assert AuditEntry.objects.get(action=Action.LOOKUP).record_id == str(household_b.pk)


def test_an_unknown_household_number_is_not_found(as_alice):
    data = {**NEW_RESIDENT, "household_number": "140830199999", "relationship_to_head": "son"}
    page = as_alice.post(reverse("registry:resident_create"), data).content.decode()
    assert "未找到户号 140830199999" in page
    assert not Resident.objects.exists()


def test_control_characters_and_bad_phones_are_refused(as_alice):
    data = {**NEW_RESIDENT, "name": "张\x1b娟", "phone": "12345"}
    page = as_alice.post(reverse("registry:resident_create"), data).content.decode()
    assert "控制字符" in page
    assert "请输入 11 位手机号码或带区号的固定电话" in page
    assert not Resident.objects.exists()


def test_the_id_number_cannot_be_changed_by_editing(as_alice, resident_a, registering_a):
    original = resident_a.id_number
    data = {**NEW_RESIDENT, "id_number": ZHANG_JUAN_ID, "name": "薛建国"}
    as_alice.post(reverse("registry:resident_edit", args=[resident_a.pk]), data)
    resident_a.refresh_from_db()
    assert resident_a.id_number == original


def test_it_registers_a_household(as_alice, alice):
    response = as_alice.post(
        reverse("registry:household_create"),
        {"household_number": "140830109999", "address": "山西省运城市芮城县古魏镇东关村1号"},
    )
    household = Household.objects.get(household_number="140830109999")
    assert response.status_code == 302
    assert household.station == alice.station
    assert household.history.get().history_user == alice


def test_a_duplicate_household_number_is_refused(as_alice, household_a):
    response = as_alice.post(
        reverse("registry:household_create"),
        {"household_number": household_a.household_number, "address": "别处"},
    )
    page = response.content.decode()
    assert f"户号 {household_a.household_number} 已登记为" in page
    assert household_a.get_absolute_url() in page
    assert Household.objects.count() == 1


def test_another_stations_household_number_is_refused_without_a_link(as_alice, household_b):
    response = as_alice.post(
        reverse("registry:household_create"),
        {"household_number": household_b.household_number, "address": "别处"},
    )
    page = response.content.decode()
    assert f"户号 {household_b.household_number} 已由其他医保站登记" in page
    assert household_b.get_absolute_url() not in page and household_b.address not in page
    assert Household.objects.count() == 1
    assert AuditEntry.objects.filter(action=Action.LOOKUP).count() == 1


class TestSearch:
    @pytest.fixture
    def residents(self, station_a, household_a, resident_a):
        names = ["王芳", "王芳芳", "李王芳", "王小明"]
        for index, name in enumerate(names):
            Resident.objects.create(
                station=station_a, name=name, id_number=make_id(f"14083019800101{index + 10}3")
            )
        return names

    def search(self, client, query: str) -> str:
        url = reverse("registry:resident_list")
        return client.post(url, {"q": query}, follow=True).content.decode()

    def test_a_full_id_number_opens_the_residents_page(self, as_alice, residents, resident_a):
        """The card read at the counter lands on the work: the resident's page, whose
        address carries her record's key, not her number."""
        url = reverse("registry:resident_list")
        response = as_alice.post(url, {"q": resident_a.id_number.lower()})
        assert response.status_code == 302
        assert response["Location"] == resident_a.get_absolute_url()

    def test_an_unregistered_id_number_offers_enrollment_with_the_number_carried(
        self, as_alice, residents
    ):
        number = make_id("14083020010203004")
        page = self.search(as_alice, number)
        assert "尚未登记" in page and "办理参保登记" in page
        assert f'name="id_number" value="{number}"' in page  # posted on, not typed again
        form = as_alice.post(reverse("registry:enrollment_start"), {"id_number": number})
        assert form.status_code == 302
        assert number in as_alice.get(form["Location"]).content.decode()

    def test_a_supervisor_is_not_offered_an_enrollment(self, as_carol, resident_a):
        page = self.search(as_carol, make_id("14083020010203004"))
        assert "尚未登记" in page and "办理参保登记" not in page

    def test_it_finds_a_two_character_name_exact_match_first(self, as_alice, residents):
        page = self.search(as_alice, "王芳")
        assert "共 2 人" in page  # 王芳 and 王芳芳; 李王芳 does not start with 王芳
        assert page.index(">王芳<") < page.index(">王芳芳<")
        assert "王小明" not in page

    def test_it_finds_by_household_number(self, as_alice, residents, resident_a):
        page = self.search(as_alice, "140830100001")
        assert "薛建国" in page and "共 1 人" in page

    def test_it_masks_id_and_phone_numbers_in_results(self, as_alice, residents, resident_a):
        page = self.search(as_alice, "薛建国")
        assert resident_a.id_number not in page
        assert resident_a.masked_id_number in page
        assert "138****1234" in page and "13835901234" not in page

    def test_each_row_reads_sex_and_age_from_the_id_number(
        self, as_alice, station_a, resident_a, monkeypatch
    ):
        # 薛建国 was born on 1958-03-12 (a man: the 17th digit is odd); 王秀兰 on 1980-01-01, a
        # woman with no household or phone on record.
        Resident.objects.create(
            station=station_a, name="王秀兰", id_number=make_id("14083019800101002")
        )

        def rows_on(day: datetime.date) -> dict[str, list[str]]:
            monkeypatch.setattr(timezone, "localdate", lambda: day)
            page = as_alice.get(reverse("registry:resident_list")).content.decode()
            rows = re.findall(r'<a href="[^"]+">(\w+)</a></td>(.*?)</tr>', page, re.S)
            return {name: re.findall(r"<td[^>]*>(.*?)</td>", cells) for name, cells in rows}

        before = rows_on(datetime.date(2026, 3, 11))
        assert before["薛建国"] == [
            resident_a.masked_id_number,
            "男",
            "67",
            "140830100001",
            "138****1234",
            station_a.name,
        ]
        assert before["王秀兰"][1:] == ["女", "46", "—", "—", station_a.name]
        assert rows_on(datetime.date(2026, 3, 12))["薛建国"][2] == "68"  # the birthday

    def test_it_does_not_show_residents_of_another_station(self, as_alice, resident_b):
        page = self.search(as_alice, resident_b.id_number)
        assert "已在其他医保站登记" in page and resident_b.name not in page
        lookup = AuditEntry.objects.filter(action=Action.LOOKUP).get()
        assert "查找参保人" in lookup.detail and lookup.station_id == resident_b.station_id

    def test_a_supervisor_finds_residents_of_every_station_in_the_county(
        self, as_carol, resident_a, resident_b
    ):
        page = self.search(as_carol, "")
        assert "薛建国" in page and "王芳" in page


def test_the_residents_page_lists_all_their_business(as_alice, alice, resident_a):
    from registry.models import Enrollment
    from tests.conftest import make_case, make_filing

    enrollment = Enrollment.objects.create(
        station=alice.station, resident=resident_a, created_by=alice
    )
    filing = make_filing(resident_a, alice)
    case = make_case(resident_a, alice)
    page = as_alice.get(resident_a.get_absolute_url()).content.decode()
    for record in (enrollment, filing, case):
        assert record.get_absolute_url() in page
    assert "异地就医备案 上海市" in page and "县域外住院补偿" in page


def test_a_search_for_a_mistyped_id_number_says_what_is_wrong(as_alice, resident_a):
    """Issue 18: a wrong ID number at the home search answered "共 0 人"."""
    wrong = resident_a.id_number[:17] + ("1" if resident_a.id_number[17] != "1" else "2")
    page = as_alice.post(reverse("registry:resident_list"), {"q": wrong}).content.decode()
    assert "不是有效的身份证号码：身份证号码校验位错误" in page and "共 0 人" not in page
    assert wrong not in page  # repeated masked, as every number is
    page = as_alice.post(reverse("registry:resident_list"), {"q": "薛建"}, follow=True)
    page = page.content.decode()
    assert "不是有效的身份证号码" not in page and "共 1 人" in page


def test_the_ip_address_of_each_change_is_for_supervisors_not_the_counter(
    as_alice, as_carol, resident_a
):
    url = resident_a.get_absolute_url()
    assert "变更记录" in as_alice.get(url).content.decode()
    assert "IP 地址" not in as_alice.get(url).content.decode()
    assert "IP 地址" in as_carol.get(url).content.decode()


@pytest.mark.parametrize(("days", "suggested"), [(13, True), (364, True), (365, False)])
def test_an_infants_id_number_suggests_a_newborns_enrollment(as_alice, station_a, days, suggested):
    """Born 13 days ago: 新生儿参保登记 starts ticked, and says why; a year old: not."""
    born = timezone.localdate() - datetime.timedelta(days=days)
    baby = Resident.objects.create(
        station=station_a, name="薛小宝", id_number=make_id(f"140830{born:%Y%m%d}002")
    )
    page = as_alice.get(reverse("registry:enrollment_create_for", args=[baby.pk])).content
    page = page.decode()
    ticked = re.search(r'<input type="checkbox" name="newborn"[^>]*>', page).group(0)
    assert ("checked" in ticked) is suggested
    assert (f"{days} 天，已勾选新生儿参保登记" in " ".join(page.split())) is suggested
