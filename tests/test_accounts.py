"""Administrators manage accounts, stations and the county's policy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Policy, Role, Station, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def staff_data(**overrides) -> dict:
    data = {
        "username": "zhou",
        "full_name": "周丽娟",
        "role": Role.CASEWORKER,
        "station": "",
        "is_active": "on",
        "password": "Gu-Wei-Station-2026",
    }
    return {**data, **overrides}


def test_an_administrator_creates_a_caseworker_of_a_station(as_erin, erin, station_a):
    response = as_erin.post(
        reverse("administration:staff_create"), staff_data(station=station_a.pk)
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhou")
    assert user.station == station_a and user.county == erin.county
    assert user.check_password("Gu-Wei-Station-2026")
    assert user.history.get().history_user == erin


def test_a_caseworker_needs_a_station(as_erin):
    page = as_erin.post(reverse("administration:staff_create"), staff_data()).content.decode()
    assert "经办员必须属于一个医保站。" in page
    assert 'value="周丽娟"' in page
    assert not User.objects.filter(username="zhou").exists()


def test_a_weak_password_is_refused(as_erin, station_a):
    data = staff_data(station=station_a.pk, password="123456")
    page = as_erin.post(reverse("administration:staff_create"), data).content.decode()
    assert "密码太短，至少需要 12 个字符。" in page
    data["password"] = "guweistation"
    page = as_erin.post(reverse("administration:staff_create"), data).content.decode()
    assert "至少三类" in page
    assert not User.objects.filter(username="zhou").exists()


def test_a_station_of_another_county_cannot_be_chosen(as_erin, station_x):
    data = staff_data(station=station_x.pk)
    page = as_erin.post(reverse("administration:staff_create"), data).content.decode()
    assert "选择一个有效的选项" in page
    assert not User.objects.filter(username="zhou").exists()


def test_an_administrator_creates_a_station_in_their_county(as_erin, erin):
    data = {
        "name": "陌南镇医保站",
        "township": "陌南镇",
        "address": "陌南镇政府",
        "phone": "0359-3381234",
    }
    as_erin.post(reverse("administration:station_create"), data)
    station = Station.objects.get(name="陌南镇医保站")
    assert station.county == erin.county
    assert station.phone == "03593381234"


def test_an_administrator_changes_the_policy_and_it_is_kept_in_history(as_erin, erin, as_carol):
    policy = Policy.for_county(erin.county)
    assert policy.large_amount_threshold == Decimal("30000.00")
    assert policy.backdating_days == 5
    data = {
        "backdating_days": 0,  # 山西医保 allows no backdating [001]
        "temporary_validity_months": 6,
        "referral_validity_months": 6,
        "long_term_min_validity_months": 12,
        "long_term_cancel_after_months": 6,
        "large_amount_threshold": "30000.00",
        "manual_review_working_days": 3,
        "automatic_review": "on",
        "emergency_filing": "without_materials",
        "emergency_effective_at_once": "on",
        "posting_months": 6,
    }
    assert as_erin.post(reverse("administration:policy"), data).status_code == 302
    policy.refresh_from_db()
    assert policy.backdating_days == 0 and policy.manual_review_working_days == 3
    assert policy.history.latest().history_user == erin
    # The administrator may not read the audit trail; the supervisor reads it.
    assert "变更记录" not in as_erin.get(reverse("administration:policy")).content.decode()
    page = as_carol.get(reverse("administration:policy")).content.decode()
    assert "变更记录" in page and "陈志强" in page
    assert "人工审核时限（工作日）：2 → 3" in page


def test_a_supervisor_cannot_change_the_policy(as_carol, carol):
    policy = Policy.for_county(carol.county)
    as_carol.post(reverse("administration:policy"), {"backdating_days": 0})
    policy.refresh_from_db()
    assert policy.backdating_days == 5


def test_an_out_of_range_policy_value_is_refused(as_erin, erin):
    page = as_erin.post(
        reverse("administration:policy"), {"backdating_days": 99, "large_amount_threshold": "-1"}
    ).content.decode()
    assert "确保该值小于或等于30" in page
    assert Policy.for_county(erin.county).backdating_days == 5


def test_an_administrator_is_sent_to_the_staff_list(erin):
    response = client_for(erin).get(reverse("home"))
    assert response["Location"] == reverse("administration:staff_list")


def test_an_administrator_creates_administrators_of_the_county(as_erin, erin):
    """Issue 16: the form answered 500 for every role but the caseworker's."""
    role = Role.ADMINISTRATOR
    response = as_erin.post(reverse("administration:staff_create"), staff_data(role=role))
    assert response.status_code == 302
    user = User.objects.get(username="zhou")
    assert user.role == role and user.county == erin.county and user.station is None
    assert user.must_change_password


def test_an_administrator_cannot_make_an_auditor(as_erin, alice):
    page = as_erin.post(
        reverse("administration:staff_create"), staff_data(role=Role.AUDITOR)
    ).content.decode()
    assert "选择一个有效的选项" in page and not User.objects.filter(username="zhou").exists()
    form = as_erin.get(reverse("administration:staff_create")).content.decode()
    assert 'value="auditor"' not in form
    # Nor turn a caseworker into one (with a password of their choosing).
    data = staff_data(username="alice", role=Role.AUDITOR, password="Chosen-By-Erin-2026")
    as_erin.post(reverse("administration:staff_edit", args=[alice.pk]), data)
    alice.refresh_from_db()
    assert alice.role == Role.CASEWORKER and not alice.check_password("Chosen-By-Erin-2026")


def test_an_administrator_cannot_change_an_auditor(as_erin, dave):
    url = reverse("administration:staff_edit", args=[dave.pk])
    response = as_erin.post(
        url, staff_data(username="dave", role=Role.CASEWORKER, password="Chosen-By-Erin-2026")
    )
    assert response.status_code == 302
    dave.refresh_from_db()
    assert dave.is_auditor and not dave.check_password("Chosen-By-Erin-2026")
    page = as_erin.get(response["Location"]).content.decode()
    assert "审核员和审计员账户由服务器上的管理命令" in page and "manage.py auditor" in page
    assert url not in page


def test_nobody_changes_their_own_role(as_erin, erin):
    """Issue 16: an administrator made themselves an auditor and read the audit trail."""
    data = staff_data(
        username="erin", full_name="吴敏", role=Role.CASEWORKER, is_active="", password=""
    )
    as_erin.post(reverse("administration:staff_edit", args=[erin.pk]), data)
    erin.refresh_from_db()
    assert erin.is_administrator and erin.is_active and erin.full_name == "吴敏"
    assert as_erin.get(reverse("oversight:audit_log")).status_code == 404  # not for them


def test_auditors_are_managed_on_the_server_and_it_is_audited(county, monkeypatch, capsys):
    import io

    from django.core.management import CommandError, call_command

    from audit.models import AuditEntry

    monkeypatch.setattr("sys.stdin", io.StringIO("Audit-Initial-2026\n"))
    call_command("auditor", "create", "sun", "--county", county.code, "--name", "孙审计")
    sun = User.objects.get(username="sun")
    assert sun.is_auditor and sun.county == county and sun.must_change_password
    assert sun.check_password("Audit-Initial-2026")
    entry = AuditEntry.objects.filter(record_type="accounts.user", record_id=str(sun.pk)).get()
    assert entry.county == county and "服务器管理命令 auditor create" in entry.detail

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="密码太短"):
        call_command("auditor", "password", "sun")
    monkeypatch.setattr("sys.stdin", io.StringIO("Audit-Second-2026\n"))
    call_command("auditor", "password", "sun")
    call_command("auditor", "deactivate", "sun")
    sun.refresh_from_db()
    assert sun.check_password("Audit-Second-2026") and not sun.is_active
    details = AuditEntry.objects.filter(
        record_type="accounts.user", record_id=str(sun.pk)
    ).values_list("detail", flat=True)
    assert [d.split("（")[0] for d in details.order_by("county_seq")] == [
        "服务器管理命令 auditor create",
        "服务器管理命令 auditor password",
        "服务器管理命令 auditor deactivate",
    ]
    with pytest.raises(CommandError, match="没有登录名为 alice 的审计员"):
        call_command("auditor", "password", "alice")


class TestDutiesCannotBeBorrowed:
    """Issue 27, item 3: an administrator reached the audit trail and full numbers through a
    supervisor's account: by creating one with a password he chose, by resetting an existing
    supervisor's password, or by having another administrator make him a supervisor."""

    def test_an_administrator_cannot_create_a_supervisor(self, as_erin):
        data = staff_data(role=Role.SUPERVISOR, password="Chosen-By-Erin-2026")
        page = as_erin.post(reverse("administration:staff_create"), data).content.decode()
        assert "选择一个有效的选项" in page and not User.objects.filter(username="zhou").exists()
        form = as_erin.get(reverse("administration:staff_create")).content.decode()
        assert 'value="supervisor"' not in form and 'value="auditor"' not in form

    def test_an_administrator_cannot_reset_a_supervisors_password(self, as_erin, carol):
        url = reverse("administration:staff_edit", args=[carol.pk])
        data = staff_data(
            username="carol",
            full_name=carol.full_name,
            role=Role.SUPERVISOR,
            password="Chosen-By-Erin-2026",
            version=str(carol.version),
        )
        response = as_erin.post(url, data)
        assert response.status_code == 302
        carol.refresh_from_db()
        assert not carol.check_password("Chosen-By-Erin-2026")
        page = as_erin.get(response["Location"]).content.decode()
        assert "审核员和审计员账户由服务器上的管理命令" in page

    def test_an_administrator_cannot_make_another_a_supervisor(self, as_erin, county):
        from tests.conftest import _user

        other_admin = _user("zhao_admin", "赵建国", Role.ADMINISTRATOR, county)
        data = staff_data(
            username="zhao_admin",
            full_name="赵建国",
            role=Role.SUPERVISOR,
            version=str(other_admin.version),
            password="",
        )
        as_erin.post(reverse("administration:staff_edit", args=[other_admin.pk]), data)
        other_admin.refresh_from_db()
        assert other_admin.role == Role.ADMINISTRATOR

    def test_supervisors_are_made_on_the_server_and_that_is_in_the_trail(self, county, monkeypatch):
        import io

        from django.core.management import call_command

        from audit.models import AuditEntry

        monkeypatch.setattr("sys.stdin", io.StringIO("Server-Chosen-2026-x\n"))
        call_command(
            "supervisor",
            "create",
            "sun_sh",
            "--county",
            county.code,
            "--name",
            "孙丽",
            stdout=io.StringIO(),
        )
        user = User.objects.get(username="sun_sh")
        assert user.role == Role.SUPERVISOR and user.must_change_password
        entry = AuditEntry.objects.filter(record_id=str(user.pk)).latest("id")
        assert "服务器管理命令 supervisor create" in entry.detail

    def test_a_password_reset_reads_as_one_in_the_trail(self, as_erin, alice, erin):
        from audit.models import AuditEntry

        url = reverse("administration:staff_edit", args=[alice.pk])
        data = staff_data(
            username="alice",
            full_name=alice.full_name,
            station=alice.station_id,
            password="Reset-By-Erin-2026",
            version=str(alice.version),
        )
        assert as_erin.post(url, data).status_code == 302
        entry = AuditEntry.objects.filter(record_id=str(alice.pk)).latest("id")
        assert entry.detail == f"{erin.full_name}重置了{alice.full_name}（alice）的密码"
