"""The PDF engine: faithful text, A4, page numbers, rare characters, and the warning."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.urls import reverse

from printing import pdf as printing
from registry.models import Relationship, Resident
from tests.conftest import make_id
from tests.pdfs import is_a4, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

# Names with characters from CJK Extension A (㛃), B (𠈌) and the 通用规范汉字表 (𬌗, 𫖯).
RARE_NAMES = ["王㛃", "李𠈌", "赵𬌗", "钱𫖯"]
# 𮯰 (U+2EBF0), CJK Extension I, encoded in Unicode 15.1 (2023): no installed font has it yet.
UNPRINTABLE = "\U0002ebf0"


def letter(**overrides) -> dict:
    values = {
        "name": "张娟",
        "sex": "女",
        "age": 31,
        "phone": "18252602688",
        "id_number": "321282199504040041",
        "insured_region": "江苏省泰州市",
        "care_region": "上海市",
        "category": "long_term_resident",
        "categories": [
            ("retired_relocated", "异地安置退休人员"),
            ("long_term_resident", "异地长期居住人员"),
            ("posted_worker", "常驻异地工作人员"),
        ],
        "start_date": datetime.date(2022, 10, 27),
        "end_date": None,
        "filer": "张娟",
        "agent_relationship": "",
        "signature": "",
        "sign_date": datetime.date(2022, 10, 27),
    }
    return {"letter": {**values, **overrides}}


def test_a_commitment_letter_carries_the_seeds_example_on_one_a4_page():
    pdf = printing.render_pdf(
        "filing/print/commitment_letter.html", {**letter(), "full_numbers": True}
    )
    pages = pdf_pages(pdf)
    assert len(pages) == 1 and is_a4(pages[0])
    text = pdf_text(pdf)
    for expected in [
        "基本医疗保险异地就医备案个人承诺书",
        "张娟",
        "321282199504040041",
        "江苏省泰州市",
        "上海市",
        "18252602688",
        "2022年10月27日至长期",
        "☑异地长期居住人员",
        "□异地安置退休人员",
        "本人签字",
        "本表由参保人填写，由医保经办机构存档，两年内不得销毁。",
    ]:
        assert expected in text, expected
    assert "第1页" not in text  # a one-page document has no page number


def test_an_agent_signs_with_the_agents_name():
    pdf = printing.render_pdf(
        "filing/print/commitment_letter.html", letter(filer="张建", agent_relationship="子女")
    )
    text = pdf_text(pdf)
    assert "代办人签字" in text and "张建（代办人，与参保人关系：子女）" in text


@pytest.mark.parametrize("name", RARE_NAMES)
def test_rare_characters_in_names_are_printed_not_dropped(name):
    pdf = printing.render_pdf("filing/print/commitment_letter.html", letter(name=name))
    assert name in pdf_text(pdf)
    assert printing.missing_characters({"姓名": name}) == []


def test_a_character_no_font_has_is_named_in_a_warning():
    missing = printing.missing_characters({"姓名": f"张{UNPRINTABLE}", "地址": "城北村"})
    assert [(m.char, m.codepoint, m.where) for m in missing] == [(UNPRINTABLE, "U+2EBF0", "姓名")]
    assert str(missing[0]) == f"“{UNPRINTABLE}”（U+2EBF0，姓名）"


def test_rendering_logs_no_warning(caplog):
    with caplog.at_level(logging.WARNING):
        printing.render_pdf("filing/print/commitment_letter.html", letter(name="王㛃"))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_printable_may_not_fetch_from_the_network():
    fetcher = printing._engine()[3]
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher("http://127.0.0.1:8000/static/print/print.css")


class TestRegistrationForm:
    @pytest.fixture
    def big_household(self, station_a, household_a, resident_a):
        for index in range(25):
            Resident.objects.create(
                station=station_a,
                household=household_a,
                name=f"薛家{index:02d}",
                relationship_to_head=Relationship.OTHER,
                id_number=make_id(f"14083020000101{index:02d}1"),
            )
        return household_a

    def test_the_preview_shows_the_form_and_a_print_button(self, as_alice, resident_a):
        url = reverse("registry:registration_form", args=[resident_a.pk])
        page = as_alice.get(url).content.decode()
        assert "城乡居民基本医疗保险参保登记表" in page
        assert resident_a.masked_id_number in page  # the PDF carries it in full, audited
        assert resident_a.id_number not in page and resident_a.phone not in page
        assert 'href="?format=pdf"' in page
        assert "没有可用的打印字体" not in page

    def test_the_pdf_is_inline_with_a_chinese_file_name(self, as_alice, resident_a):
        url = reverse("registry:registration_form", args=[resident_a.pk])
        response = as_alice.get(url, {"format": "pdf"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            "inline; filename*=UTF-8''%E5%8F%82%E4%BF%9D%E7%99%BB%E8%AE%B0%E8%A1%A8-"
            "%E8%96%9B%E5%BB%BA%E5%9B%BD.pdf"
        )
        text = pdf_text(response.content)
        for expected in [
            "薛建国",
            resident_a.id_number,
            "男",
            "1958年3月12日",
            "13835901234",
            "古魏镇医保站",
            "户号140830100001",
            "经办人：李秀梅",
            "经办机构（盖章）",
        ]:
            assert expected in text, expected

    def test_a_long_form_runs_over_pages_with_page_numbers(self, as_alice, big_household):
        head = big_household.head
        response = as_alice.get(
            reverse("registry:registration_form", args=[head.pk]), {"format": "pdf"}
        )
        pages = pdf_pages(response.content)
        assert len(pages) == 2 and all(is_a4(page) for page in pages)
        text = pdf_text(response.content)
        assert "第1页共2页" in text and "第2页共2页" in text
        assert "薛家00" in text and "薛家24" in text

    def test_the_preview_warns_of_a_character_that_cannot_be_printed(self, as_alice, resident_a):
        resident_a.name = f"薛{UNPRINTABLE}国"
        resident_a.save()
        page = as_alice.get(reverse("registry:registration_form", args=[resident_a.pk]))
        assert "没有可用的打印字体" in page.content.decode()
        assert "U+2EBF0，姓名" in page.content.decode()


def test_residents_read_the_insurance_by_its_name_not_its_code(as_alice, resident_a, alice):
    """Issue #18: "（390）" on forms meant for residents. The code is the caseworker's."""
    from tests.conftest import make_filing

    filing = make_filing(resident_a, alice)
    for url in (
        reverse("registry:registration_form", args=[resident_a.pk]),
        reverse("filing:filing_form", args=[filing.pk]),
    ):
        text = pdf_text(as_alice.get(url, {"format": "pdf"}).content)
        assert "城乡居民基本医疗保险" in text and "（390）" not in text, url
    assert "城乡居民（390）" in as_alice.get(resident_a.get_absolute_url()).content.decode()
