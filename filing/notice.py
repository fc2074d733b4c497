"""What the resident reads before signing: the 备案告知书 and the commitment of the 个人承诺书.

The national apps show the 备案告知书 before anything is filed (“本人已仔细阅读备案告知书” →
“我已阅读，开始备案”, seeds [000][001][002][003]), and the letter's text before the signature
(“请仔细阅读并查看代办人承诺书内容，确认无误后签字”, [001]). The notice is written here from
the county's rules (filing.models and its Policy), so what the resident reads is what the form
then checks.
"""

from __future__ import annotations

from accounts.models import EmergencyFiling, Policy
from filing.models import (
    Category,
    categories_offered,
    form_required,
    materials_for,
    posting_rule,
)
from filing.models import MaterialKind as Kind


def _materials(category: Category, policy: Policy) -> str:
    needed = materials_for(category, policy)
    names = "或".join(Kind(kind).label for kind in needed)
    if not needed:
        return "无需提供备案材料"
    if form_required(category, policy):
        return f"须提供{names}，不能以个人承诺书代替"
    return f"提供{names}（任一项），或签署个人承诺书"


def notice(policy: Policy) -> list[tuple[str, list[str]]]:
    """备案告知书 for a county: headed sections of sentences."""
    categories = []
    for _, offered in categories_offered(policy):
        for category in offered:
            categories.append(f"{category.label}：{_materials(category, policy)}。")
            if category == Category.POSTED_WORKER:
                categories.append(posting_rule(policy))
    if policy.emergency_filing == EmergencyFiling.NOT_NEEDED:
        categories.append("异地急诊抢救无需备案，按参保地规定结算。")
    if policy.backdating_days:
        start = f"开始日期最多可从申请之日向前追溯 {policy.backdating_days} 天。"
    else:
        start = "开始日期不能早于申请当天。"
    return [
        ("一、备案类别和所需材料", categories),
        (
            "二、备案有效期",
            [
                f"临时外出就医备案有效期 {policy.temporary_validity_months} 个月；"
                f"异地转诊备案有效期 {policy.referral_validity_months} 个月。",
                f"异地长期居住备案有效期不少于 {policy.long_term_min_validity_months} 个月，"
                "也可长期有效。",
                start,
                "急诊抢救或已在异地住院的，可补办备案，开始日期为入院日期。"
                "出院结算前补办、且开始日期不晚于入院日期的，本次住院费用可直接结算；"
                "已出院并自费结算的，按参保地规定申请医保手工报销。",
            ],
        ),
        (
            "三、取消备案",
            [
                "临时外出就医备案可随时取消。",
                f"异地长期居住备案自开始之日起 {policy.long_term_cancel_after_months} 个月内"
                "不能取消。",
            ],
        ),
        (
            "四、个人承诺",
            [
                "以个人承诺书代替备案材料的，须对所填信息的真实性负责。如有虚假承诺，"
                "须退回已享受的医保待遇，接受信息公示及信用记录，并承担由此产生的法律责任。",
                "个人承诺书由医保经办机构存档，两年内不得销毁。",
            ],
        ),
    ]


def commitment(*, resident_name: str, by_agent: bool) -> str:
    """需承诺的事项 of the 个人承诺书 [002]; an agent signs with the agent's own name [000][001],
    so the agent commits in the agent's own words (山西's 代办人承诺书, [001])."""
    if by_agent:
        return (
            f"本人受参保人{resident_name}委托，代为申请办理异地就医备案。参保人确因工作或居住需要"
            "前往异地，但因无法即时提供异地就医备案所需材料，现以本人及参保人的个人信用为担保，"
            "申请办理异地就医备案。本人已阅读并理解《备案告知书》所述内容，并已告知参保人，"
            "承诺以上所填信息真实、准确、完整，自愿遵守相关规定。如有虚假承诺，本人及参保人愿意"
            "退回已享受的医保待遇，接受信息公示及信用记录，并承担由此产生的法律责任。"
        )
    return (
        "本人确因工作或居住需要前往异地，但因无法即时提供异地就医备案所需材料，现以个人信用为"
        "担保，申请办理异地就医备案。本人已阅读并理解《备案告知书》所述内容，承诺以上所填信息"
        "真实、准确、完整，自愿遵守相关规定。如有虚假承诺，本人愿意退回已享受的医保待遇，"
        "接受信息公示及信用记录，并承担由此产生的法律责任。"
    )
