"""Security and data safety (issue 8): who gets in, for how long, and that nothing is lost."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEntry
from filing.models import Filing, Material
from registry.models import Resident
from reimbursement.models import ReimbursementCase
from security.idempotency import new_token
from tests.conftest import ZHANG_JUAN_ID, client_for

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


class TestLockout:
    def test_the_fifth_failure_locks_the_account(self, client, alice):
        for _ in range(4):
            page = login(client, "alice", "wrong").content.decode()
            assert "用户名或密码不正确" in page
        fifth = login(client, "alice", "wrong")
        assert fifth.status_code == 403 and "该账户已暂时锁定，30 分钟后可再试" in (
            fifth.content.decode()
        )
        sixth = login(client, "alice", PASSWORD)  # even the right password now
        assert sixth.status_code == 403
        assert client.get(reverse("home")).status_code == 302  # not logged in
        assert AuditEntry.objects.filter(action=Action.LOCKED_OUT, username="alice").exists()
        assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED).count() >= 4

    def test_a_lockout_spares_the_pcs_the_name_signed_in_at_and_lasts_thirty_minutes(
        self, alice, monkeypatch
    ):
        """Issue 16: anyone could lock any account, forever, from anywhere. Issue 27, item 12:
        a colleague behind the station's one NAT address could keep alice locked."""
        from axes.models import AccessAttempt

        desk = Client(REMOTE_ADDR="10.0.0.5")  # alice's own PC: she signed in there before
        assert login(desk, "alice", PASSWORD).status_code == 302
        desk.post(reverse("logout"))
        attacker = Client(REMOTE_ADDR="10.0.0.5")  # behind the same NAT address
        for _ in range(5):
            login(attacker, "alice", "wrong")
        assert login(attacker, "alice", PASSWORD).status_code == 403
        # From another address, a PC alice never used is locked out of her name too …
        assert login(Client(REMOTE_ADDR="10.0.0.66"), "alice", PASSWORD).status_code == 403
        # … but alice at her own desk is not.
        assert login(desk, "alice", PASSWORD).status_code == 302
        desk.post(reverse("logout"))
        # 29 minutes later the name is still locked elsewhere; at 30 it is free again.
        AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=29))
        assert login(attacker, "alice", PASSWORD).status_code == 403
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - datetime.timedelta(minutes=30, seconds=1)
        )
        assert login(attacker, "alice", PASSWORD).status_code == 302

    def test_a_guesser_on_one_address_is_stopped_and_the_stations_pcs_are_not(self, alice, bob):
        from security.devices import ADDRESS_FAILURE_LIMIT

        desk = Client(REMOTE_ADDR="10.0.0.5")
        assert login(desk, "alice", PASSWORD).status_code == 302
        desk.post(reverse("logout"))
        guesser = Client(REMOTE_ADDR="10.0.0.5")
        for number in range(ADDRESS_FAILURE_LIMIT):
            login(guesser, f"name{number}", "wrong")
        refused = login(guesser, "bob", "Correct-Horse-42")
        assert refused.status_code == 429
        assert "该网络地址登录失败次数过多" in refused.content.decode()
        assert login(desk, "alice", PASSWORD).status_code == 302  # a known PC of alice

    def test_failed_logins_are_in_the_accounts_county_and_unknown_names_shown_to_all(
        self, alice, frank, as_dave, dave
    ):
        """Issue 16: failed logins were stored without a county, so no auditor saw them."""
        for _ in range(5):
            login(Client(), "alice", "wrong")
        login(Client(), "frank", "wrong")
        login(Client(), "no-such-name", "wrong")
        page = as_dave.get(reverse("oversight:audit_log")).content.decode()
        assert page.count("登录失败") >= 5 and "账户锁定" in page
        assert "frank" not in page and "no-such-name" not in page
        failed = AuditEntry.objects.get(action=Action.LOCKED_OUT)
        assert failed.county == dave.county and failed.station == alice.station
        unknown = as_dave.get(reverse("oversight:audit_log"), {"scope": "unknown_names"})
        text = unknown.content.decode()
        assert "no-such-name" in text and "用户名或密码错误（登录名不存在）" in text
        assert "frank" not in text and "alice" not in text.split("<tbody>")[1]

    def test_the_address_behind_a_trusted_proxy_is_the_clients(self, alice, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.1"]
        forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 192.0.2.7"}
        login(Client(REMOTE_ADDR="10.0.0.1", **forwarded), "alice", PASSWORD)
        login(Client(REMOTE_ADDR="10.0.0.99", **forwarded), "alice", PASSWORD)
        addresses = AuditEntry.objects.filter(action=Action.LOGIN).order_by("county_seq")
        # From the proxy: the client it names (the rightmost address it did not add). From
        # anyone else: the header is the sender's own word, and ignored.
        assert list(addresses.values_list("ip", flat=True)) == ["192.0.2.7", "10.0.0.99"]

    def test_the_answers_do_not_reveal_whether_a_username_exists(self, client, alice):
        existing = [login(Client(), "alice", "wrong") for _ in range(5)]
        unknown = [login(Client(), "nobody", "wrong") for _ in range(5)]
        for mine, theirs in zip(existing, unknown, strict=True):
            assert mine.status_code == theirs.status_code
            assert without_csrf(mine).replace("alice", "nobody") == without_csrf(theirs)

    def test_an_administrator_unlocks_and_it_is_audited(self, client, alice, as_erin, erin):
        for _ in range(5):
            login(client, "alice", "wrong")
        assert "已锁定" in as_erin.get(reverse("administration:staff_list")).content.decode()
        as_erin.post(reverse("administration:unlock", args=[alice.pk]))
        assert AuditEntry.objects.filter(action=Action.UNLOCK, user=erin).exists()
        assert login(Client(), "alice", PASSWORD).status_code == 302


class TestSessions:
    @pytest.fixture
    def clock(self, monkeypatch):
        moment = {"now": datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)}
        monkeypatch.setattr("security.middleware.now", lambda: moment["now"])
        return moment

    def logged_in(self, alice) -> Client:
        client = Client()
        assert login(client, "alice", PASSWORD).status_code == 302
        return client

    def test_thirty_minutes_idle_ends_the_session(self, alice, clock):
        client = self.logged_in(alice)
        assert client.get(reverse("home")).status_code == 200
        clock["now"] += datetime.timedelta(minutes=29)
        assert client.get(reverse("home")).status_code == 200
        clock["now"] += datetime.timedelta(minutes=31)
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert client.get(reverse("home")).status_code == 302

    def test_continuing_says_she_is_still_there(self, alice, clock):
        """继续办理 on the idle warning (static/js/idle.js) counts as activity."""
        client = self.logged_in(alice)
        url = reverse("keep_alive")
        assert client.get(url).status_code == 405
        clock["now"] += datetime.timedelta(minutes=29)
        assert client.post(url).status_code == 204
        clock["now"] += datetime.timedelta(minutes=29)
        assert client.get(reverse("home")).status_code == 200
        clock["now"] += datetime.timedelta(minutes=31)
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_every_page_of_a_signed_in_user_carries_the_idle_limit(self, alice, clock):
        page = self.logged_in(alice).get(reverse("home")).content.decode()
        assert 'data-idle-seconds="1800"' in page and "js/idle.js" in page
        assert "js/idle.js" not in Client().get(reverse("login")).content.decode()

    def test_pages_within_a_minute_do_not_rewrite_the_session(self, alice, clock):
        client = self.logged_in(alice)
        client.get(reverse("home"))
        key = client.session.session_key
        stored = Session.objects.get(session_key=key).session_data
        clock["now"] += datetime.timedelta(seconds=30)
        assert client.get(reverse("home")).status_code == 200
        assert Session.objects.get(session_key=key).session_data == stored
        clock["now"] += datetime.timedelta(seconds=31)  # a minute on: the visit is recorded
        client.get(reverse("home"))
        assert Session.objects.get(session_key=key).session_data != stored
        clock["now"] += datetime.timedelta(minutes=29, seconds=59)
        assert client.get(reverse("home")).status_code == 200

    def test_twelve_hours_after_login_the_session_ends_however_busy(self, alice, clock):
        started = clock["now"]
        client = self.logged_in(alice)
        ended_after = None
        for _ in range(40):  # a request every 20 minutes: never idle
            clock["now"] += datetime.timedelta(minutes=20)
            if client.get(reverse("home")).status_code != 200:
                ended_after = clock["now"] - started
                break
        assert ended_after == datetime.timedelta(hours=12, minutes=20)

    def test_logout_ends_the_session_on_the_server(self, alice):
        client = self.logged_in(alice)
        key = client.session.session_key
        assert Session.objects.filter(session_key=key).exists()
        client.post(reverse("logout"))
        assert not Session.objects.filter(session_key=key).exists()
        assert AuditEntry.objects.filter(action=Action.LOGOUT, user=alice).exists()


class TestHeaders:
    def test_pages_with_personal_data_are_not_cached(self, as_alice, resident_a):
        response = as_alice.get(resident_a.get_absolute_url())
        assert response["Cache-Control"] == "no-store"

    def test_the_content_security_policy_allows_no_inline_script_or_other_origin(self, client):
        policy = client.get(reverse("login"))["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        )
        assert "http" not in policy
        assert client.get(reverse("login"))["X-Frame-Options"] == "DENY"


class TestInitialPassword:
    @staticmethod
    def zhou_signs_in(as_erin, station_a) -> Client:
        """周丽娟, created by the administrator with an initial password, signs in with it."""
        as_erin.post(
            reverse("administration:staff_create"),
            {
                "username": "zhou",
                "full_name": "周丽娟",
                "role": "caseworker",
                "station": station_a.pk,
                "is_active": "on",
                "password": "Initial-Pass-2026",
            },
        )
        client = Client()
        login(client, "zhou", "Initial-Pass-2026")
        return client

    def test_an_account_created_by_an_administrator_must_choose_its_password(
        self, as_erin, station_a
    ):
        client = self.zhou_signs_in(as_erin, station_a)
        assert client.get(reverse("home"))["Location"] == reverse("password_change")
        client.post(
            reverse("password_change"),
            {
                "old_password": "Initial-Pass-2026",
                "new_password1": "Zhou-Own-Secret-77",
                "new_password2": "Zhou-Own-Secret-77",
            },
        )
        assert client.get(reverse("home")).status_code == 200
        assert not User.objects.get(username="zhou").must_change_password

    def test_the_first_password_must_differ_from_the_initial_one(self, as_erin, station_a):
        client = self.zhou_signs_in(as_erin, station_a)
        same = {
            "old_password": "Initial-Pass-2026",
            "new_password1": "Initial-Pass-2026",
            "new_password2": "Initial-Pass-2026",
        }
        page = client.post(reverse("password_change"), same).content.decode()
        assert "新密码不能与当前密码（初始密码）相同。" in page
        assert User.objects.get(username="zhou").must_change_password


class TestNoLostData:
    def test_a_double_posted_form_creates_one_record(self, as_alice):
        data = {
            "id_number": ZHANG_JUAN_ID,
            "name": "张娟",
            "ethnicity": "汉族",
            "insurance_type": "resident",
            "_once": new_token(),
        }
        first = as_alice.post(reverse("registry:resident_create"), data)
        second = as_alice.post(reverse("registry:resident_create"), data)
        assert Resident.objects.count() == 1
        assert second["Location"] == first["Location"]

    def test_a_double_posted_case_creates_one_case(self, as_alice, resident_a):
        data = {
            "id_number": resident_a.id_number,
            "kind": "chronic",
            "hospital": "运城市中心医院",
            "chronic_disease": "糖尿病",
            "total_cost": "300",
            "_once": new_token(),
        }
        as_alice.post(reverse("reimbursement:create"), data)
        as_alice.post(reverse("reimbursement:create"), data)
        assert ReimbursementCase.objects.count() == 1

    @pytest.mark.parametrize("token", [None, "not-a-token", "expired"])
    def test_a_post_without_a_valid_token_is_refused_not_waved_through(
        self, alice, resident_a, token, monkeypatch
    ):
        """Issue 16: two case POSTs without `_once` made two cases."""
        import time

        data = {
            "id_number": resident_a.id_number,
            "kind": "chronic",
            "hospital": "运城市中心医院",
            "chronic_disease": "糖尿病",
            "total_cost": "300",
        }
        if token == "expired":
            issued = time.time() - 25 * 3600
            monkeypatch.setattr("django.core.signing.time.time", lambda: issued)
            data["_once"] = new_token()
            monkeypatch.undo()
        elif token:
            data["_once"] = token
        client = Client()  # no form page: the hidden token is what the test says
        client.force_login(alice)
        url = reverse("reimbursement:create")
        for _ in range(2):
            response = client.post(url, data)
            assert response.status_code == 302 and response["Location"] == url
        assert not ReimbursementCase.objects.exists()
        assert "该表单缺少有效的提交标识（页面可能已过期），没有保存" in (
            client.get(url).content.decode()
        )

    def test_an_edit_without_its_version_is_refused_not_saved_over_a_newer_one(
        self, alice, resident_a, registering_a
    ):
        """Issue 16: an edit without `version` overwrote a newer save."""
        client = Client()
        client.force_login(alice)
        url = reverse("registry:resident_edit", args=[resident_a.pk])
        data = {
            "name": "改过的名字",
            "ethnicity": "汉族",
            "insurance_type": "resident",
            "household_number": "140830100001",
            "relationship_to_head": "head",
            "phone": "13900001111",
            "address": resident_a.address,
        }
        page = client.post(url, data).content.decode()
        assert "该表单缺少版本信息（页面可能已过期），没有保存" in page
        assert 'value="改过的名字"' in page  # what was typed is still there
        resident_a.refresh_from_db()
        assert resident_a.name == "薛建国"

    def test_a_concurrent_edit_shows_both_versions_and_loses_nothing(
        self, alice, resident_a, registering_a
    ):
        url = reverse("registry:resident_edit", args=[resident_a.pk])
        first, second = client_for(alice), client_for(alice)
        form = {
            "name": "薛建国",
            "ethnicity": "汉族",
            "insurance_type": "resident",
            "household_number": "140830100001",
            "relationship_to_head": "head",
            "phone": "13835901234",
            "address": resident_a.address,
            "version": "1",
        }
        first.post(url, {**form, "phone": "13911112222"})
        response = second.post(url, {**form, "address": "芮城县古魏镇新地址5号"})
        page = response.content.decode()
        assert "保存冲突" in page
        assert "139****2222" in page and "13911112222" not in page  # theirs, masked
        assert 'value="芮城县古魏镇新地址5号"' in page  # what this caseworker typed is kept
        resident_a.refresh_from_db()
        assert resident_a.phone == "13911112222" and resident_a.address != "芮城县古魏镇新地址5号"
        # Saving again, knowingly, with the version the conflict page carries.
        second.post(
            url,
            {**form, "phone": "13911112222", "address": "芮城县古魏镇新地址5号", "version": "2"},
        )
        resident_a.refresh_from_db()
        assert resident_a.address == "芮城县古魏镇新地址5号" and resident_a.phone == "13911112222"

    def test_a_failure_at_any_step_leaves_nothing_half_saved(
        self, as_alice, resident_a, monkeypatch
    ):
        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(Material, "save", broken)
        as_alice.raise_request_exception = False
        response = as_alice.post(
            reverse("filing:create", args=[resident_a.pk]),
            {
                "insured_region_code": "140800",
                "care_region_code": "310000",
                "insurance_type": "resident",
                "category": "long_term_resident",
                "start_date": datetime.date.today().isoformat(),
                "contact_name": "薛建国",
                "contact_phone": "13835901234",
                "notice_read": "on",
                "contact_address": "上海",
                "evidence": "materials",
                "sighted": ["residence_permit"],
                "confirmed": "1",
            },
        )
        assert response.status_code == 500
        assert not Filing.objects.exists() and not Filing.history.exists()

    def test_searching_puts_no_personal_data_in_the_url(self, as_alice, resident_a):
        response = as_alice.post(reverse("registry:resident_list"), {"q": "薛建"})
        assert response["Location"] == reverse("registry:resident_list")
        assert "薛建国" in as_alice.get(response["Location"]).content.decode()

    def test_an_id_number_search_is_answered_once_and_kept_nowhere(self, as_alice, resident_a):
        response = as_alice.post(reverse("registry:resident_list"), {"q": resident_a.id_number})
        assert response.status_code == 302  # to the resident's page, by her record's key
        assert resident_a.id_number not in response["Location"]
        assert resident_a.id_number not in str(dict(as_alice.session))
        later = as_alice.get(reverse("registry:resident_list")).content.decode()
        assert "查询结果" not in later and resident_a.id_number not in later
