"""Guidance from the seed: submission steps, FAQ, hotlines, carrier change, dispute notes, tips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evidence_desk.core.guidance import PREPARED, Guidance, load_guidance
from evidence_desk.core.rules import RulesError
from evidence_desk.core.states import LOGISTICS_FLOW

GUIDANCE = Path(__file__).resolve().parents[2] / "resources" / "guidance"

# Every number in the seed's 阿里巴巴国际站电话 list, with the service as the seed names it.
SEED_HOTLINES = [
    ("阿里金融服务热线", "95188-2", ""),
    ("阿里巴巴国际站", "400-600-2688", ""),
    ("1688采购批发热线", "400-800-1688", ""),
    ("淘宝商家热线", "0571-88157858", ""),
    ("支付宝热线", "95188", ""),
    ("网销宝服务", "400-800-1688", "按6号键"),
    ("域名备案", "95187", ""),
]
SEED_SELF_SERVICE = ["续费诚信通", "自助办理诚信通", "取消手机验证", "取回密码", "注销账号",
                     "解绑支付宝"]


@pytest.fixture(scope="module")
def guidance() -> Guidance:
    return load_guidance(GUIDANCE)


def test_submission_steps_follow_the_seed(guidance: Guidance) -> None:
    assert [s.zh for s in guidance.steps] == [
        "登录阿里国际站", "进入“我的阿里”", "进入订单详情", "点击“投诉买家”", "选择投诉类型",
        "填写投诉理由并附上证据", "提交投诉",
    ]
    prepared = {s.key: s.prepared for s in guidance.steps}
    assert prepared["order_detail"] == ("order_no",)
    assert prepared["choose_type"] == ("type",)
    assert prepared["reason_and_evidence"] == ("statement_en", "pack")
    assert prepared["log_in"] == () and prepared["submit"] == ()
    for s in guidance.steps:
        assert s.label("en") and s.label("zh") and s.detail("en") and s.detail("zh")
        assert set(s.prepared) <= set(PREPARED)
    assert "投诉买家" in guidance.steps[3].label("en")


def test_faq(guidance: Guidance) -> None:
    assert [f.question("zh") for f in guidance.faq] == [
        "投诉后多久会有结果?", "投诉失败怎么办?", "投诉成功后,买家会怎样处理?"]
    assert "1-3个工作日" in guidance.faq[0].answer("zh")
    assert "1-3 working days" in guidance.faq[0].answer("en")
    assert "customer service" in guidance.faq[1].answer("en")
    assert all(f.question("en") and f.answer("en") for f in guidance.faq)


def test_every_hotline_from_the_seed(guidance: Guidance) -> None:
    got = [(h.zh, h.number, h.keys_zh) for h in guidance.hotlines]
    assert got == SEED_HOTLINES
    assert all(h.en and h.en != h.zh for h in guidance.hotlines)
    wxb = next(h for h in guidance.hotlines if h.zh == "网销宝服务")
    assert wxb.dial("zh") == "400-800-1688 按6号键"
    assert wxb.dial("en") == "400-800-1688, press 6"
    assert [h.number for h in guidance.escalation_hotlines()] == ["400-600-2688"]


def test_self_service_items(guidance: Guidance) -> None:
    assert [s.zh for s in guidance.self_service] == SEED_SELF_SERVICE
    assert guidance.self_service_source("zh") == "1688——服务中心"
    assert guidance.self_service[4].how("zh") == "普通会员自助注销账号"
    assert all(s.label("en") and s.how("en") for s in guidance.self_service)


def test_carrier_change_only_before_shipment(guidance: Guidance) -> None:
    cc = guidance.carrier_change
    assert "尚未发货" in cc.rule("zh") and "已发货" in cc.rule("zh")
    assert "not been shipped" in cc.rule("en")
    assert [s.key for s in cc.steps] == [
        "log_in", "my_orders", "find_order", "contact_seller", "modify_order", "confirm",
        "extra_fees"]
    assert "争议解决机制" in cc.note("zh") and "dispute resolution" in cc.note("en")


def test_logistics_dispute_notes(guidance: Guidance) -> None:
    by_key = {n.key: n for n in guidance.dispute_notes}
    assert "形式审查" in by_key["formal_review"].text("zh")
    assert "only formally" in by_key["formal_review"].text("en")
    assert "公安机关报案" in by_key["pauses"].text("zh")
    assert "deposit" in by_key["payout"].text("en")
    assert "终极决定前" in by_key["other_routes"].text("zh")
    assert "until another route gives a final decision" in by_key["other_routes"].text("en")
    assert "付款后、服务验收前" in by_key["refund_window"].text("zh")
    states = {s.key for s in LOGISTICS_FLOW.states}
    for n in guidance.dispute_notes:
        assert set(n.states) <= states
    paused = [n.key for n in guidance.notes_for_state("paused")]
    assert "pauses" in paused and "notices" in paused and "payout" not in paused


def test_tips(guidance: Guidance) -> None:
    assert [t.title("zh") for t in guidance.tips] == ["证据充足", "言辞恳切", "明确诉求",
                                                       "了解买家情况"]
    assert all(t.text("en") and t.text("zh") and t.title("en") for t in guidance.tips)


# Errors name the file and line --------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "guidance"
    shutil.copytree(GUIDANCE, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return next(i for i, s in enumerate(text.splitlines(), 1) if new.strip() in s)


def test_unknown_prepared_value(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    line = _edit(folder / "steps.toml", 'prepared = ["type"]', 'prepared = ["coffee"]')
    with pytest.raises(RulesError,
                       match=rf"steps\.toml, line {line}: step 'choose_type': unknown `prepared`"):
        load_guidance(folder)


def test_bad_hotline_number(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    line = _edit(folder / "hotlines.toml", 'number = "95187"', 'number = "9518七"')
    with pytest.raises(RulesError, match=rf"hotlines\.toml, line {line}: hotline 'domain_filing'"):
        load_guidance(folder)


def test_duplicate_key_and_unknown_state(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "faq.toml", 'key = "complaint_failed"', 'key = "how_long"')
    with pytest.raises(RulesError, match=r"faq\.toml, line \d+: faq 'how_long' is defined twice"):
        load_guidance(folder)
    folder = _copy(tmp_path / "again")
    line = _edit(folder / "logistics_dispute.toml", 'states = ["refund_requested"]',
                 'states = ["refunded"]')
    with pytest.raises(RulesError, match=rf"logistics_dispute\.toml, line {line}: .*'refunded'"):
        load_guidance(folder)


def test_missing_field_and_missing_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "tips.toml", 'title_en = "A clear demand"\n', "")
    with pytest.raises(RulesError, match=r"tips\.toml.*tip 'clear_demand': missing `title_en`"):
        load_guidance(folder)
    (folder / "tips.toml").unlink()
    with pytest.raises(RulesError, match=r"tips\.toml: .*missing"):
        load_guidance(folder)
    with pytest.raises(RulesError, match="guidance folder is missing"):
        load_guidance(tmp_path / "nowhere")
