"""Payments through the API, the way a portal and the finance department use them: a payment
is allocated at once and answered with the account's new balance, an overpayment waits as an
advance, a storno takes the money back; amounts are decimal strings, never floats; a retried
request with its ``Idempotency-Key`` posts once, even 20 of them at the same moment.

Every account here has one bill, September 2026 (closed): cold water 1 200.00 from Водоканал
and heating 1 800.00 from Теплосеть, 3 000.00 in all; October 2026 is open. Payments made
before the 10th of October are within the 30 grace days: no penalties.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import Books, World


def _bill(api) -> tuple[str, Books]:
    world, books = World(api), Books(api)
    number = world.accounts[0]["number"]
    books.bill(number, "2026-09", {("cold_water", books.vodokanal): 120_000,
                                   ("heating", books.teplo): 180_000})
    return number, books


def _pay(number: str, amount: str, **extra) -> dict:
    return {"account": number, "paid_on": "2026-10-05", "amount": amount, **extra}


def _parts(payment: dict) -> dict[tuple[str, str | None], str]:
    return {(p["kind"], p["service"]): p["amount"] for p in payment["allocation"]}


class TestAPaymentIsAllocatedAtOnce:
    def test_1500_over_a_3000_bill_pays_each_line_in_proportion_and_leaves_1500_owed(
            self, backend_api):
        number, books = _bill(backend_api)
        payment = backend_api.ok("POST", "/v1/payments", _pay(number, "1500.00",
                                                               channel="portal"))
        # in proportion to the bill's lines: 1 500 × 1 200 / 3 000 = 600.00 to cold water,
        # 1 500 × 1 800 / 3 000 = 900.00 to heating
        assert _parts(payment) == {("principal", "cold_water"): "600.00",
                                   ("principal", "heating"): "900.00"}
        assert {p["provider_id"] for p in payment["allocation"]} == {books.vodokanal,
                                                                      books.teplo}
        assert all(p["bill_period"] == "2026-09" for p in payment["allocation"])
        # owed: 3 000.00 − 1 500.00 = 1 500.00 (600.00 + 900.00 still open)
        balance = payment["balance"]
        assert (balance["debt"], balance["advance"], balance["penalties"],
                balance["balance"]) == ("1500.00", "0.00", "0.00", "1500.00")
        assert {k["service"]: k["open"] for k in balance["keys"]} == {"cold_water": "600.00",
                                                                      "heating": "900.00"}
        assert (payment["amount"], payment["channel"], payment["posted_period"]) == (
            "1500.00", "portal", "2026-10")
        assert backend_api.get(f"/v1/accounts/{number}/balance").json() == balance
        # the answer is built from what was written, without reading it back: the stored
        # payment reads the same
        stored = backend_api.get(f"/v1/payments/{payment['id']}").json()
        assert {**payment, "balance": None} == stored

    def test_an_overpayment_waits_as_an_advance_and_the_balance_turns_negative(self, api):
        number, _ = _bill(api)
        api.ok("POST", "/v1/payments", _pay(number, "1500.00"))
        second = api.ok("POST", "/v1/payments", _pay(number, "2000.00"))
        # the open 600.00 + 900.00 = 1 500.00 are paid, 2 000.00 − 1 500.00 = 500.00 waits
        assert _parts(second) == {("principal", "cold_water"): "600.00",
                                  ("principal", "heating"): "900.00",
                                  ("advance", None): "500.00"}
        assert (second["balance"]["debt"], second["balance"]["advance"],
                second["balance"]["balance"]) == ("0.00", "500.00", "-500.00")

    def test_a_named_service_is_paid_first(self, api):
        number, _ = _bill(api)
        payment = api.ok("POST", "/v1/payments", _pay(number, "1000.00",
                                                      services=["heating"]))
        assert _parts(payment) == {("principal", "heating"): "1000.00"}
        assert payment["designated_services"] == ["heating"]


class TestAStorno:
    def test_a_reversed_payment_gives_its_money_back_and_the_debt_is_owed_again(self, api):
        number, _ = _bill(api)
        payment = api.ok("POST", "/v1/payments", _pay(number, "2000.00"))
        storno = api.ok("POST", f"/v1/payments/{payment['id']}/reverse",
                        {"reason": "оплата не на тот счёт"})
        # the storno is a new record of −2 000.00 whose rows undo 800.00 + 1 200.00
        assert (storno["amount"], storno["reverses_id"], storno["reason"]) == (
            "-2000.00", payment["id"], "оплата не на тот счёт")
        assert _parts(storno) == {("principal", "cold_water"): "-800.00",
                                  ("principal", "heating"): "-1200.00"}
        assert storno["balance"]["debt"] == storno["balance"]["balance"] == "3000.00"
        assert api.get(f"/v1/payments/{payment['id']}").json()["reversed_by"] == storno["id"]
        listed = api.get(f"/v1/payments?account={number}").json()
        assert [p["amount"] for p in listed["items"]] == ["-2000.00", "2000.00"]

    def test_a_payment_is_reversed_once_and_never_without_a_reason(self, api):
        number, _ = _bill(api)
        payment = api.ok("POST", "/v1/payments", _pay(number, "100.00"))
        path = f"/v1/payments/{payment['id']}/reverse"
        no_reason = api.post(path, {})
        assert no_reason.status_code == 422
        assert no_reason.json()["error"]["fields"][0]["path"] == "reason"
        assert api.post(path, {"reason": "ошибка"}).status_code == 201
        again = api.post(path, {"reason": "ошибка"})
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "already_reversed"
        assert api.post("/v1/payments/999/reverse", {"reason": "x"}).status_code == 404


class TestRefusedPayments:
    @pytest.mark.parametrize("amount", [1500.0, 1500.5, "1500.005", "0.00", "-5.00", "abc"])
    def test_an_amount_that_is_not_a_positive_sum_in_kopecks_is_refused(self, api, amount):
        number, _ = _bill(api)
        response = api.post("/v1/payments", _pay(number, amount))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["fields"][0]["path"] == "amount"
        assert api.get("/v1/payments").json()["total"] == 0

    def test_an_unknown_account_is_422_naming_the_field(self, api):
        response = api.post("/v1/payments", _pay("0000009993", "10.00"))
        assert response.status_code == 422
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("account_not_found", "account")

    def test_a_payment_dated_in_the_future_is_refused(self, api):
        number, _ = _bill(api)
        response = api.post("/v1/payments", _pay(number, "10.00", paid_on="2099-01-01"))
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "paid_on"


class TestTheList:
    def test_payments_are_found_by_account_dates_and_channel(self, api):
        number, _ = _bill(api)
        api.ok("POST", "/v1/payments", _pay(number, "100.00", channel="portal",
                                            paid_on="2026-10-01"))
        api.ok("POST", "/v1/payments", _pay(number, "200.00", paid_on="2026-10-07"))

        def amounts(query: str) -> list[str]:
            page = api.get(f"/v1/payments?{query}").json()
            return [p["amount"] for p in page["items"]]

        assert amounts(f"account={number}") == ["200.00", "100.00"]
        assert amounts("channel=portal") == ["100.00"]
        assert amounts("date_from=2026-10-02&date_to=2026-10-31") == ["200.00"]
        assert amounts("account=0000009993") == []
        assert amounts("limit=1&offset=1") == ["100.00"]
        assert api.get("/v1/payments?channel=pigeon").status_code == 422


class TestTheAccountCard:
    def test_the_card_shows_the_balance_debts_and_payments_with_their_allocation(self, api):
        number, _ = _bill(api)
        payment = api.ok("POST", "/v1/payments", _pay(number, "1500.00"))
        card = api.get(f"/v1/accounts/{number}").json()
        assert card["account"]["number"] == number
        assert [p["period"] for p in card["periods"]] == ["2026-09"]
        assert card["balance"]["balance"] == "1500.00"
        assert card["debts"] == [{"bill_period": "2026-09", "charged": "3000.00",
                                  "paid": "1500.00", "debt": "1500.00", "penalties": "0.00"}]
        assert [p["id"] for p in card["payments"]] == [payment["id"]]
        assert card["payments"][0]["allocation"] == payment["allocation"]

    def test_a_role_that_may_not_read_money_sees_the_card_without_it(self, api):
        number, _ = _bill(api)
        api.ok("POST", "/v1/payments", _pay(number, "1500.00"))
        card = api.get(f"/v1/accounts/{number}", "dispatcher").json()
        assert card["periods"] and card["balance"] is None and card["payments"] is None


class TestIdempotencyKey:
    def test_a_retry_with_the_key_replays_the_payment_and_posts_nothing_new(self, api):
        number, _ = _bill(api)
        key = {"Idempotency-Key": "portal-op-1"}
        first = api.post("/v1/payments", _pay(number, "1500.00"), **key)
        again = api.post("/v1/payments", _pay(number, "1500.00"), **key)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert api.get("/v1/payments").json()["total"] == 1

    def test_the_key_of_another_payment_is_a_conflict(self, api):
        number, _ = _bill(api)
        key = {"Idempotency-Key": "portal-op-2"}
        assert api.post("/v1/payments", _pay(number, "1500.00"), **key).status_code == 201
        other = api.post("/v1/payments", _pay(number, "1600.00"), **key)
        assert other.status_code == 409
        assert other.json()["error"]["code"] == "idempotency_conflict"
        assert api.get("/v1/payments").json()["total"] == 1

    def test_twenty_requests_with_one_key_at_the_same_moment_post_one_payment(
            self, backend_api):
        number, _ = _bill(backend_api)
        body = _pay(number, "1500.00", operation_id="P-20")

        def send(_: int):
            return backend_api.call("POST", "/v1/payments", "external_system", json=body,
                                    **{"Idempotency-Key": "twenty"})

        with ThreadPoolExecutor(max_workers=20) as pool:
            responses = list(pool.map(send, range(20)))
        assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
        assert len({r.json()["id"] for r in responses}) == 1
        assert sum("Idempotent-Replayed" in r.headers for r in responses) == 19
        assert backend_api.get("/v1/payments").json()["total"] == 1
        assert backend_api.get(f"/v1/accounts/{number}/balance").json()["debt"] == "1500.00"
