"""The result reaches the resident (issue 29, item 4): 审核结果将以短信方式通知 [002]. A
supervisor's decision queues a text to the contact phone; the worker sends it through the
backend the settings name, retrying with back-off; without a gateway, or for a landline, or
after the last refusal, the station's caseworker calls instead (待电话通知). Every text and
every number shown is in the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Policy
from audit.models import Action, AuditEntry
from filing.models import FilingStatus
from messaging import services
from messaging.models import LOST_AFTER, RETRY_AFTER, TextMessage, TextStatus
from tests import fake_gateway
from tests.conftest import make_filing, run_tasks
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db

GATEWAY = "tests.fake_gateway.FakeGateway"


@pytest.fixture(autouse=True)
def quiet_gateway():
    fake_gateway.reset()
    yield
    fake_gateway.reset()


@pytest.fixture
def manual_county(county):
    policy = Policy.for_county(county)
    policy.automatic_review = False
    policy.save()
    return county


@pytest.fixture
def pending_a(manual_county, resident_a, alice):
    return make_filing(resident_a, alice, status=FilingStatus.PENDING, review="manual")


def decide(client, filing, **post) -> None:
    response = client.post(reverse("filing:review", args=[filing.pk]), post)
    assert response.status_code == 302


def test_without_a_gateway_the_approval_is_listed_for_the_caseworker_to_call(
    pending_a, as_carol, as_alice, as_bob, resident_a
):
    decide(as_carol, pending_a, decision="approve")
    text = TextMessage.objects.get()
    assert text.status == TextStatus.QUEUED and text.phone == "13835901234"
    assert text.body == (
        f"【芮城县医保】{resident_a.name}，您{timezone.localtime(pending_a.submitted_at):%-m月%-d日}"
        "在古魏镇医保站申请的异地就医备案（就医地：上海市，2026-11-22 至 2027-05-21）已审核通过，"
        "可在就医地的定点医疗机构直接结算。咨询电话：0359-3021120。"
    )
    assert run_tasks() == 1
    text.refresh_from_db()
    assert text.status == TextStatus.TO_CALL and text.last_error == services.NO_GATEWAY

    home = as_alice.get(reverse("home")).content.decode()
    assert "待电话通知" in home and f"{resident_a.name}</a>：备案审核通过" in home
    assert resident_a.name not in as_bob.get(reverse("home")).content.decode()

    outbox = as_alice.get(reverse("messaging:outbox")).content.decode()
    assert "138****1234" in outbox and "13835901234" not in outbox
    assert resident_a.name not in as_bob.get(reverse("messaging:outbox")).content.decode()

    shown = as_alice.post(reverse("messaging:call", args=[text.pk])).content.decode()
    assert "13835901234" in shown and "已审核通过" in shown
    reveal = AuditEntry.objects.filter(action=Action.REVEAL, record_id=str(text.pk)).get()
    assert "138****1234" in reveal.detail and "13835901234" not in reveal.detail

    response = as_alice.post(reverse("messaging:called", args=[text.pk]))
    assert response.status_code == 302
    text.refresh_from_db()
    assert text.status == TextStatus.CALLED and text.called_by.username == "alice"
    assert "没有待电话通知的参保人" in as_alice.get(reverse("home")).content.decode()
    # The text's life is in the trail: queued, not sent, called.
    assert AuditEntry.objects.filter(record_type="messaging.textmessage").count() == 4


def test_a_gateway_receives_the_rejection_with_its_reason(
    settings, pending_a, as_carol, resident_a
):
    settings.SMS_BACKEND = GATEWAY
    decide(as_carol, pending_a, decision="reject", common_reason="请提供异地居住证")
    run_tasks()
    text = TextMessage.objects.get()
    assert text.status == TextStatus.SENT and text.attempts == 1
    [message] = fake_gateway.sent
    assert message.recipients == ["13835901234"]
    assert "未通过审核，原因：请提供异地居住证。请带齐材料到古魏镇医保站重新办理" in message.body
    assert services.send(text.pk) is None and len(fake_gateway.sent) == 1  # sent once


def test_a_refusing_gateway_is_asked_again_after_each_wait_then_the_station_calls(
    settings, pending_a, carol
):
    settings.SMS_BACKEND = GATEWAY
    from filing import services as filing_services

    fake_gateway.refusals["left"] = len(RETRY_AFTER) + 1
    filing_services.approve(pending_a, carol)
    text = TextMessage.objects.get()
    now = text.next_attempt_at
    for attempt, wait in enumerate(RETRY_AFTER, start=1):
        services.send(text.pk, now=now)
        text.refresh_from_db()
        assert (text.status, text.attempts) == (TextStatus.QUEUED, attempt)
        assert text.next_attempt_at == now + wait
        assert f"第{attempt}次发送未成功" in text.last_error
        assert "13835901234" not in text.last_error  # the gateway's words, masked
        # Not before its wait is over: a second task for it sends nothing.
        assert services.send(text.pk, now=now + wait - datetime.timedelta(seconds=1)) is None
        assert services.queue_due(now + wait - datetime.timedelta(seconds=1)) == 0
        now += wait
        assert services.queue_due(now) == 1
    services.send(text.pk, now=now)
    text.refresh_from_db()
    assert text.status == TextStatus.TO_CALL and text.attempts == len(RETRY_AFTER) + 1
    assert "短信发送5次均未成功" in text.last_error and "请电话告知参保人" in text.last_error
    assert fake_gateway.sent == []


def test_a_gateway_back_after_one_refusal_delivers_on_the_retry(settings, pending_a, carol):
    settings.SMS_BACKEND = GATEWAY
    from filing import services as filing_services

    fake_gateway.refusals["left"] = 1
    filing_services.reject(pending_a, carol, "请提供异地居住证")
    run_tasks()
    text = TextMessage.objects.get()
    assert text.status == TextStatus.QUEUED and text.attempts == 1
    later = text.next_attempt_at
    assert services.queue_due(later) == 1
    # The worker runs the retry once it is due (run here with the due time).
    services.send(text.pk, now=later)
    text.refresh_from_db()
    assert text.status == TextStatus.SENT and text.attempts == 2 and text.last_error == ""
    assert len(fake_gateway.sent) == 1


def test_a_first_attempt_whose_task_was_lost_is_queued_again(settings, pending_a, carol):
    from filing import services as filing_services

    filing_services.approve(pending_a, carol)
    text = TextMessage.objects.get()
    queued_at = text.next_attempt_at
    assert services.queue_due(queued_at + LOST_AFTER - datetime.timedelta(seconds=1)) == 0
    assert services.queue_due(queued_at + LOST_AFTER) == 1
    assert run_tasks() == 2  # the first task and the sweep's: the text is handled once
    text.refresh_from_db()
    assert text.status == TextStatus.TO_CALL


def test_a_landline_is_called_at_once(settings, manual_county, resident_a, alice, carol):
    settings.SMS_BACKEND = GATEWAY
    from filing import services as filing_services

    filing = make_filing(
        resident_a, alice, status=FilingStatus.PENDING, contact_phone="0359-3021234"
    )
    filing_services.approve(filing, carol)
    text = TextMessage.objects.get()
    assert text.status == TextStatus.TO_CALL and text.last_error == services.LANDLINE
    assert run_tasks() == 0 and fake_gateway.sent == []


def test_an_automatic_approval_at_the_counter_sends_nothing(as_alice, resident_a, alice):
    """The resident is at the counter when a filing takes effect at once: nothing to send."""
    make_filing(resident_a, alice)
    assert not TextMessage.objects.exists()


def test_only_the_stations_caseworker_records_a_call(text_to_call_b, carol, alice, bob):
    from django.core.exceptions import ValidationError

    for user in (carol, alice):
        with pytest.raises(ValidationError):
            services.record_call(text_to_call_b, user)
    services.record_call(text_to_call_b, bob)
    with pytest.raises(ValidationError, match="不在待电话通知之列"):
        services.record_call(text_to_call_b, bob)


def test_the_filing_form_says_when_and_how_the_result_comes(pending_a, as_alice):
    """2 working days from Thursday 2026-12-03 is Monday 2026-12-07 [002]; the form is signed
    by the resident, so it carries the full number the text goes to."""
    pending_a.submitted_at = datetime.datetime(2026, 12, 3, 9, 30, tzinfo=datetime.UTC)
    pending_a.save()
    url = reverse("filing:filing_form", args=[pending_a.pk])
    text = pdf_text(as_alice.get(url, {"format": "pdf"}).content)
    assert "审核结果将于2026年12月7日前以短信发送至联系电话13835901234" in text
    assert "也可到古魏镇医保站查询（电话：0359-3021120）" in text
