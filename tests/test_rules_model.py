"""application.yaml and notice rule files: validation, errors, sorting names, and signature/QR reading."""

from __future__ import annotations

import numpy as np
import pytest

from zcmask.exceptions import BadArgsError, ExitCode, InvalidConfigError
from zcmask.results import Char, TextLine
from zcmask.rules import CATEGORIES, load_application, load_notice, notice_ids
from zcmask.rules._collect import classify_name, classify_text, detect_qr, find_signature

GOOD = """\
applicant:
  name: 王建国
  units:
    - name: 国网新疆电力有限公司巴州供电公司
      aliases: [巴州供电公司]
  employer_type: 国有企业
application:
  series: 工程系列
  specialty: 电力
  level: 中级
  route: 评审
  submitted: 2024-09-20
education:
  - {degree: 本科, graduated: 2012-07-01, full_time: true}
current_title: {name: 助理工程师, obtained: 2019-12-01, region: 新疆}
appraisals: {2021: 合格, 2022: 优秀, 2023: 合格}
attachments:
  身份证: [id_front.jpg]
"""


def test_contract_example_loads(tmp_path):
    p = tmp_path / "application.yaml"
    p.write_text(GOOD, encoding="utf-8")
    a = load_application(p)
    assert a.identity.unit_names == ["国网新疆电力有限公司巴州供电公司", "巴州供电公司"]
    assert a.appraisals == {2021: "合格", 2022: "优秀", 2023: "合格"}
    assert a.current_title is not None and a.current_title.region == "新疆"
    assert a.applicant.status == "在职" and a.flags.fanghuiju is False
    assert a.attachments == {"身份证": ("id_front.jpg",)}


def test_common_spellings_are_folded(tmp_path):
    p = tmp_path / "application.yaml"
    p.write_text(GOOD.replace("level: 中级", "level: 正高").replace("route: 评审", "route: 初次确定")
                 .replace("employer_type: 国有企业", "employer_type: 私营企业")
                 .replace("degree: 本科", "degree: 专科"), encoding="utf-8")
    a = load_application(p)
    assert (a.application.level, a.application.route, a.education[0].degree) == ("正高级", "初定", "大专")
    assert a.applicant.employer_type == "民营企业"


@pytest.mark.parametrize("bad", [
    "applicant: [1, 2\n",                                   # not YAML
    "- just a list\n",                                      # not a mapping
    GOOD.replace("level: 中级", "level: 特级"),             # unknown level
    GOOD.replace("name: 王建国", "name: ''"),               # blank name
    GOOD.replace("身份证: [id_front.jpg]", "户口本: [a.jpg]"),  # unknown category
    GOOD.replace("submitted: 2024-09-20", "submitted: 去年"),  # not a date
])
def test_bad_application_yaml_is_an_invalid_config_error(tmp_path, bad):
    p = tmp_path / "application.yaml"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(InvalidConfigError) as e:
        load_application(p)
    assert e.value.exit_code == ExitCode.invalid_config == 6
    assert "application.yaml" in e.value.message


def test_missing_application_yaml_says_where_to_look(tmp_path):
    with pytest.raises(InvalidConfigError, match="zcmask template application"):
        load_application(tmp_path / "application.yaml")


def test_the_five_notices_are_bundled():
    assert notice_ids() == ["bz-dianli-2024", "bz-jianzhu-2023", "bz-shuili-2021", "xj-zhenggao-2024",
                            "yuli-chuding-2024"]
    assert load_notice("bz-shuili-2021").blind_review is False
    assert load_notice("yuli-chuding-2024").blind_review is False
    assert all(load_notice(n).blind_review for n in ("bz-dianli-2024", "bz-jianzhu-2023", "xj-zhenggao-2024"))


def test_unknown_notice_is_a_usage_error():
    with pytest.raises(BadArgsError) as e:
        load_notice("bz-dianli-2099")
    assert e.value.exit_code == ExitCode.bad_args and "bz-dianli-2024" in e.value.message


def test_broken_rule_file_is_an_invalid_config_error(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("id: x\ntitle: x\nyear: 2024\nblind_review: maybe\nwindow: {}\nrules: []\n", encoding="utf-8")
    with pytest.raises(InvalidConfigError):
        load_notice(p)


@pytest.mark.parametrize(("name", "cat"), [
    ("公示结果", "公示结果"), ("03_公示", "公示"), ("年度考核表", "年度考核表"), ("学信网", "学信网备案表"),
    ("继续教育证书", "继续教育证书"), ("随便", None)])
def test_folder_names_pick_the_longest_category(name, cat):
    assert classify_name(name) == cat


@pytest.mark.parametrize(("text", "cat"), [
    ("推荐单位公示结果\n×××同志申报材料于…公示无异议", "公示结果"),
    ("推荐单位公示\n公示时间从2024年9月2日起", "公示"),
    ("教育部学历证书电子注册备案表\n学历证书编号", "学信网备案表"),
    ("自治区“访惠聚”驻村等专业技术人员职称评审免除继续教育学习申请表", "免试审批表"),
    ("专业技术人员继续教育培训合格证书\n2022年度公需科目", "继续教育证书"),
    ("个人承诺书\n本人承诺以上填报内容", "承诺书"),
    ("社会保险个人缴费汇总单", "社保缴费"),
    ("一段普通的文字", "其他"),
])
def test_text_sorting_keywords(text, cat):
    assert classify_text(text)[0] == cat
    assert cat in CATEGORIES


def _line(text: str, x0: float, y0: float, h: float = 20.0) -> TextLine:
    chars = tuple(Char(c, (x0 + i * h, y0, x0 + (i + 1) * h, y0 + h)) for i, c in enumerate(text))
    return TextLine(text, (x0, y0, x0 + len(text) * h, y0 + h), 1.0, chars)


def test_signature_ink_after_the_label_is_a_signature():
    img = np.full((400, 800, 3), 255, np.uint8)
    lines = [_line("签字：", 300, 200)]
    assert find_signature(img, lines) is False
    img[195:225, 370:470:3] = 20  # pen strokes right of the label
    assert find_signature(img, lines) is True


def test_signature_read_by_ocr_and_other_signers():
    img = np.full((400, 800, 3), 255, np.uint8)
    assert find_signature(img, [_line("签字：王建国", 300, 200)]) is True
    assert find_signature(img, [_line("签字：（单位负责人签字）", 100, 200)]) is None
    assert find_signature(img, [_line("本人承诺以上内容真实", 60, 100)]) is None


def test_a_signature_word_is_no_signature_line():
    img = np.full((400, 800, 3), 255, np.uint8)
    img[195:225, 500:600:3] = 20  # print right of the line
    assert find_signature(img, [_line("依据电子签名法", 300, 200)]) is None
    assert find_signature(img, [_line("电子签名法 签字：", 100, 200)]) is False


def test_qr_code_is_detected_only_where_there_is_one():
    import cv2

    page = np.full((1400, 1000, 3), 255, np.uint8)
    assert detect_qr(page) is False
    q = cv2.QRCodeEncoder.create().encode("https://www.chsi.com.cn/xlcx/bg.do?vcode=TEST")
    q = cv2.resize(np.pad(q, 4, constant_values=255), (200, 200), interpolation=cv2.INTER_NEAREST)
    page[100:300, 700:900] = q[:, :, None]
    assert detect_qr(page) is True
