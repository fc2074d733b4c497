"""The audit trail as supervisors and auditors read it (issue 6)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Action, AuditEntry
from registry.models import Resident
from tests.conftest import client_for, make_filing, run_tasks

pytestmark = pytest.mark.django_db


def edit_phone(client, resident, phone: str):
    return client.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {
            "name": resident.name,
            "ethnicity": "汉族",
            "insurance_type": "resident",
            "household_number": resident.household.household_number,
            "relationship_to_head": "head",
            "phone": phone,
            "address": resident.address,
        },
    )


@pytest.fixture
def activity(as_alice, as_bob, resident_a, resident_b, registering_a, registering_b):
    edit_phone(as_alice, resident_a, "13900001111")
    edit_phone(as_bob, resident_b, '=HYPERLINK("http://x")')  # refused: not a phone
    edit_phone(as_bob, resident_b, "13700002222")


def test_the_log_shows_who_changed_what_with_chinese_labels(as_dave, activity):
    page = as_dave.get(reverse("oversight:audit_log")).content.decode()
    assert "联系电话：138****1234 → 139****1111" in page
    assert "李秀梅" in page and "张建军" in page and "127.0.0.1" in page


def test_related_records_are_shown_by_name(as_carol, resident_a):
    page = as_carol.get(
        reverse("oversight:audit_log"), {"record_type": "registry.resident"}
    ).content
    assert "户：户号 140830100001" in page.decode()
    assert "医保站：古魏镇医保站" in page.decode()


@pytest.mark.parametrize("by", ["station", "user", "action", "record_type"])
def test_filters(as_carol, activity, alice, station_a, by):
    value = {
        "station": station_a.pk,
        "user": alice.pk,
        "action": "update",
        "record_type": "registry.resident",
    }[by]
    page = as_carol.get(reverse("oversight:audit_log"), {by: value}).content.decode()
    assert "139****1111" in page
    if by in ("station", "user"):
        assert "137****2222" not in page


def test_a_date_range_with_nothing_in_it(as_carol, activity):
    page = as_carol.get(
        reverse("oversight:audit_log"), {"start": "2020-01-01", "end": "2020-01-31"}
    )
    assert "没有符合条件的记录" in page.content.decode()


def test_another_countys_log_is_not_shown(as_dave, activity, frank):
    client_for(frank).get(reverse("home"))
    entries = AuditEntry.objects.filter(county=frank.county)
    page = as_dave.get(reverse("oversight:audit_log")).content.decode()
    assert all(f"<td>{e.id}</td>" not in page for e in entries)


def test_the_export_has_the_same_rows_and_no_live_formulas(as_carol, carol, activity):
    AuditEntry.objects.filter(pk=1)  # the chain is append-only; a formula-looking entry:
    from audit.log import append

    append(action=Action.DENIED, user=carol, detail="=1+1 尝试")
    response = as_carol.get(reverse("oversight:audit_export"), {"action": "denied"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "时间", "操作人")
    denied = AuditEntry.objects.filter(action=Action.DENIED, county=carol.county).order_by("-id")
    assert [row[0] for row in rows[1:]] == [entry.id for entry in denied]
    assert "'=1+1 尝试" in [row[10] for row in rows[1:]]
    assert AuditEntry.objects.filter(action=Action.EXPORT, user=carol).exists()


@pytest.mark.parametrize("day", ["9999-12-31", "2026-02-30", "明天"])
def test_an_export_with_a_filter_it_cannot_read_sends_nothing(as_carol, carol, activity, day):
    """Issue 26: the export sent the county's whole log for a filter it could not read, and its
    audit entry recorded a filter never applied."""
    response = as_carol.get(reverse("oversight:audit_export"), {"start": day, "end": day})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("oversight:audit_log"))
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()
    page = as_carol.get(response["Location"]).content.decode()
    assert "筛选条件有误，没有导出" in page
    assert "没有符合条件的记录。" in page  # the page lists nothing for it either


def test_an_export_records_the_filter_it_applied(as_carol, carol, activity):
    as_carol.get(reverse("oversight:audit_export"), {"action": "denied", "start": "2026-01-01"})
    entry = AuditEntry.objects.get(action=Action.EXPORT, user=carol)
    assert entry.detail.startswith("导出审计记录")
    assert "开始日期=2026-01-01" in entry.detail and "操作=拒绝访问" in entry.detail


def test_security_events_are_in_the_trail(client, alice, as_alice, resident_b, filing_b, as_bob):
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    as_alice.get(resident_b.get_absolute_url())  # another station's resident
    as_bob.get(
        reverse("filing:evidence_file", args=[filing_b.pk, "material", filing_b.material.pk])
    )
    as_bob.post(reverse("registry:reveal", args=[resident_b.pk]), {"reason": "核对证件"})
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {Action.LOGIN_FAILED, Action.DENIED, Action.DOWNLOAD, Action.REVEAL} <= actions
    denied = AuditEntry.objects.get(action=Action.DENIED)
    assert denied.user == alice and str(resident_b.pk) in denied.detail


def test_a_reveal_needs_a_reason_and_shows_the_full_number_once(as_bob, resident_b):
    url = reverse("registry:reveal", args=[resident_b.pk])
    as_bob.post(url, {"reason": ""})
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()
    page = as_bob.post(url, {"reason": "核对证件"}).content.decode()
    assert resident_b.id_number in page
    assert resident_b.id_number not in as_bob.get(resident_b.get_absolute_url()).content.decode()


def test_the_chain_check_runs_in_the_worker_and_the_page_shows_its_result(
    as_dave, as_carol, activity, dave
):
    from audit.models import ChainCheck

    url = reverse("oversight:audit_chain")
    assert as_dave.post(url).status_code == 302
    page = as_dave.get(url).content.decode()
    assert "排队中" in page and 'content="5"' in page  # refreshes until the worker is done
    as_carol.post(url)  # a second start while one waits adds none
    assert ChainCheck.objects.count() == 1
    assert run_tasks() == 1
    page = as_dave.get(url).content.decode()
    checked = AuditEntry.objects.filter(county=dave.county).count()
    assert f"完整</span>：已校验 {checked} 条" in page and 'content="5"' not in page

    target = AuditEntry.objects.filter(county=dave.county).order_by("county_seq")[2]
    AuditEntry.objects.filter(pk=target.pk).update(detail="改过")
    as_carol.post(url, {"full": "1"})
    run_tasks()
    page = as_carol.get(url).content.decode()
    assert f"校验失败</span>：本县第 {target.county_seq} 条 — 该条审计记录的内容被修改过" in page


def test_a_county_checks_its_own_chain_only(as_dave, activity, frank):
    """Another county's broken chain is its own auditors' finding, not this county's."""
    from audit.log import append

    append(action=Action.LOGIN, user=frank)
    AuditEntry.objects.filter(county=frank.county).update(detail="改过")
    as_dave.post(reverse("oversight:audit_chain"))
    run_tasks()
    assert "完整</span>" in as_dave.get(reverse("oversight:audit_chain")).content.decode()


def test_a_records_page_shows_its_history_with_the_address(as_carol, activity, resident_a):
    page = as_carol.get(resident_a.get_absolute_url()).content.decode()
    assert "变更记录" in page and "127.0.0.1" in page and "李秀梅" in page


def test_the_county_dashboard(as_carol, resident_a, alice, resident_b, bob):
    import datetime

    from django.utils import timezone

    from filing.models import FilingStatus
    from tests.conftest import make_case, make_filing

    make_case(resident_a, alice)
    make_case(resident_b, bob, created_at=timezone.now() - datetime.timedelta(days=5))
    late = make_filing(
        resident_a,
        alice,
        status=FilingStatus.PENDING,
        submitted_at=timezone.now() - datetime.timedelta(days=20),
    )
    page = as_carol.get(reverse("home")).content.decode()
    assert "近 30 天业务量" in page and "<svg" in page and "县域外补偿（2）" in page
    assert "古魏镇医保站" in page and "风陵渡镇医保站" in page
    assert late.get_absolute_url() in page and "已超时" in page
    assert "5 天" in page  # the case waiting longest, with its age


def test_the_trend_covers_thirty_days_and_counts_todays_work_at_once(
    as_carol, resident_a, alice, resident_b, bob
):
    import datetime

    from django.utils import timezone

    from tests.conftest import make_case

    days_ago = lambda n: timezone.localtime() - datetime.timedelta(days=n)  # noqa: E731
    make_case(resident_a, alice, created_at=days_ago(29))  # the first day shown
    make_case(resident_b, bob, created_at=days_ago(30))  # the day before it: not shown
    assert "县域外补偿（1）" in as_carol.get(reverse("home")).content.decode()
    make_case(resident_b, bob)  # today, after the past days were counted and kept
    assert "县域外补偿（2）" in as_carol.get(reverse("home")).content.decode()


def test_the_log_pages_through_the_countys_entries_while_another_county_writes(
    as_carol, carol, frank
):
    from audit.log import append
    from oversight.audit_views import PAGE

    total = 2 * PAGE + 20
    for n in range(total):
        append(action=Action.DENIED, user=carol, detail=f"本县第{n}条")
        if n % 10 == 0:
            append(action=Action.DENIED, user=frank, detail=f"外县第{n}条")
    shown, before, pages = [], None, 0
    while True:
        query = {"action": "denied", **({"before": before} if before else {})}
        response = as_carol.get(reverse("oversight:audit_log"), query)
        page = response.content.decode()
        assert "外县" not in page
        on_page = [n for n in range(total) if f"本县第{n}条<" in page]
        assert 0 < len(on_page) <= PAGE
        shown += sorted(on_page, reverse=True)
        pages += 1
        before = response.context["next_before"]
        if before is None:
            break
    assert shown == list(reversed(range(total))) and pages == 3


def test_a_check_starts_where_the_last_whole_check_ended_and_a_full_one_from_the_start(
    as_dave, activity, dave, alice
):
    from audit.log import append
    from audit.models import ChainCheck

    url = reverse("oversight:audit_chain")
    as_dave.post(url)
    run_tasks()
    first = ChainCheck.objects.get()
    county = AuditEntry.objects.filter(county=dave.county)
    assert first.ok and first.checked == county.count() == first.last_seq

    append(action=Action.LOGIN, user=alice)
    append(action=Action.LOGIN, user=alice)
    as_dave.post(url)
    run_tasks()
    second = ChainCheck.objects.latest("pk")
    assert second.ok and second.checked == 2 and second.last_seq == first.last_seq + 2

    # An old entry altered: past the last check's end, so only a full check walks it.
    old = county.order_by("county_seq")[1]
    AuditEntry.objects.filter(pk=old.pk).update(detail="改过")
    as_dave.post(url)
    run_tasks()
    assert ChainCheck.objects.latest("pk").ok
    as_dave.post(url, {"full": "1"})
    run_tasks()
    full = ChainCheck.objects.latest("pk")
    assert full.full and full.broken_at == old.county_seq
    page = as_dave.get(url).content.decode()
    assert f"本县第 {old.county_seq} 条 — 该条审计记录的内容被修改过" in page

    # The entry where the last whole check ended, altered: the next check says so.
    end = county.get(county_seq=second.last_seq)
    AuditEntry.objects.filter(pk=end.pk).update(detail="也改过")
    as_dave.post(url)
    run_tasks()
    latest = ChainCheck.objects.latest("pk")
    assert latest.broken_at == second.last_seq and "上次校验时完好的记录" in latest.reason


def test_a_login_is_one_entry_not_an_empty_change_of_the_account(alice):
    """Issue 18: every login added an empty "修改 工作人员" row."""
    from django.test import Client

    before = AuditEntry.objects.count()
    Client().post(reverse("login"), {"username": "alice", "password": "Correct-Horse-42"})
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [entry.action for entry in entries] == [Action.LOGIN]
    alice.refresh_from_db()
    assert alice.last_login is not None


class TestReadable:
    """Issue #18, 9: the log read at 1366 px, in Chinese, without noise, by resident."""

    def test_a_residents_trail_from_the_residents_page(
        self, as_carol, as_dave, resident_a, resident_b, alice, activity
    ):
        make_filing(resident_a, alice)  # written straight: no entry of its own
        page = as_dave.get(resident_a.get_absolute_url()).content.decode()
        link = f"{reverse('oversight:audit_log')}?resident_pk={resident_a.pk}"
        assert link in page
        log = as_carol.get(link).content.decode()
        assert f"只显示参保人<strong>{resident_a.name}</strong>" in log
        assert "139****1111" in log  # resident_a's phone change
        assert "137****2222" not in log  # resident_b's

    def test_by_name_and_never_by_number_in_the_address(self, as_carol, resident_a, activity):
        url = reverse("oversight:audit_log")
        log = as_carol.get(url, {"resident": resident_a.name[:2]}).content.decode()
        assert "139****1111" in log and "137****2222" not in log
        log = as_carol.get(url, {"resident": "140830"}).content.decode()
        assert "请按姓名查找" in log and "没有符合条件的记录" in log

    def test_another_countys_resident_is_never_shown(self, as_carol, activity, frank):
        from tests.conftest import make_id

        other = Resident.objects.create(
            station=frank.station, id_number=make_id("14090119500101001"), name="王芳"
        )
        log = as_carol.get(reverse("oversight:audit_log"), {"resident_pk": other.pk})
        assert "没有符合条件的记录" in log.content.decode()

    def test_no_storage_path_no_english_and_no_bookkeeping(self, as_carol, filing_b):
        log = as_carol.get(reverse("oversight:audit_log")).content.decode()
        assert "filing/20" not in log and "content type" not in log
        assert "已上传（PDF）" in log
        assert "超级用户状态" not in log and "工作人员状态" not in log


def _actions(client, **query) -> set[str]:
    page = client.get(reverse("oversight:audit_log"), query).content.decode()
    return {
        label for value, label in Action.choices if f'<td class="audit-action">{label}</td>' in page
    }


def test_sign_ins_have_their_own_filter(as_carol, as_dave, activity):
    """Issue 30: a third of a county's log is logins; a supervisor reading who changed what
    sees them when asked, an auditor's security view always."""
    assert "登录" not in _actions(as_carol) and "修改" in _actions(as_carol)
    assert "未显示" in as_carol.get(reverse("oversight:audit_log")).content.decode()
    assert "登录" in _actions(as_carol, signins="all")
    assert _actions(as_carol, signins="only") == {"登录"}
    assert {"登录", "修改"} <= _actions(as_dave)


def test_one_residents_trail_is_shown_unfolded(as_carol, resident_a, alice):
    entry = AuditEntry.objects.filter(record_type="registry.resident", record_id=str(resident_a.pk))
    assert len(entry.first().changes) > 4  # its creation: name, ID, phone, address, …
    url = reverse("oversight:audit_log")
    assert "项内容</summary>" in as_carol.get(url).content.decode()
    page = as_carol.get(url, {"resident_pk": resident_a.pk}).content.decode()
    assert "项内容</summary>" not in page and "姓名：薛建国" in page


def test_a_reveal_shows_which_number_became_which(as_carol, as_alice, activity, resident_a):
    """The resident page's audited reveal (with its reason) shows the full old and new numbers
    of a changed phone in its history; the page without it, masked."""
    page = as_carol.get(resident_a.get_absolute_url()).content.decode()
    assert "联系电话：138****1234 → 139****1111" in page
    revealed = as_carol.post(
        reverse("registry:reveal", args=[resident_a.pk]), {"reason": "核对变更"}
    ).content.decode()
    assert "联系电话：13835901234 → 13900001111" in revealed
    reveal = AuditEntry.objects.filter(action=Action.REVEAL).latest("id")
    assert "含变更记录中的新旧号码" in reveal.detail and "核对变更" in reveal.detail


def test_every_value_of_the_log_is_masked_whatever_its_length():
    """What the log shows of a change (the template engine does not write its rows): a phone
    field's value is masked however short (a 10-character landline), an ID or mobile number
    quoted in free text too; markup is left to the row's escaping (test_markup_from_data)."""
    from audit.history import masked

    shown = masked(
        [
            ["联系电话", "0351234567", "0359-6012345"],
            ["身份证号码", "", "140830195603151234"],
            ["退回原因", "", "请拨打13812345678联系"],
            ["姓名", "王<b>芳", "王芳"],
        ]
    )
    assert shown[0] == ["联系电话", "035***4567", "035*****2345"]
    assert shown[1][2] == "140830********1234"
    assert shown[2][2] == "请拨打138****5678联系"
    assert shown[3] == ["姓名", "王<b>芳", "王芳"]  # masked, not yet escaped


def test_the_station_and_staff_filters_offer_the_countys_own_by_name(
    as_carol, carol, alice, station_a, frank
):
    page = as_carol.get(reverse("oversight:audit_log")).content.decode()
    assert f'<option value="{station_a.pk}">古魏镇医保站</option>' in page
    assert f'<option value="{alice.pk}">李秀梅</option>' in page
    assert f'<option value="{frank.pk}">' not in page
    refused = as_carol.get(reverse("oversight:audit_log"), {"user": frank.pk}).content.decode()
    assert "选择一个有效的选项" in refused and "没有符合条件的记录" in refused


def test_a_row_names_its_user_and_station_or_the_login_name_of_a_user_of_no_county(
    as_carol, alice, station_a, county
):
    """The rows name their user and station from the filter's choices (the county's): a
    user who belongs to no county (a server's account) is shown by the login name the entry
    keeps."""
    from accounts.models import Role, User
    from audit.log import append

    append(action=Action.DENIED, user=alice, detail="本站的一条")
    server = User.objects.create(username="ops-root", full_name="运维", role=Role.ADMINISTRATOR)
    append(action=Action.DENIED, user=server, detail="服务器账号的一条", county_id=county.pk)
    page = as_carol.get(reverse("oversight:audit_log"), {"action": "denied"}).content.decode()
    assert '<td class="text-nowrap">李秀梅</td><td>' in page
    assert '<td class="text-nowrap">古魏镇医保站</td>' in page
    assert '<td class="text-nowrap">ops-root</td>' in page
