"""The cash desk through the API, as a cashier works a day: open a shift, see what an account
owes, take cash (change given) and card, enter a reading with the payment, print the
confirmation, a senior cashier hands a payment back, the shift closes with totals that
reconcile to the payments finance posted.

The account has one bill, September 2026 (closed): cold water 1 200.00 from Водоканал and
heating 1 800.00 from Теплосеть, 3 000.00 in all; October 2026 is open.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from zhkh.modules.cashdesk.models import CashReceipt, CashShift
from zhkh.modules.finance.models import Payment
from zhkh.modules.meters.models import Reading

from .conftest import Books, World


def _bill(api) -> tuple[World, str, Books]:
    world, books = World(api), Books(api)
    number = world.accounts[0]["number"]
    books.bill(number, "2026-09", {("cold_water", books.vodokanal): 120_000,
                                   ("heating", books.teplo): 180_000})
    return world, number, books


def _open(api, role: str = "cashier", float_: str = "1000.00") -> dict:
    response = api.post("/v1/cash-shifts", {"desk": "Касса 1, ул. Ленина, 1",
                                            "opening_float": float_}, role)
    assert response.status_code == 201, response.text
    return response.json()


def _pay(api, shift: dict, number: str, amount: str, role: str = "cashier", **extra) -> dict:
    response = api.post(f"/v1/cash-shifts/{shift['id']}/payments",
                        {"account": number, "method": "cash", "amount": amount, **extra}, role)
    assert response.status_code == 201, response.text
    return response.json()


def _counts(api) -> tuple[int, int, int]:
    with api.database.session() as session:
        return (session.scalar(select(func.count()).select_from(Payment)),
                session.scalar(select(func.count()).select_from(CashReceipt)),
                session.scalar(select(func.count()).select_from(Reading)))


class TestTakingPayments:
    def test_cash_gives_change_and_goes_through_finance_like_a_banks_payment(
            self, backend_api):
        _world, number, books = _bill(backend_api)
        owed = backend_api.get(f"/v1/accounts/{number}/owed", "cashier").json()
        assert [(p["provider"], p["debt"], p["total"]) for p in owed["providers"]] == [
            ("АО «Теплосеть»", "1800.00", "1800.00"), ("Водоканал", "1200.00", "1200.00")]
        assert owed["total"] == "3000.00" and owed["address"] == "ул. Ленина, 1, кв. 1"
        shift = _open(backend_api)
        receipt = _pay(backend_api, shift, number, "1500.00", tendered="2000.00")
        # 2 000.00 tendered − 1 500.00 paid = 500.00 change
        assert (receipt["amount"], receipt["tendered"], receipt["change"]) == (
            "1500.00", "2000.00", "500.00")
        payment = receipt["payment"]
        assert (payment["channel"], payment["amount"], payment["posted_period"]) == (
            "cashdesk", "1500.00", "2026-10")
        # finance's allocation, as for a bank: in proportion 600.00 / 900.00
        assert {(p["service"], p["amount"]) for p in payment["allocation"]} == {
            ("cold_water", "600.00"), ("heating", "900.00")}
        assert receipt["balance"]["balance"] == "1500.00"
        assert backend_api.get(f"/v1/accounts/{number}/balance").json()["balance"] == "1500.00"
        assert backend_api.get(f"/v1/payments/{payment['id']}").json()["channel"] == "cashdesk"
        assert {p["provider_id"] for p in payment["allocation"]} == {books.vodokanal,
                                                                      books.teplo}

    def test_a_card_payment_has_no_change_and_cash_without_tendered_has_none_either(self, api):
        _world, number, _ = _bill(api)
        shift = _open(api)
        card = _pay(api, shift, number, "100.00", method="card")
        exact = _pay(api, shift, number, "200.00")
        assert (card["tendered"], card["change"]) == (None, None)
        assert (exact["tendered"], exact["change"]) == ("200.00", "0.00")

    @pytest.mark.parametrize(("body", "path"), [
        ({"amount": "0.00"}, ""), ({"amount": "-1.00"}, "amount"),
        ({"amount": 10.5}, "amount"), ({"amount": "100.00", "tendered": "99.99"}, ""),
        ({"amount": "100.00", "method": "card", "tendered": "100.00"}, ""),
        ({"amount": "100.00", "account": "0000000000"}, None),
    ])
    def test_a_wrong_sum_or_account_is_refused_and_nothing_is_written(self, api, body, path):
        _world, number, _ = _bill(api)
        shift = _open(api)
        response = api.post(f"/v1/cash-shifts/{shift['id']}/payments",
                            {"account": number, "method": "cash", **body}, "cashier")
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        if path is None:
            assert (error["code"], error["field"]) == ("account_not_found", "account")
        else:
            assert error["fields"][0]["path"] == path
        assert _counts(api)[:2] == (0, 0)

    def test_a_reading_entered_with_the_payment_is_stored_with_it(self, api):
        world, number, _ = _bill(api)
        shift = _open(api)
        receipt = _pay(api, shift, number, "100.00", readings=[
            {"meter_id": world.meter["id"], "value": "12.5"}])
        assert [(r["status"], r["value"]) for r in receipt["readings"]] == [("accepted", "12.5")]
        readings = api.get(f"/v1/meters/{world.meter['id']}/readings").json()["items"]
        assert [(r["value"], r["source"], r["taken_on"]) for r in readings] == [
            ("12.5", "cashier", date.today().isoformat())]

    @pytest.mark.parametrize("bad", [{"meter_id": 10**6, "value": "1"},
                                     {"zone": "night", "value": "1"}])
    def test_an_invalid_reading_leaves_neither_the_payment_nor_the_other_reading(
            self, backend_api, bad):
        world, number, _ = _bill(backend_api)
        shift = _open(backend_api)
        meter = world.meter["id"]
        response = backend_api.post(f"/v1/cash-shifts/{shift['id']}/payments", {
            "account": number, "method": "cash", "amount": "100.00",
            "readings": [{"meter_id": meter, "value": "12.5"}, {"meter_id": meter, **bad}]},
            "cashier")
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] in ("meter_not_of_account", "zone_not_on_meter")
        assert _counts(backend_api) == (0, 0, 0)
        assert backend_api.get(f"/v1/accounts/{number}/balance").json()["balance"] == "3000.00"

    def test_a_meter_of_another_flat_is_refused(self, api):
        world, _number, _ = _bill(api)
        other = world.accounts[1]["number"]
        shift = _open(api)
        response = api.post(f"/v1/cash-shifts/{shift['id']}/payments", {
            "account": other, "method": "card", "amount": "10.00",
            "readings": [{"meter_id": world.meter["id"], "value": "1"}]}, "cashier")
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "readings.0.meter_id"

    def test_the_confirmation_is_a_pdf_of_the_receipt(self, api):
        _world, number, _ = _bill(api)
        shift = _open(api)
        receipt = _pay(api, shift, number, "1500.00", tendered="2000.00")
        path = f"/v1/cash-shifts/{shift['id']}/receipts/{receipt['id']}.pdf"
        response = api.get(path, "cashier")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert api.get(path, "cashier").content == response.content  # deterministic
        assert api.get(f"/v1/cash-shifts/{shift['id'] + 1}/receipts/{receipt['id']}.pdf",
                       "cashier").status_code == 404

    def test_the_confirmation_prints_the_change_and_the_split_by_provider(self, api):
        from zhkh.adapters.print.cash_receipt import lines
        from zhkh.modules.cashdesk.service import confirmation

        _world, number, _ = _bill(api)
        shift = _open(api)
        receipt = _pay(api, shift, number, "1500.00", tendered="2000.00")
        with api.database.session() as session:
            rows = lines(confirmation(session, shift["id"], receipt["id"]),
                         {"cold_water": "Холодное водоснабжение", "heating": "Отопление"})
        printed = {left.strip(): right for left, right, _bold in rows}
        assert printed["Оплачено"] == "1\u00a0500,00 ₽"
        assert printed["Сдача"] == "500,00 ₽"
        assert printed["Холодное водоснабжение, сентябрь 2026"] == "600,00 ₽"
        assert printed["Отопление, сентябрь 2026"] == "900,00 ₽"
        assert {"Водоканал", "АО «Теплосеть»"} <= set(printed)
        assert printed["Остаток к оплате"] == "1\u00a0500,00 ₽"


class TestShifts:
    def test_a_second_open_shift_of_the_same_cashier_is_refused(self, backend_api):
        first = _open(backend_api)
        again = backend_api.post("/v1/cash-shifts", {"desk": "Касса 2"}, "cashier")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "shift_already_open"
        assert f"№ {first['id']}" in again.json()["error"]["message"]
        assert _open(backend_api, "senior_cashier")["id"] != first["id"]  # another cashier
        assert backend_api.get("/v1/cash-shifts/current", "cashier").json()["id"] == first["id"]

    def test_only_the_cashier_of_a_shift_takes_payments_in_it(self, api):
        _world, number, _ = _bill(api)
        shift = _open(api, "senior_cashier")
        response = api.post(f"/v1/cash-shifts/{shift['id']}/payments",
                            {"account": number, "method": "card", "amount": "1.00"}, "cashier")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "shift_of_another_cashier"

    def test_the_close_reconciles_totals_by_method_and_shows_the_counted_difference(
            self, backend_api):
        _world, number, _ = _bill(backend_api)
        shift = _open(backend_api, float_="1000.00")
        _pay(backend_api, shift, number, "1500.00", tendered="2000.00")
        _pay(backend_api, shift, number, "300.00", method="card")
        _pay(backend_api, shift, number, "250.50")
        closed = backend_api.post(f"/v1/cash-shifts/{shift['id']}/close",
                                  {"counted_cash": "2750.00"}, "cashier")
        assert closed.status_code == 200, closed.text
        body = closed.json()
        totals = {t["method"]: (t["payments"], t["taken"], t["net"]) for t in body["totals"]}
        # cash: 1 500.00 + 250.50 = 1 750.50; card 300.00
        assert totals == {"cash": (2, "1750.50", "1750.50"), "card": (1, "300.00", "300.00")}
        # expected in the drawer: 1 000.00 float + 1 750.50 cash = 2 750.50; counted 2 750.00
        assert (body["status"], body["expected_cash"], body["counted_cash"],
                body["difference"]) == ("closed", "2750.50", "2750.00", "-0.50")
        # the totals are finance's payments of the channel
        paid = backend_api.get(f"/v1/payments?account={number}&channel=cashdesk").json()
        assert sum(float(p["amount"]) for p in paid["items"]) == 2050.50

    def test_a_shift_is_closed_once_and_takes_nothing_after(self, backend_api):
        _world, number, _ = _bill(backend_api)
        shift = _open(backend_api)
        path = f"/v1/cash-shifts/{shift['id']}"
        assert backend_api.post(f"{path}/close", {"counted_cash": "1000.00"},
                                "cashier").status_code == 200
        again = backend_api.post(f"{path}/close", {"counted_cash": "1000.00"}, "cashier")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "shift_closed"
        late = backend_api.post(f"{path}/payments", {"account": number, "method": "card",
                                                     "amount": "1.00"}, "cashier")
        assert late.status_code == 409
        assert late.json()["error"]["code"] == "shift_closed"
        assert _open(backend_api)["id"] != shift["id"]  # a new one may open now

    def test_a_shift_with_a_payment_reversed_outside_the_desk_does_not_close(self, api):
        _world, number, _ = _bill(api)
        shift = _open(api)
        receipt = _pay(api, shift, number, "100.00")
        payment_id = receipt["payment"]["id"]
        assert api.post(f"/v1/payments/{payment_id}/reverse", {"reason": "ошибка"},
                        "accountant").status_code == 201
        refused = api.post(f"/v1/cash-shifts/{shift['id']}/close", {"counted_cash": "1100.00"},
                           "cashier")
        assert refused.status_code == 409
        error = refused.json()["error"]
        assert error["code"] == "shift_not_reconciled"
        assert f"оплата № {payment_id} сторнирована вне кассы" in error["message"]
        # the senior cashier hands the money back at the desk: the storno is adopted
        back = api.post(f"/v1/cash-shifts/{shift['id']}/payments/{payment_id}/reverse",
                        {"reason": "ошибка"}, "senior_cashier")
        assert back.status_code == 201, back.text
        closed = api.post(f"/v1/cash-shifts/{shift['id']}/close", {"counted_cash": "1000.00"},
                          "cashier").json()
        assert (closed["expected_cash"], closed["difference"]) == ("1000.00", "0.00")


class TestHandingAPaymentBack:
    def test_only_a_senior_cashier_reverses_and_the_balance_is_owed_again(self, backend_api):
        _world, number, _ = _bill(backend_api)
        shift = _open(backend_api)
        receipt = _pay(backend_api, shift, number, "2000.00", tendered="2000.00")
        path = f"/v1/cash-shifts/{shift['id']}/payments/{receipt['payment']['id']}/reverse"
        denied = backend_api.post(path, {"reason": "ошибся счётом"}, "cashier")
        assert denied.status_code == 403
        assert denied.json()["error"]["code"] == "forbidden"
        assert backend_api.post(path, {}, "senior_cashier").status_code == 422  # no reason
        back = backend_api.post(path, {"reason": "ошибся счётом"}, "senior_cashier")
        assert back.status_code == 201, back.text
        refund = back.json()
        assert (refund["kind"], refund["method"], refund["amount"]) == (
            "refund", "cash", "-2000.00")
        assert refund["payment"]["reverses_id"] == receipt["payment"]["id"]
        assert refund["payment"]["reason"] == "ошибся счётом"
        assert refund["balance"]["balance"] == "3000.00"
        again = backend_api.post(path, {"reason": "ещё раз"}, "senior_cashier")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "already_reversed"
        closed = backend_api.post(f"/v1/cash-shifts/{shift['id']}/close",
                                  {"counted_cash": "1000.00"}, "cashier").json()
        cash = next(t for t in closed["totals"] if t["method"] == "cash")
        assert (cash["taken"], cash["refunded"], cash["net"]) == ("2000.00", "2000.00", "0.00")
        assert closed["difference"] == "0.00"

    def test_a_banks_payment_is_not_reversed_at_the_desk(self, api):
        _world, number, _ = _bill(api)
        shift = _open(api, "senior_cashier")
        bank = api.ok("POST", "/v1/payments", {"account": number, "paid_on": "2026-10-05",
                                               "amount": "10.00"})
        response = api.post(f"/v1/cash-shifts/{shift['id']}/payments/{bank['id']}/reverse",
                            {"reason": "x"}, "senior_cashier")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "not_a_cashdesk_payment"


class TestTheDatabaseKeepsTheMoney:
    def test_receipts_are_never_edited_and_a_closed_shift_never_reopens(self, backend_api):
        _world, number, _ = _bill(backend_api)
        shift = _open(backend_api)
        _pay(backend_api, shift, number, "10.00")
        backend_api.post(f"/v1/cash-shifts/{shift['id']}/close", {"counted_cash": "1010.00"},
                         "cashier")
        for statement in ("UPDATE cash_receipts SET amount_kopecks = 1",
                          "DELETE FROM cash_receipts",
                          "UPDATE cash_shifts SET closed_at = NULL, closed_by = NULL, "
                          "cash_kopecks = NULL, card_kopecks = NULL, "
                          "expected_cash_kopecks = NULL, counted_cash_kopecks = NULL",
                          "UPDATE cash_shifts SET counted_cash_kopecks = 0",
                          "DELETE FROM cash_shifts"):
            with pytest.raises(Exception, match=r"не изменяются|не удаляется|изменяется один"):
                with backend_api.database.session() as session:
                    session.execute(text(statement))
        with backend_api.database.session() as session:
            stored = session.get(CashShift, shift["id"])
            assert stored is not None and stored.counted_cash_kopecks == 101_000

    def test_a_receipt_is_not_written_into_a_closed_shift_even_by_sql(self, api):
        _world, number, _ = _bill(api)
        shift = _open(api)
        receipt = _pay(api, shift, number, "10.00")
        api.post(f"/v1/cash-shifts/{shift['id']}/close", {"counted_cash": "1010.00"}, "cashier")
        with pytest.raises(Exception, match="смена закрыта"):
            with api.database.session() as session:
                session.execute(text(
                    "INSERT INTO cash_receipts (shift_id, payment_id, kind, method, "
                    "amount_kopecks) VALUES (:s, :p, 'payment', 'card', 1)"),
                    {"s": shift["id"], "p": receipt["payment"]["id"] + 1000})


def test_two_opens_of_one_cashier_at_the_same_moment_leave_one_shift(backend_api):
    from concurrent.futures import ThreadPoolExecutor

    def open_one(i: int) -> int:
        return backend_api.post("/v1/cash-shifts", {"desk": f"Касса {i}"},
                                "cashier").status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(open_one, range(8)))
    assert codes == [201] + [409] * 7
    with backend_api.database.session() as session:
        assert session.scalar(select(func.count()).select_from(CashShift)) == 1
