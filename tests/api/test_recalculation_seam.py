"""The online recalculation seam: ``billing.account_calc.recalculate_account`` is imported
lazily; absent → ``lines: null``; present → its lines are returned with the change."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest

from zhkh.kernel.calc.errors import CalculationError
from zhkh.modules.registry import service as registry

# Taken at import (collection), before the session fixture stubs the seam for other tests.
ORIGINAL_RECALCULATOR = registry.recalculator


@pytest.fixture
def fake_calc(monkeypatch):
    calls = []

    def recalculate_account(session, number, period):
        calls.append((number, period))
        if number == "fail":
            raise CalculationError("no_rule", "нет правила", account=number)
        return [{"service": "cold_water", "amount": "100.00", "period_for": period}]

    monkeypatch.setattr(registry, "recalculator", lambda: recalculate_account)
    return calls


def test_a_reading_returns_the_new_lines_of_its_account(api, world, fake_calc):
    body = api.ok("POST", f"/v1/meters/{world.meter['id']}/readings",
                  {"taken_on": "2026-09-20", "value": "5", "source": "phone"})
    number = world.accounts[0]["number"]
    assert fake_calc == [(number, "2026-09")]
    assert body["recalculation"][0]["lines"] == [
        {"service": "cold_water", "amount": "100.00", "period_for": "2026-09"}]


def test_a_registration_and_an_absence_recalculate_the_premises_accounts(api, world, fake_calc):
    api.ok("POST", "/v1/registrations", {"person_id": world.person["id"],
                                         "premises_id": world.flats[1]["id"],
                                         "kind": "stay", "date_from": "2026-08-05"})
    api.ok("POST", "/v1/absences", {"person_id": world.person["id"], "date_from": "2026-10-01",
                                    "date_to": "2026-10-20"})
    first, second = (a["number"] for a in world.accounts)
    assert fake_calc == [(second, "2026-08"), (first, "2026-10"), (second, "2026-10")]


def test_an_area_change_recalculates_and_an_unchanged_area_does_not(api, world, fake_calc):
    flat = world.flats[0]["id"]
    assert api.patch(f"/v1/premises/{flat}", {"area": "50.25"}).json()["recalculation"] == []
    changed = api.patch(f"/v1/premises/{flat}", {"area": "51"}).json()
    assert changed["recalculation"][0]["account"] == world.accounts[0]["number"]
    assert fake_calc == [(world.accounts[0]["number"], "2026-10")]


def test_a_calculation_refusal_is_reported_as_a_value_and_the_change_is_kept(monkeypatch):
    def refuse(session, number, period):
        raise CalculationError("no_rule", "нет правила", account=number)

    monkeypatch.setattr(registry, "recalculator", lambda: refuse)

    class Acc:
        number = "0000001008"

    [out] = registry.recalculate_accounts(None, [Acc()], "2026-10")
    assert out.lines is None and out.error["code"] == "no_rule"


def test_the_seam_finds_the_function_when_the_module_exists_and_none_when_absent(monkeypatch):
    module = ModuleType("zhkh_test_fake_account_calc")
    module.recalculate_account = lambda session, number, period: []
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(registry, "RECALC_MODULE", module.__name__)
    assert ORIGINAL_RECALCULATOR() is module.recalculate_account
    monkeypatch.setattr(registry, "RECALC_MODULE", "zhkh_test_no_such_module")
    assert ORIGINAL_RECALCULATOR() is None

