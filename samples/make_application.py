"""Regenerate ``samples/application/``: a complete, passing 电力 2024 中级 application.

Run from the repository root::

    .venv/bin/python samples/make_application.py

Then validate it::

    zcmask validate samples/application --notice bz-dianli-2024 --report demo-out/validation.json

The applicant, unit and every document are fictional and generated in code
(:mod:`zcsynth.application`); the attachments are drawn already masked, as
the 电力 notice's blind review (五(一)15) requires. The output is deterministic.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

# zcsynth (the synthetic-document generators) lives at the repository root, outside the wheel.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zcsynth.application import SPECS, build_application  # noqa: E402

NOTICE = "bz-dianli-2024"

# application.yaml with comments: every field the validator reads, and what it means.
TEMPLATE = """\
# 申报信息：zcmask validate 读取本文件与同目录下的附件。
# 用法：zcmask validate samples/application --notice bz-dianli-2024 --report 校验报告.json
# 本示例的人名、单位均为虚构。

applicant:
  name: {name}                        # 申报人姓名（盲评通知会检查各附件是否已遮盖）
  aliases: []                         # 姓名的其他写法：曾用名、繁体等
  units:                              # 工作单位全称与简称（每个值都须遮盖）
    - name: {unit}
      aliases: [{unit_alias}]
  employer_type: {employer_type}      # 事业单位 | 国有企业 | 民营企业 | 自由职业 | 社会组织（企业须交社保证明）
  status: 在职                        # 在职 | 退休 | 公务员 | 参公（后三者不得申报）

application:
  series: 工程系列
  specialty: {specialty}                      # 专业，须与通知一致
  level: {level}                         # 初级 | 中级 | 副高级 | 正高级
  route: {route}                         # 评审 | 初定 | 授予
  submitted: {submitted}            # 网上提交日期，须在通知的网上申报时间内

education:                            # 学历，从低到高；初定按最高全日制学历计算年限
  - degree: 本科                      # 中专 | 大专 | 本科 | 硕士 | 博士
    graduated: {graduated}
    full_time: true

current_title:                        # 现任职称（初定不填）
  name: {title}
  obtained: {obtained}
  region: 新疆                        # 新疆 | 外省：决定“任职资格文件/职称证书/评审表”须交几项

appraisals: {{{appraisals}}}   # 年度考核结果：优秀 | 合格 | 基本合格（顺延 1 年）| 不合格（顺延 2 年）

flags:                                # 均可省略，默认 false
  fanghuiju: false                    # 参加“访惠聚”驻村等（免于答辩；可用免试审批表代替继续教育证书）
  yuanjiang: false                    # 援疆
  nanjiang_graduate: false            # 到南疆工作的普通高校毕业生（建筑 2023：可提前 1 年）
  county_or_below: false              # 县及县以下基层单位

# 附件：放在以类别命名的子文件夹中（本示例的做法），或在下面逐一列出；
# 两者都没有的文件按识别出的文字自动归类。类别名见 README 的 validate 一节。
# attachments:
#   身份证: [身份证/身份证正面.jpg, 身份证/身份证反面.jpg]
#   年度考核表: [年度考核表/年度考核表2021.jpg]
"""


def main(argv: list[str]) -> int:
    dest = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "application"
    if dest.exists():
        shutil.rmtree(dest)
    built = build_application(dest, NOTICE)
    s = SPECS[NOTICE]
    text = TEMPLATE.format(
        name=s.name, unit=s.unit, unit_alias=s.unit_alias, employer_type=s.employer_type,
        specialty=s.specialty, level=s.level, route=s.route, submitted=s.submitted.isoformat(),
        graduated=s.graduated.isoformat(), title=s.current_title, obtained=s.title_obtained.isoformat(),
        appraisals=", ".join(f"{y}: 合格" for y in s.appraisal_years))
    (dest / "application.yaml").write_text(text, encoding="utf-8")
    n = sum(1 for p in dest.rglob("*.jpg"))
    size = sum(p.stat().st_size for p in dest.rglob("*.jpg")) / 1024
    print(f"wrote {n} JPG attachments ({size:.0f} KiB) and application.yaml to {built.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
