"""The analytics and rules desks in a real browser: the analyst's charts, table and XLSX; the
methodologist's rules in force, a rule's history and the impact preview of a draft folder;
the refusals of roles that may not see them."""

from __future__ import annotations

import io
import re
import shutil

from zhkh.rules import RULES_DIR


def _kopecks_of_cell(value: float) -> int:
    return round(value * 100)


def test_the_analyst_sees_the_charts_and_downloads_the_table_with_the_same_totals(
        page, sign_in):
    from openpyxl import load_workbook

    sign_in("analyst")
    page.click("nav >> text=Аналитика")
    page.wait_for_url(re.compile(r"/analytics"))
    assert page.locator("h1").inner_text() == "Собираемость и долг"
    assert page.locator("#chart-money svg").count() == 1
    assert page.locator("#chart-debt svg").count() == 1
    months = page.locator("#months tbody tr td:first-child").all_inner_texts()
    assert months[:4] == ["июль 2026", "август 2026", "сентябрь 2026", "октябрь 2026"]
    page.select_option("#by", "provider")
    page.click("text=Показать")
    page.wait_for_url(re.compile(r"by=provider"))
    total = page.locator("#total")
    on_page = [int(total.locator("th").nth(i).get_attribute("data-kopecks"))
               for i in (1, 2, 4)]
    assert on_page[0] > 0
    with page.expect_download() as info:
        page.click("#export")
    download = info.value
    assert download.suggested_filename == "sobiraemost-provider.xlsx"
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    last = list(book["По поставщикам"].iter_rows(values_only=True))[-1]
    assert last[0] == "Итого"
    assert [_kopecks_of_cell(last[i]) for i in (2, 3, 5)] == on_page


def test_a_cashier_and_a_methodologist_are_refused_analytics(client):
    for role in ("cashier", "methodologist"):
        client.http.cookies.clear()
        assert client.sign_in(role).status_code == 303
        answer = client.http.get("/analytics")
        assert answer.status_code == 403
        assert "недоступна для вашей роли" in answer.text
        assert client.http.get("/analytics/collection.xlsx").status_code == 403


def test_the_methodologist_sees_the_rules_in_force_and_a_rules_history(page, sign_in):
    sign_in("methodologist")
    page.click("nav >> text=Правила")
    page.fill("#date", "2026-09-30")
    page.fill("#q", "cold_water.vodokanal")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=cold_water.vodokanal"))
    row = page.locator("#rules tbody tr").first
    assert "53,74" in row.inner_text()  # in force until 30.09.2026
    page.click("#rules >> text=cold_water.vodokanal")
    page.wait_for_url(re.compile(r"/rules/rule/cold_water.vodokanal"))
    assert page.locator("#source").inner_text().startswith("Иллюстративно")
    steps = page.locator("#history-values tbody tr").all_inner_texts()
    assert len(steps) == 4
    assert "01.10.2026" in steps[-1] and "59,06" in steps[-1] and "по настоящее время" in steps[-1]


def test_the_impact_of_a_draft_is_computed_in_the_background_with_progress(
        page, sign_in, site):
    draft = site.drafts / "тариф-содержания"
    shutil.copytree(RULES_DIR, draft, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    housing = draft / "tariffs" / "housing.yaml"
    housing.write_text(housing.read_text(encoding="utf-8").replace('"35.20"', '"36.20"'),
                       encoding="utf-8")
    sign_in("methodologist")
    page.goto("/rules/preview")
    page.select_option("#folder", "тариф-содержания")
    page.fill("#period", "2026-10")
    page.click("text=Сравнить")
    page.wait_for_url(re.compile(r"/rules/preview/[\w-]+$"))
    page.wait_for_selector("#job[data-state=done]", state="attached", timeout=120_000)
    table = page.locator("#diff").inner_text()
    assert "Содержание жилого помещения" in table
    assert page.locator("#examples tbody tr").count() > 0


def test_the_preview_reads_only_the_drafts_folder(client, site):
    """A folder of the user's choosing elsewhere on the server — a path, a way up out of the
    drafts folder, a name not there — is refused before anything is read."""
    (site.drafts / "черновик").mkdir(exist_ok=True)
    assert client.sign_in("methodologist").status_code == 303
    form = client.http.get("/rules/preview").text
    assert "<option>черновик</option>" in form
    for folder in (str(RULES_DIR), "../", "..", "/etc", "нет-такого"):
        token = client.csrf("/rules/preview")
        answer = client.http.post("/rules/preview", data={
            "folder": folder, "period": "2026-10", "csrf_token": token})
        assert answer.status_code == 422, folder
        assert "нет в папке черновиков" in answer.text
    client.http.cookies.clear()
    assert client.sign_in("analyst").status_code == 303
    assert client.http.get("/rules").status_code == 200  # the analyst reads the rules
    assert client.http.get("/rules/preview").status_code == 403  # but runs no calculation
