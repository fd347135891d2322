"""``zhkh providers``, ``zhkh companies``, ``zhkh contracts``: created, listed, changed and
ended through the services the API uses, audited with the operator; errors name the field in
Russian."""

from __future__ import annotations

import json

from .conftest import BIK, CORR, PAYEES, contract_body


def test_a_provider_is_added_listed_shown_and_changed_with_audit(sqlite_town):
    town = sqlite_town
    town.ok("providers", "add", "--code", "gaz", "--name", "Газпром межрегионгаз", "--inn",
            "1831000026", "--kpp", "183101001", "--actor", "Иванова", "--reason",
            "договор 15/26")
    listed = json.loads(town.ok("providers", "list", "--format", "json").stdout)
    assert [p["code"] for p in listed] == ["gaz", "teplo", "vodokanal"]
    assert town.scalar("select actor from audit_log where action = 'provider.create' "
                       "order by id desc limit 1") == "Иванова"
    town.ok("providers", "update", "3", "--phone", "+7 3412 000000", "--closed-on",
            "2027-01-01", "--reason", "договор расторгнут")
    shown = json.loads(town.ok("providers", "show", "3", "--format", "json").stdout)
    assert shown["phone"] == "+7 3412 000000" and shown["closed_on"] == "2027-01-01"
    assert shown["contracts"] == []
    table = town.ok("providers", "show", "1").output
    assert "vodokanal-1" in table


def test_a_wrong_inn_is_refused_naming_the_field_in_russian(sqlite_town):
    town = sqlite_town
    bad = town.run("providers", "add", "--code", "x", "--name", "X", "--inn", "1831000027")
    assert bad.exit_code == 1
    assert "поле «ИНН»" in bad.output
    short = town.run("companies", "add", "--name", "УК", "--inn", "123")
    assert short.exit_code == 2
    assert "поле «ИНН»: не короче 10 символов" in short.output
    taken = town.run("companies", "add", "--name", "УК-2", "--inn", "7701000019")
    assert taken.exit_code == 1 and "уже принадлежит" in taken.output


def test_a_company_is_added_listed_and_changed(sqlite_town):
    town = sqlite_town
    town.ok("companies", "add", "--name", "УК «Север»", "--inn", "1841000018", "--ogrn",
            "1021801234567")
    town.ok("companies", "update", "2", "--website", "sever.example")
    listed = json.loads(town.ok("companies", "list", "--format", "json").stdout)
    assert {c["name"]: c["website"] for c in listed} == {"УК «Дом»": None,
                                                         "УК «Север»": "sever.example"}
    missing = town.run("companies", "update", "9", "--name", "Нет")
    assert missing.exit_code == 1 and "управляющая организация 9 не найдена" in missing.output


def test_a_contract_from_json_gets_new_terms_and_ends(sqlite_town, tmp_path):
    town = sqlite_town
    path = tmp_path / "gvs.json"
    path.write_text(json.dumps(contract_body(town, "teplo", "hot_water", number="ГВС-7")),
                    encoding="utf-8")
    town.ok("contracts", "add", path, "--reason", "допсоглашение")
    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps({"date_from": "2026-11-01", "bank_name": "ПАО Сбербанк",
                                 "bik": BIK, "settlement_account": PAYEES["teplo"]["account"],
                                 "corr_account": CORR, "fee_kind": "fixed", "fee": "5.00",
                                 "transfer_rule": "days", "transfer_days": [25, 10]}),
                     encoding="utf-8")
    town.ok("contracts", "terms", "3", terms)
    town.ok("contracts", "end", "3", "--on", "2026-12-31", "--reason", "истёк")
    shown = json.loads(town.ok("contracts", "show", "3", "--format", "json").stdout)
    assert shown["number"] == "ГВС-7" and shown["date_to"] == "2026-12-31"
    assert [t["fee"] for t in shown["terms"]] == ["1.5", "5.00"]
    assert shown["terms"][1]["transfer_days"] == [10, 25]
    in_force = json.loads(town.ok("contracts", "list", "--on", "2027-01-15", "--format",
                                  "json").stdout)
    assert [c["id"] for c in in_force] == [1, 2]
    assert town.scalar("select count(*) from audit_log where object_type = 'contract'") == 4 + 4


def test_contract_errors_name_the_field(sqlite_town, tmp_path):
    town = sqlite_town
    path = tmp_path / "bad.json"
    body = contract_body(town, "vodokanal", "sewerage", number="К-2")
    body["terms"]["settlement_account"] = PAYEES["vodokanal"]["account"][:-1] + "7"
    path.write_text(json.dumps(body), encoding="utf-8")
    wrong_key = town.run("contracts", "add", path)
    assert wrong_key.exit_code == 1 and "поле «расчётный счёт»" in wrong_key.output
    body = contract_body(town, "vodokanal", "sewerage", number="К-2", scope=[])
    path.write_text(json.dumps(body), encoding="utf-8")
    empty = town.run("contracts", "add", path)
    assert empty.exit_code == 2 and "поле «услуги договора»" in empty.output
    path.write_text("{", encoding="utf-8")
    assert town.run("contracts", "add", path).exit_code == 2
    assert town.scalar("select count(*) from contracts") == 2
