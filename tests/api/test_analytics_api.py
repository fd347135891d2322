"""Collection analytics through the API, on SQLite and PostgreSQL: charged vs paid by month,
the collection rate and the debt by age, by house, provider, service and management company,
checked against the ledger and the payments to the kopeck; the same report as XLSX.

The books of ``test_finance_reports_api``: September 2026 (closed): flat 1 owes cold water
1 200.00 (Водоканал) and heating 1 800.00 (Теплосеть); flat 2 cold water 800.00. October 2026
(open): flat 1 cold water 1 250.37 and a recalculation −50.12, flat 2 heating 900.45. Paid on
05.10: flat 1 1 500.00 (→ 600.00 cold water, 900.00 heating), flat 2 1 000.00 (→ 800.00 cold
water, 200.00 advance). The house belongs to «УК Прогресс».
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.finance.models import Allocation, Payment

from .conftest import Books, World

URL = "/v1/analytics/collection"


@pytest.fixture
def books(backend_api):
    api = backend_api
    world, books = World(api), Books(api)
    company = api.ok("POST", "/v1/management-companies", {"name": "УК Прогресс",
                                                          "inn": "7707083893"})
    api.ok("PATCH", f"/v1/houses/{world.house['id']}", {"management_company_id": company["id"]})
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
    return world, books, company


def _kopecks(text: str) -> int:
    whole, _, part = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int(part.ljust(2, "0")))


class TestChargedAgainstPaidByMonth:
    def test_each_month_is_the_ledger_and_the_payments_of_that_month(self, backend_api, books):
        report = backend_api.get(f"{URL}?on=2026-10-20").json()
        months = {m["period"]: m for m in report["months"]}
        # September: 1 200.00 + 1 800.00 + 800.00 charged, nothing paid yet
        assert (months["2026-09"]["charged"], months["2026-09"]["paid"],
                months["2026-09"]["collection_rate"]) == ("3800.00", "0.00", "0.0")
        # October: 1 250.37 − 50.12 + 900.45 = 2 100.70 charged; 2 300.00 paid the bills
        # (2 500.00 posted, 200.00 went to the advance); 2 300.00 ÷ 2 100.70 = 109.49… %
        assert (months["2026-10"]["charged"], months["2026-10"]["paid"],
                months["2026-10"]["posted"], months["2026-10"]["collection_rate"]) == (
            "2100.70", "2300.00", "2500.00", "109.5")
        with backend_api.database.reader() as session:
            for period, m in months.items():
                ledger = session.scalar(select(func.sum(LedgerLine.amount_kopecks)).where(
                    LedgerLine.period_booked == period)) or 0
                posted = session.scalar(select(func.sum(Payment.amount_kopecks)).where(
                    Payment.posted_period == period)) or 0
                paid = session.scalar(select(func.sum(Allocation.amount_kopecks)).where(
                    Allocation.period_booked == period, Allocation.kind != "advance")) or 0
                assert (_kopecks(m["charged"]), _kopecks(m["posted"]),
                        _kopecks(m["paid"])) == (ledger, posted, paid)

    def test_a_range_of_months_narrows_months_and_groups(self, backend_api, books):
        report = backend_api.get(f"{URL}?since=2026-10&until=2026-10&by=provider").json()
        assert [m["period"] for m in report["months"]] == ["2026-10"]
        assert (report["total"]["charged"], report["total"]["paid"]) == ("2100.70", "2300.00")
        backwards = backend_api.get(f"{URL}?since=2026-10&until=2026-09")
        assert (backwards.status_code, backwards.json()["error"]["field"]) == (422, "until")
        assert backend_api.get(f"{URL}?since=2026-13").status_code == 422
        assert backend_api.get(f"{URL}?by=street").status_code == 422


class TestByGroup:
    @pytest.mark.parametrize("by", ["house", "provider", "service", "company"])
    def test_the_groups_sum_to_the_total_and_the_total_to_the_books(self, backend_api, books,
                                                                    by):
        report = backend_api.get(f"{URL}?by={by}&on=2026-10-20").json()
        total = report["total"]
        # 3 800.00 + 2 100.70 charged; 2 300.00 paid; 2 300.00 ÷ 5 900.70 = 38.98 %
        assert (total["charged"], total["paid"], total["collection_rate"]) == (
            "5900.70", "2300.00", "39.0")
        # September's bill still owes 600.00 cold water and 900.00 heating (flat 1)
        assert (total["debt"], total["debt_by_age"]["0–30"]) == ("1500.00", "1500.00")
        for field in ("charged", "paid", "debt"):
            assert sum(_kopecks(g[field]) for g in report["groups"]) == _kopecks(total[field])

    def test_by_provider_each_provider_has_its_own_lines_payments_and_debt(self, backend_api,
                                                                           books):
        _, b, _ = books
        report = backend_api.get(f"{URL}?by=provider&on=2026-10-20").json()
        rows = {g["key"]: g for g in report["groups"]}
        water, heat = rows[str(b.vodokanal)], rows[str(b.teplo)]
        # Водоканал: 1 200.00 + 800.00 + 1 250.37 − 50.12; paid 600.00 + 800.00; owes 600.00
        assert (water["name"], water["charged"], water["paid"], water["debt"]) == (
            "Водоканал", "3200.25", "1400.00", "600.00")
        # Теплосеть: 1 800.00 + 900.45; paid 900.00; owes 900.00
        assert (heat["name"], heat["charged"], heat["paid"], heat["debt"]) == (
            "АО «Теплосеть»", "2700.45", "900.00", "900.00")

    def test_by_service_house_and_company_the_groups_are_named(self, backend_api, books):
        world, _, company = books
        services = backend_api.get(f"{URL}?by=service").json()["groups"]
        assert {g["key"]: (g["name"], g["charged"]) for g in services} == {
            "cold_water": ("Холодное водоснабжение", "3200.25"),
            "heating": ("Отопление", "2700.45")}
        house = backend_api.get(f"{URL}?by=house").json()["groups"]
        assert [(g["key"], g["name"]) for g in house] == [
            (str(world.house["id"]), "ул. Ленина, 1")]
        firms = backend_api.get(f"{URL}?by=company").json()["groups"]
        assert [(g["key"], g["name"], g["debt"]) for g in firms] == [
            (str(company["id"]), "УК Прогресс", "1500.00")]


class TestDebtByAge:
    def test_the_debt_ages_from_the_due_date_as_in_the_debtors_report(self, backend_api,
                                                                      books):
        # September's bill is due on 10.10.2026: 58 days old on 07.12
        later = backend_api.get(f"{URL}?on=2026-12-07").json()["total"]["debt_by_age"]
        assert (later["0–30"], later["31–90"], later[">365"]) == ("0.00", "1500.00", "0.00")
        debtors = backend_api.get("/v1/debtors?on=2026-12-07").json()["items"]
        assert sum(_kopecks(d["by_age"]["31–90"]) for d in debtors) == 150_000


class TestWorkbook:
    def test_the_xlsx_totals_are_the_reports(self, backend_api, books):
        from openpyxl import load_workbook

        response = backend_api.get(f"{URL}.xlsx?by=provider&on=2026-10-20")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml")
        book = load_workbook(io.BytesIO(response.content))
        months, groups = book["По месяцам"], book["По поставщикам"]
        month_rows = list(months.iter_rows(values_only=True))
        assert month_rows[0][:3] == ("Месяц", "Начислено, руб.", "Оплачено, руб.")
        assert [r[0] for r in month_rows[1:]] == ["2026-09", "2026-10", "Итого"]
        assert (round(month_rows[-1][1] * 100), round(month_rows[-1][2] * 100)) == (
            590_070, 230_000)
        last = list(groups.iter_rows(values_only=True))[-1]
        assert last[0] == "Итого"
        assert (round(last[2] * 100), round(last[3] * 100), round(last[5] * 100)) == (
            590_070, 230_000, 150_000)


class TestAccess:
    @pytest.mark.parametrize(("role", "status"), [("analyst", 200), ("auditor", 200),
                                                  ("accountant", 200), ("cashier", 403),
                                                  ("methodologist", 403)])
    def test_finance_readers_see_the_analytics_and_others_are_refused(self, api, role,
                                                                      status):
        assert api.get(URL, role).status_code == status
        assert api.get(f"{URL}.xlsx", role).status_code == status


class TestTheReportStaysCurrent:
    def test_a_new_payment_and_a_month_closed_show_at_once(self, backend_api, books):
        """The closed months' sums are kept between reports; what changes after — a payment
        in the open month, a month closed — is in the next report."""
        world, _, _ = books
        first = backend_api.get(f"{URL}?on=2026-10-20").json()
        assert (first["total"]["paid"], first["total"]["debt"]) == ("2300.00", "1500.00")
        backend_api.ok("POST", "/v1/payments", {"account": world.accounts[0]["number"],
                                                "paid_on": "2026-10-06", "amount": "100.00"})
        second = backend_api.get(f"{URL}?on=2026-10-20").json()
        # 100.00 more paid the oldest bill: September's cold water of flat 1
        assert (second["total"]["paid"], second["total"]["debt"]) == ("2400.00", "1400.00")
        with backend_api.database.session() as session:
            PeriodRepository(session).close("2026-10")
        third = backend_api.get(f"{URL}?on=2026-10-20").json()
        # October's bill (1 250.37 − 50.12 + 900.45 = 2 100.70) is now owed too, not yet due
        assert third["total"]["debt"] == "3500.70"
        assert third["total"]["debt_by_age"]["0–30"] == "3500.70"

    def test_a_key_of_another_company_sees_none_of_it_and_the_full_report_is_unchanged(
            self, backend_api, books):
        from zhkh.modules.access.scope import Scope
        from zhkh.modules.access.service import create_api_key

        everything = backend_api.get(f"{URL}?on=2026-10-20").json()["total"]
        other = backend_api.ok("POST", "/v1/management-companies", {"name": "УК Другая",
                                                                    "inn": "7736050003"})
        with backend_api.database.session() as session:
            key = create_api_key(session, "УК Другая", "analyst",
                                 Scope(frozenset({other["id"]})))
        scoped = backend_api.client.get(f"{URL}?on=2026-10-20",
                                        headers={"Authorization": f"Bearer {key}"}).json()
        assert (scoped["total"]["charged"], scoped["total"]["debt"], scoped["groups"]) == (
            "0.00", "0.00", [])
        again = backend_api.get(f"{URL}?on=2026-10-20").json()["total"]
        assert again == everything


class TestWarmUp:
    def test_after_the_warm_up_no_report_reads_the_closed_months_again(
            self, backend_api, books, monkeypatch):
        """``zhkh serve`` warms the cache in the background: then the first report of every
        grouping reads only the open months, and says the same as a cold report."""
        from zhkh.api.routers.analytics import warm
        from zhkh.modules.analytics import collection as module

        cold = {by: backend_api.get(f"{URL}?by={by}&on=2026-10-20").json()
                for by in ("house", "provider", "service", "company")}
        backend_api.app.state.analytics_cache = None  # a fresh start
        warm(backend_api.app)
        reads: list[list[str]] = []
        real = module.CollectionRepository.sums

        def counted(self, periods):
            reads.append(list(periods))
            return real(self, periods)

        monkeypatch.setattr(module.CollectionRepository, "sums", counted)
        for by, expected in cold.items():
            assert backend_api.get(f"{URL}?by={by}&on=2026-10-20").json() == expected
        assert "2026-09" not in {p for read in reads for p in read}  # the closed month
        assert reads  # the open month is still read live

    def test_a_failed_warm_up_leaves_the_reports_working(self, backend_api, books, monkeypatch):
        from zhkh.api.routers.analytics import warm
        from zhkh.modules.analytics import collection as module

        def broken(self):
            raise RuntimeError("база недоступна")

        with monkeypatch.context() as patched:
            patched.setattr(module.CollectionRepository, "periods", broken)
            warm(backend_api.app)  # logged, not raised
        assert backend_api.get(f"{URL}?on=2026-10-20").status_code == 200
