"""The finance department's reports through the API: the turnover sheet of October 2026 to
the kopeck against the ledger, debtors by debt age, what each provider is owed with its bank
details, a transfer recorded once, and the reconciliation.

Two flats. September 2026 (closed): flat 1 owes cold water 1 200.00 (Водоканал) and heating
1 800.00 (Теплосеть); flat 2 owes cold water 800.00. October 2026 (open): flat 1 is charged
cold water 1 250.37 and a recalculation of −50.12, flat 2 heating 900.45. Paid in October:
flat 1 1 500.00 (→ 600.00 cold water, 900.00 heating), flat 2 1 000.00 (→ 800.00 cold water,
200.00 advance).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from zhkh.modules.billing.models import LedgerLine

from .conftest import Books, World

TODAY = date.today().isoformat()
TERMS = {"bank_name": "ПАО Сбербанк", "bik": "044525225",
         "settlement_account": "40702810938000012345", "corr_account": "30101810400000000225",
         "fee_kind": "percent", "fee": "1.5"}


@pytest.fixture
def october(api):
    world, books = World(api), Books(api)
    one, two = (a["number"] for a in world.accounts)
    books.bill(one, "2026-09", {("cold_water", books.vodokanal): 120_000,
                                ("heating", books.teplo): 180_000}, close=False)
    books.bill(two, "2026-09", {("cold_water", books.vodokanal): 80_000})
    books.bill(one, "2026-10", {("cold_water", books.vodokanal): 125_037}, close=False)
    books.bill(one, "2026-10", {("cold_water", books.vodokanal): -5_012}, close=False,
               kind="recalculation")
    books.bill(two, "2026-10", {("heating", books.teplo): 90_045}, close=False)
    for number, amount in ((one, "1500.00"), (two, "1000.00")):
        api.ok("POST", "/v1/payments", {"account": number, "paid_on": "2026-10-05",
                                        "amount": amount})
    return world, books


def _row(sheet: dict, group) -> dict:
    return next(r for r in sheet["rows"] if r["group"] == str(group))


class TestTheTurnoverSheet:
    def test_by_provider_every_column_is_the_sum_of_its_lines_to_the_kopeck(self, api,
                                                                            october):
        _, books = october
        sheet = api.get("/v1/turnover?period=2026-10&by=provider").json()
        water, heat = _row(sheet, books.vodokanal), _row(sheet, books.teplo)
        # Водоканал: opening 1 200.00 + 800.00 = 2 000.00; charged 1 250.37 − 50.12 = 1 200.25;
        # paid 600.00 + 800.00 = 1 400.00; closing 2 000.00 + 1 200.25 − 1 400.00 = 1 800.25
        assert (water["opening"], water["charged"]["charge"], water["charged"]["recalculation"],
                water["charged_total"], water["paid"], water["closing"]) == (
            "2000.00", "1250.37", "-50.12", "1200.25", "1400.00", "1800.25")
        # Теплосеть: 1 800.00 + 900.45 − 900.00 = 1 800.45
        assert (heat["opening"], heat["charged_total"], heat["paid"], heat["closing"]) == (
            "1800.00", "900.45", "900.00", "1800.45")
        total = sheet["total"]
        assert (total["opening"], total["charged_total"], total["paid"], total["closing"]) == (
            "3800.00", "2100.70", "2300.00", "3600.70")
        # posted 1 500.00 + 1 000.00 = 2 500.00 = paid 2 300.00 + the advance's growth 200.00
        assert (sheet["advance_opening"], sheet["advance_closing"], sheet["posted"]) == (
            "0.00", "200.00", "2500.00")

    @pytest.mark.parametrize("by", ["house", "provider", "service", "company", "account"])
    def test_the_total_charged_equals_the_ledger_lines_booked_in_the_period(self, api,
                                                                           october, by):
        sheet = api.get(f"/v1/turnover?period=2026-10&by={by}").json()
        with api.database.reader() as session:
            ledger = session.scalar(select(func.sum(LedgerLine.amount_kopecks)).where(
                LedgerLine.period_booked == "2026-10"))
        assert ledger == 210_070
        assert sheet["total"]["charged_total"] == "2100.70"
        assert sum(round(float(r["charged_total"]) * 100) for r in sheet["rows"]) == ledger

    def test_one_house_or_provider_narrows_the_sheet(self, api, october):
        world, books = october
        house = api.get(f"/v1/turnover?period=2026-10&by=house&house_id={world.house['id']}")
        assert house.json()["total"]["closing"] == "3600.70"
        teplo = api.get(f"/v1/turnover?period=2026-10&provider_id={books.teplo}").json()
        assert [r["group"] for r in teplo["rows"]] == [str(books.teplo)]
        assert teplo["posted"] == "0.00"  # an advance belongs to no provider
        assert api.get("/v1/turnover?period=2026-13").status_code == 422


class TestDebtors:
    def test_the_debt_of_a_billed_month_is_aged_from_its_due_date(self, api, october):
        world, _ = october
        one = world.accounts[0]["number"]
        # September's bill is due on 10.10.2026: on 20.10 it is 10 days old, on 07.12 58
        early = api.get("/v1/debtors?on=2026-10-20").json()
        assert [(d["account"], d["total"]) for d in early["items"]] == [(one, "1500.00")]
        assert early["items"][0]["by_age"]["0–30"] == "1500.00"
        later = api.get("/v1/debtors?on=2026-12-07").json()["items"][0]["by_age"]
        assert (later["0–30"], later["31–90"]) == ("0.00", "1500.00")
        assert api.get("/v1/debtors?on=2026-10-20&min_debt=1500.01").json()["total"] == 0


class TestMoneyToProviders:
    def test_what_each_provider_is_owed_is_sent_once_and_reconciles(self, api, october):
        world, books = october
        api.ok("POST", "/v1/contracts", {
            "provider_id": books.vodokanal, "number": "ВК-1", "date_from": "2026-01-01",
            "scope": [{"house_id": world.house["id"], "service": "cold_water"}],
            "terms": TERMS})
        due = {d["provider_id"]: d for d in api.get(f"/v1/transfers/due?date={TODAY}").json()}
        # Водоканал collected 600.00 + 800.00 = 1 400.00 today; fee 1.5 % = 21.00
        water = due[books.vodokanal]
        assert (water["collected"], water["fee"], water["amount"], water["bik"],
                water["settlement_account"]) == ("1400.00", "21.00", "1379.00", "044525225",
                                                 "40702810938000012345")
        # Теплосеть has no contract: 900.00, no fee, no bank details to send it to
        assert (due[books.teplo]["amount"], due[books.teplo]["bik"]) == ("900.00", None)
        body = {"provider_id": books.vodokanal, "date_from": TODAY, "date_to": TODAY,
                "reference": "п/п № 1345"}
        sent = api.ok("POST", "/v1/transfers", body)
        assert (sent["collected"], sent["fee"], sent["amount"]) == ("1400.00", "21.00",
                                                                    "1379.00")
        again = api.post("/v1/transfers", body)
        assert (again.status_code, again.json()["error"]["code"]) == (409, "transfer_overlaps")
        unknown = api.post("/v1/transfers", {**body, "provider_id": 999})
        assert (unknown.status_code, unknown.json()["error"]["field"]) == (422, "provider_id")
        rows = {r["provider_id"]: r for r in api.get(
            f"/v1/transfers/reconciliation?date_from={TODAY}&date_to={TODAY}").json()}
        # collected = transferred + fees + pending: 1 400.00 = 1 379.00 + 21.00 + 0.00
        assert (rows[books.vodokanal]["collected"], rows[books.vodokanal]["transferred"],
                rows[books.vodokanal]["fees"], rows[books.vodokanal]["pending"]) == (
            "1400.00", "1379.00", "21.00", "0.00")
        assert (rows[books.teplo]["collected"], rows[books.teplo]["pending"]) == (
            "900.00", "900.00")
        backwards = api.get("/v1/transfers/reconciliation?date_from=2026-12-02&date_to=2026-12-01")
        assert (backwards.status_code, backwards.json()["error"]["field"]) == (422, "date_to")
