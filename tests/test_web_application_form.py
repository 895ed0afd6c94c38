"""The static 申报信息 form (``web/static/application-form.html``): what it writes loads as an application.

Opened straight from the package folder in headless chromium (no server: the page
only builds text in the browser). Skipped without ``/usr/bin/chromium`` or Playwright.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zcmask.rules import load_application, notice_ids

FORM = Path(__file__).resolve().parents[1] / "src" / "zcmask" / "web" / "static" / "application-form.html"
CHROMIUM = Path("/usr/bin/chromium")


def test_the_form_offers_every_bundled_notice():
    text = FORM.read_text(encoding="utf-8")
    assert all(f'value="{n}"' in text for n in notice_ids())


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_form_output_loads_as_application_yaml(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(FORM.as_uri())
            page.select_option("select[name=notice]", "bz-jianzhu-2023")
            page.fill("input[name=姓名]", "赵海峰")
            page.fill("input[name=单位名称]", "巴州安泰建筑工程有限公司")
            page.fill("input[name=单位简称]", "安泰建筑、安泰公司")
            page.select_option("select[name=单位性质]", "民营企业")
            page.fill("input[name=提交日期]", "2023-08-25")
            page.fill("input[name=毕业时间]", "2012年7月")
            page.fill("input[name=职称名称]", "助理工程师")
            page.fill("input[name=取得时间]", "2019.12")
            page.select_option("select[name=考核2021]", "基本合格")
            page.check("input[name=援疆]")
            page.click("#make")
            text = page.input_value("#out")
        finally:
            browser.close()
    p = tmp_path / "application.yaml"
    p.write_text(text, encoding="utf-8")
    a = load_application(p)
    assert a.applicant.name == "赵海峰" and a.applicant.units[0].aliases == ("安泰建筑", "安泰公司")
    assert (a.application.specialty, a.application.level, a.applicant.employer_type) == ("建筑", "中级", "民营企业")
    assert str(a.current_title.obtained) == "2019-12-01" and a.appraisals[2021] == "基本合格"
    assert a.flags.yuanjiang and not a.flags.fanghuiju
