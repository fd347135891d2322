"""Bank registry files through the API: a day's file posted whole, the same file refused the
second time with the date it was loaded, a broken file refused naming the line and the field
with nothing posted, an unidentified payment matched to its account, a file above the limit
refused with 413 before it is read.

The account of flat 1 has one bill, September 2026: cold water 1 200.00 + heating 1 800.00.
"""

from __future__ import annotations

import re

import pytest

from zhkh.adapters.bank import Limits
from zhkh.api.routers import registries

from .conftest import Books, World

UNKNOWN = "9999999999"


def _day(number: str, *, second_amount: str = "700,00") -> bytes:
    """A classic Sberbank registry (cp1251, «;», footer «=count;sum;to transfer;commission;
    order;order date»): 1 500.00 to ``number``, 700.00 to an account nobody has."""
    text = (
        f"05-10-2026;09-15-00;8618;0001;700001;{number};Иванов Иван Иванович;"
        "ул. Ленина, 1, кв. 1;0926;1500,00;1485,00;15,00\r\n"
        f"05-10-2026;10-20-00;8618;СБОЛ;700002;{UNKNOWN};Петров П. П.;;;{second_amount};"
        "693,00;7,00\r\n"
        "=2;2200,00;2178,00;22,00;417;06-10-2026\r\n")
    return text.encode("cp1251")


@pytest.fixture
def setup(api):
    world, books = World(api), Books(api)
    number = world.accounts[0]["number"]
    books.bill(number, "2026-09", {("cold_water", books.vodokanal): 120_000,
                                   ("heating", books.teplo): 180_000})
    return world, number


class TestADayFile:
    def test_known_accounts_are_paid_and_unknown_ones_wait_as_unidentified(self, api, setup):
        _, number = setup
        response = api.upload(_day(number), name="0510.txt")
        assert response.status_code == 201, response.text
        report = response.json()
        # 1 500.00 posted, 700.00 unidentified; commission 15.00 + 7.00 = 22.00 kept apart
        assert {k: report[k] for k in ("file_name", "format", "lines", "posted",
                                       "posted_amount", "unidentified", "unidentified_amount",
                                       "duplicates", "commission")} == {
            "file_name": "0510.txt", "format": "sberbank_classic", "lines": 2, "posted": 1,
            "posted_amount": "1500.00", "unidentified": 1, "unidentified_amount": "700.00",
            "duplicates": 0, "commission": "22.00"}
        payments = api.get(f"/v1/payments?registry_id={report['registry_id']}").json()
        (payment,) = payments["items"]
        # the account is credited with the gross 1 500.00: 600.00 + 900.00 of the bill
        assert (payment["account"], payment["amount"], payment["commission"],
                payment["channel"], payment["designated_period"]) == (
            number, "1500.00", "15.00", "bank", "2026-09")
        assert {p["service"]: p["amount"] for p in payment["allocation"]} == {
            "cold_water": "600.00", "heating": "900.00"}
        assert api.get(f"/v1/accounts/{number}/balance").json()["debt"] == "1500.00"
        loaded = api.get(f"/v1/payment-registries/{report['registry_id']}").json()
        assert (loaded["lines"], loaded["total"], loaded["posted"]) == (2, "2200.00", 1)
        assert api.get("/v1/payment-registries").json()["total"] == 1

    def test_the_same_file_again_is_refused_naming_when_it_was_loaded(self, api, setup):
        _, number = setup
        first = api.upload(_day(number), name="0510.txt").json()
        again = api.upload(_day(number), name="0510-copy.txt")
        assert again.status_code == 409
        error = again.json()["error"]
        loaded_at = api.get(f"/v1/payment-registries/{first['registry_id']}").json()[
            "loaded_at"]
        day = re.match(r"(\d{4})-(\d\d)-(\d\d)", loaded_at).groups()
        assert error["code"] == "registry_already_loaded"
        assert f"{day[2]}.{day[1]}.{day[0]}" in error["message"]
        assert f"реестр {first['registry_id']}" in error["message"]
        assert "0510.txt" in error["message"]
        assert api.get("/v1/payments").json()["total"] == 1

    def test_a_broken_line_refuses_the_file_naming_the_line_and_field_and_posts_nothing(
            self, api, setup):
        _, number = setup
        response = api.upload(_day(number, second_amount="700,005"))
        assert response.status_code == 422
        error = response.json()["error"]
        assert (error["line"], error["field"]) == (2, "amount")
        assert error["message"].startswith("строка 2, поле «сумма»")
        assert error["fields"][0]["path"] == "amount"
        assert api.get("/v1/payments").json()["total"] == 0
        assert api.get("/v1/payment-registries").json()["total"] == 0

    def test_a_footer_that_does_not_add_up_is_refused_with_both_sums(self, api, setup):
        _, number = setup
        content = _day(number).replace(b"=2;2200,00", b"=2;2100,00")
        error = api.upload(content).json()["error"]
        assert (error["code"], error["line"], error["field"]) == (
            "registry_footer_mismatch", 3, "amount_total")
        assert "2 100,00" in error["message"] and "2 200,00" in error["message"]

    def test_an_unknown_format_is_422_naming_the_format_field(self, api, setup):
        _, number = setup
        response = api.upload(_day(number), fmt="no_such_bank")
        assert response.status_code == 422
        assert response.json()["error"]["fields"][0]["path"] == "format"


class TestUnidentifiedPayments:
    def test_an_unidentified_payment_is_matched_to_its_account_once(self, api, setup):
        world, number = setup
        api.upload(_day(number))
        (line,) = api.get("/v1/unidentified-payments").json()["items"]
        assert (line["account_text"], line["amount"], line["line_no"]) == (UNKNOWN, "700.00", 2)
        other = world.accounts[1]["number"]
        path = f"/v1/unidentified-payments/{line['id']}/match"
        payment = api.ok("POST", path, {"account": other,
                                        "reason": "плательщик назвал счёт по телефону"})
        # the second flat has no bill yet: the whole 700.00 waits as its advance
        assert (payment["account"], payment["amount"], payment["registry_line_id"]) == (
            other, "700.00", line["id"])
        assert [(p["kind"], p["amount"]) for p in payment["allocation"]] == [
            ("advance", "700.00")]
        assert payment["balance"]["balance"] == "-700.00"
        assert api.get("/v1/unidentified-payments").json()["total"] == 0
        again = api.post(path, {"account": other, "reason": "ещё раз"})
        assert (again.status_code, again.json()["error"]["code"]) == (409,
                                                                      "line_already_matched")
        audit = api.get("/v1/audit?action=registry_line.match").json()
        assert audit["total"] == 1

    def test_matching_needs_a_known_account_and_a_reason(self, api, setup):
        _, number = setup
        api.upload(_day(number))
        (line,) = api.get("/v1/unidentified-payments").json()["items"]
        path = f"/v1/unidentified-payments/{line['id']}/match"
        unknown = api.post(path, {"account": "0000009993", "reason": "x"})
        assert (unknown.status_code, unknown.json()["error"]["field"]) == (422, "account")
        assert api.post(path, {"account": number}).status_code == 422
        assert api.post("/v1/unidentified-payments/999/match",
                        {"account": number, "reason": "x"}).status_code == 404


@pytest.fixture
def parser_calls(monkeypatch) -> list[str]:
    """The file names the registry parser was given (it still parses)."""
    calls: list[str] = []
    real = registries.parse_registry

    def recording(source, profile, **kw):
        calls.append(kw.get("file_name"))
        return real(source, profile, **kw)

    monkeypatch.setattr(registries, "parse_registry", recording)
    return calls


class TestTheSizeLimit:
    def test_a_file_above_the_limit_is_413_by_its_declared_length_before_it_is_read(
            self, api, setup, parser_calls):
        api.app.state.registry_limits = Limits(max_bytes=1000)
        response = api.upload(b"x" * 200_000)
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "registry_too_large"
        assert parser_calls == []
        assert parser_calls == []

    def test_a_file_just_above_the_limit_is_413_before_it_is_parsed(self, api, setup):
        _, number = setup
        content = _day(number)
        api.app.state.registry_limits = Limits(max_bytes=len(content) - 1)
        response = api.upload(content)
        assert response.status_code == 413
        assert "не принимается" in response.json()["error"]["message"]
        api.app.state.registry_limits = Limits(max_bytes=len(content))
        assert api.upload(content).status_code == 201

    def test_a_body_without_a_length_is_cut_off_once_it_passes_the_limit(self, api, setup,
                                                                           parser_calls):
        api.app.state.registry_limits = Limits(max_bytes=1000)
        boundary = "zhkh-boundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\n"
                f"sberbank_classic\r\n--{boundary}\r\nContent-Disposition: form-data; "
                f"name=\"file\"; filename=\"big.txt\"\r\n\r\n").encode()

        def chunks():
            yield head
            for _ in range(100):  # 100 × 64 KiB, far past 1 000 bytes + the 64 KiB allowance
                yield b"x" * 65536
            yield f"\r\n--{boundary}--\r\n".encode()

        response = api.client.post(
            "/v1/payment-registries", content=chunks(), headers=api.headers(
                "admin", **{"Content-Type": f"multipart/form-data; boundary={boundary}"}))
        assert "content-length" not in {k.lower() for k in response.request.headers}
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "registry_too_large"
        assert parser_calls == []
