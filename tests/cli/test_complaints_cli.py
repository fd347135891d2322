"""``zhkh complaints list|show|new|move`` on SQLite: the same desk service as the API, so a
complaint is registered, moved, audited and (confirmed) records its incident; refusals are
Russian with the exit codes of the other commands."""

from __future__ import annotations

import csv
import io
import json


def _new(town, *extra):
    return town.run("complaints", "new", "--account", town.accounts[0], "--service",
                    "heating", "--kind", "interruption", "--started", "05.10.2026 08:00",
                    "--text", "нет отопления с утра", "--caller", "Иванов И. И.", "--phone",
                    "+7 900 000-00-00", "--actor", "диспетчер Петрова", *extra)


def test_a_complaint_is_registered_moved_to_confirmed_and_shown_with_its_history(sqlite_town):
    town = sqlite_town
    made = _new(town)
    assert made.exit_code == 0, made.output
    assert "Зарегистрировано обращение №1 (новое), срок шага" in made.output
    for step in ("accepted", "на проверке"):  # a code or the Russian title
        town.ok("complaints", "move", "1", "--to", step, "--actor", "диспетчер Петрова")
    confirmed = town.ok("complaints", "move", "1", "--to", "confirmed", "--ended",
                        "2026-10-05 20:00", "--comment", "акт №5")
    assert "Обращение №1: подтверждено" in confirmed.output
    assert "Внесён инцидент №1" in confirmed.output
    assert town.scalar("select reference from quality_incidents") == "обращение №1"
    assert town.scalar("select count(*) from audit_log where action = "
                       "'complaint.transition' and actor = 'диспетчер Петрова'") == 2
    shown = town.ok("complaints", "show", "1").output
    assert "Обращение №1 — подтверждено" in shown
    assert "Иванов И. И., +7 900 000-00-00" in shown
    assert "Услуга: Отопление (heating)" in shown
    assert "Нарушение: перерыв в предоставлении" in shown and "Инцидент: №1" in shown
    assert "на проверке → подтверждено" in shown and "акт №5" in shown
    assert "Следующий шаг: closed (закрыто)" in shown


def test_complaints_are_listed_as_table_csv_and_json_filtered_by_status(sqlite_town):
    town = sqlite_town
    assert _new(town).exit_code == 0
    assert _new(town).exit_code == 0
    town.ok("complaints", "move", "2", "--to", "accepted")
    table = town.ok("complaints", "list").output
    assert "Обращения: 2" in table and "новое" in table and "принято" in table
    rows = list(csv.reader(io.StringIO(town.ok("complaints", "list", "--format",
                                               "csv").output)))
    assert rows[0][:3] == ["№", "Состояние", "Срок шага"]
    assert sorted(r[0] for r in rows[1:]) == ["1", "2"]
    accepted = json.loads(town.ok("complaints", "list", "--status", "принято", "--format",
                                  "json").output)
    assert [(c["id"], c["status"], c["account"]) for c in accepted] == [
        (2, "accepted", town.accounts[0])]
    assert json.loads(town.ok("complaints", "list", "--status", "closed", "--format",
                              "json").output) == []


def test_refusals_are_russian_and_change_nothing(sqlite_town):
    town = sqlite_town
    assert _new(town).exit_code == 0
    skipped = town.run("complaints", "move", "1", "--to", "confirmed")
    assert skipped.exit_code == 1 and "новое" in skipped.output
    town.ok("complaints", "move", "1", "--to", "accepted")
    town.ok("complaints", "move", "1", "--to", "inspection")
    no_reason = town.run("complaints", "move", "1", "--to", "rejected")
    assert no_reason.exit_code == 1 and "укажите причину" in no_reason.output
    assert town.scalar("select status from complaints where id = 1") == "inspection"
    assert town.run("complaints", "move", "1", "--to", "done").exit_code == 2
    missing = town.run("complaints", "show", "9")
    assert missing.exit_code == 1 and "обращение №9 не найдено" in missing.output
    bad_time = town.run("complaints", "new", "--house", str(town.house_id), "--service",
                        "heating", "--kind", "interruption", "--started", "вчера",
                        "--text", "холодно")
    assert bad_time.exit_code == 2 and "--started" in bad_time.output
    uncovered = town.run("complaints", "new", "--house", str(town.house_id), "--service",
                         "heating", "--kind", "tko_delay", "--started", "2026-10-05 08:00",
                         "--text", "не вывезли мусор")
    assert uncovered.exit_code == 1
    assert town.scalar("select count(*) from complaints") == 1
