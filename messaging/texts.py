"""The texts sent to residents, in one place: what each says, worded for a phone's screen.

江苏医保云 [002]: "请认真填写联系人手机号，审核结果将以短信方式通知". Each text names the station
and its phone, so that a resident who has a question knows whom to ask (offline, the resident
asks at the station [004]).
"""

from __future__ import annotations

from django.db import models


class Purpose(models.TextChoices):
    FILING_APPROVED = "filing_approved", "备案审核通过"
    FILING_REJECTED = "filing_rejected", "备案审核不通过"


TEXTS = {
    Purpose.FILING_APPROVED: (
        "【{county}医保】{name}，您{submitted}在{station_name}申请的异地就医备案（就医地：{region}，"
        "{period}）已审核通过，可在就医地的定点医疗机构直接结算。咨询电话：{phone_of_station}。"
    ),
    Purpose.FILING_REJECTED: (
        "【{county}医保】{name}，您{submitted}在{station_name}申请的异地就医备案未通过审核，"
        "原因：{reason}。请带齐材料到{station_name}重新办理。咨询电话：{phone_of_station}。"
    ),
}


def worded(purpose: str, **values: str) -> str:
    return TEXTS[Purpose(purpose)].format(**values)
