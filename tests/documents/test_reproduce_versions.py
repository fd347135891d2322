"""Issue 15 §2, both one command, on the demo town of each backend where the cold water
tariff changed between two published rulebook versions:

- ``zhkh recalc --period P --rules-version NEW`` recalculates a closed month with the rules as
  known now: recalculation lines in the open month recording the new version, which it names;
- ``zhkh rules reproduce`` computes a closed month (or an issued document's account) again
  with the version its lines recorded — the rules as known then — and finds them to the
  kopeck, also after the recalculation; a month whose facts were corrected later is reported
  with its differences and the later recalculations that account for them."""

from __future__ import annotations

import shutil

from sqlalchemy import create_engine, text

from zhkh.adapters.db import normalize_url
from zhkh.kernel.rulebook import load_rulebook
from zhkh.rules import RULES_DIR

from .conftest import zhkh


def _rows(url: str, sql: str, **params: object) -> list[tuple]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def test_recalculating_with_the_rules_of_now_and_reproducing_with_the_rules_of_then(
        towns, backend, tmp_path, shipped):
    url = towns.copy(backend)
    old = shipped.rulebook.version
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    assert zhkh("rules", "publish", folder, "--by", "Петрова", url=url).exit_code == 0
    water = folder / "tariffs" / "water.yaml"
    water.write_text(water.read_text(encoding="utf-8").replace('"59.06"', '"61.00"'),
                     encoding="utf-8")
    new = load_rulebook(folder).version
    published = zhkh("rules", "publish", folder, "--by", "Иванов", url=url)
    assert published.exit_code == 0 and new in published.output

    then = zhkh("rules", "reproduce", "--period", "2026-10", url=url)
    assert then.exit_code == 0, then.output
    assert old in then.output and "до копейки" in then.output

    now = zhkh("recalc", "--period", "2026-10", "--rules-version", new,
               "--reason", "тариф 61,00 с 01.10.2026", url=url)
    assert now.exit_code == 0, now.output
    assert f"Правила версии {new}" in now.output
    booked = _rows(url, "SELECT service, period_booked, rulebook_version, amount_kopecks "
                        "FROM ledger_lines WHERE kind = 'recalculation' AND period_for = "
                        "'2026-10' AND service <> 'penalty'")
    assert booked
    assert {(b[1], b[2]) for b in booked} == {("2026-11", new)}
    assert {b[0] for b in booked} <= {"cold_water", "hot_water"}
    assert all(b[3] > 0 for b in booked)  # 59,06 → 61,00 only raises

    again = zhkh("rules", "reproduce", "--period", "2026-10", url=url)
    assert again.exit_code == 0 and "до копейки" in again.output, again.output

    [(house,)] = _rows(url, "SELECT min(id) FROM houses")
    issued = zhkh("documents", "issue", "--period", "2026-10", "--house", house,
                  "--date", "2026-11-03", "--out", tmp_path / "out", "--workers", "1", url=url)
    assert issued.exit_code == 0, issued.output
    [(number, version)] = _rows(url, "SELECT number, rulebook_version FROM issued_documents "
                                     "ORDER BY id LIMIT 1")
    document = zhkh("rules", "reproduce", "--document", number, url=url)
    assert document.exit_code == 0, document.output
    assert number in document.output and version in document.output

    corrected = zhkh("rules", "reproduce", "--period", "2026-09", url=url)
    assert corrected.exit_code == 1, corrected.output
    assert "Расхождения" in corrected.output
    assert "все расхождения равны перерасчётам" in corrected.output


def test_an_unknown_account_is_refused_naming_it(towns, backend):
    url = towns.copy(backend)
    result = zhkh("rules", "reproduce", "--period", "2026-08", "--account", "нет-такого",
                  url=url)
    assert result.exit_code == 2 and "не найден" in result.output
