"""The recalculation seam (``modules/seams.py``): a change of facts asks the recalculation the
composition root wired for each account it concerns and returns the new lines with the change;
a refusal is a value; the application wires billing's online recalculation with its own
calculator."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.settings import Settings
from zhkh.kernel.calc.errors import CalculationError
from zhkh.modules.billing.service import OnlineRecalculation
from zhkh.modules.calculation.vocabulary import benefit_category_titles
from zhkh.modules.seams import Seams


def test_a_reading_returns_the_new_lines_of_its_account(api, world):
    api.recalculation.lines = lambda number, period: [
        {"service": "cold_water", "amount": "100.00", "period_for": period}]
    body = api.ok("POST", f"/v1/meters/{world.meter['id']}/readings",
                  {"taken_on": "2026-09-20", "value": "5", "source": "phone"})
    number = world.accounts[0]["number"]
    assert api.recalculation.calls[-1] == (number, "2026-09")
    assert body["recalculation"][0]["lines"] == [
        {"service": "cold_water", "amount": "100.00", "period_for": "2026-09"}]


def test_a_registration_and_an_absence_recalculate_the_premises_accounts(api, world):
    api.recalculation.calls.clear()
    api.ok("POST", "/v1/registrations", {"person_id": world.person["id"],
                                         "premises_id": world.flats[1]["id"],
                                         "kind": "stay", "date_from": "2026-08-05"})
    api.ok("POST", "/v1/absences", {"person_id": world.person["id"], "date_from": "2026-10-01",
                                    "date_to": "2026-10-20"})
    first, second = (a["number"] for a in world.accounts)
    assert api.recalculation.calls == [(second, "2026-08"), (first, "2026-10"),
                                       (second, "2026-10")]


def test_an_area_change_recalculates_and_an_unchanged_area_does_not(api, world):
    flat = world.flats[0]["id"]
    api.recalculation.calls.clear()
    assert api.patch(f"/v1/premises/{flat}", {"area": "50.25"}).json()["recalculation"] == []
    changed = api.patch(f"/v1/premises/{flat}", {"area": "51"}).json()
    assert changed["recalculation"][0]["account"] == world.accounts[0]["number"]
    assert api.recalculation.calls == [(world.accounts[0]["number"], "2026-10")]


def test_a_calculation_refusal_is_reported_as_a_value_and_the_change_is_kept():
    class Refusing:
        def __init__(self) -> None:
            self.queued: list = []

        def recalculate_account(self, session, number, period):
            raise CalculationError("no_rule", "нет правила", account=number)

        def enqueue(self, session, account_ids, period, reason):
            self.queued.append((list(account_ids), period, reason))

    class Session:
        def begin_nested(self):
            return contextlib.nullcontext()

    refusing = Refusing()
    seams = Seams(recalculation=refusing, vocabulary=SimpleNamespace())
    [out] = seams.recalculate(Session(), [SimpleNamespace(id=8, number="0000001008")],
                              "2026-10")
    assert out.lines is None and out.error["code"] == "no_rule"
    assert (out.status, out.queued) == ("refused", True)
    assert refusing.queued == [([8], "2026-10", "перерасчёт отклонён: no_rule")]


def test_the_composition_root_wires_billing_with_the_engine_of_the_calculator(shipped):
    application = bootstrap(Settings(database_url="sqlite://"), calculator=shipped.calculator)
    recalculation = application.seams.recalculation
    assert isinstance(recalculation, OnlineRecalculation)
    assert recalculation.calculator is application.batch_calculator
    assert application.batch_calculator.engine is shipped.calculator.engine
    assert application.seams.vocabulary.benefit_categories() == sorted(
        {r.category for r in shipped.rulebook.rules("benefits")})


def test_every_benefit_category_of_the_shipped_rules_has_its_russian_title(shipped):
    """The desks show categories by title: the part of the rules' titles before « — »."""
    application = bootstrap(Settings(database_url="sqlite://"), calculator=shipped.calculator)
    titles = application.seams.vocabulary.benefit_category_titles()
    assert sorted(titles) == application.seams.vocabulary.benefit_categories()
    assert titles["veteran_labour"] == "Ветераны труда"
    assert titles["large_family"] == "Многодетные семьи"
    assert all(t and " — " not in t and t != code for code, t in titles.items())


def test_a_category_title_falls_back_to_its_code_without_a_titled_rule():
    rules = [SimpleNamespace(category="b", title="Бэ — жильё"),
             SimpleNamespace(category="a", title=""), SimpleNamespace(category="b", title="x")]
    book = SimpleNamespace(rules=lambda kind: rules if kind == "benefits" else [])
    assert benefit_category_titles(book) == {"a": "a", "b": "Бэ"}
    assert benefit_category_titles(object()) == {}


def test_a_house_meter_reading_of_the_open_month_recalculates_its_house_at_once(api, world):
    """A closed month's is queued for the run (as before); the open month's house is
    recalculated in the request (heating by the house meter and common property)."""
    meter = api.ok("POST", "/v1/meters", {"serial": "ОДПУ-1", "service": "cold_water",
                                          "kind": "house", "house_id": world.house["id"],
                                          "installed_on": "2020-01-01"})
    api.recalculation.calls.clear()
    api.ok("POST", f"/v1/meters/{meter['id']}/readings",
           {"taken_on": "2026-10-24", "value": "1020.5", "source": "controller"})
    assert api.recalculation.calls == [(f"house:{world.house['id']}", "2026-10")]
