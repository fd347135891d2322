"""Who is paid, through the API: management companies, providers and contracts are created,
read, listed, changed and ended by a date (never deleted); requisites are checked with their
check digits and a refusal names the field."""

from __future__ import annotations

from .conftest import World

BIK = "044525225"
CORR = "30101810400000000225"
SETTLEMENT = "40702810938000012345"  # its control key (9th digit, 9) agrees with the БИК
COMPANY = {"name": "ООО «УК Центральная»", "inn": "7736050003", "kpp": "773601001"}
TERMS = {"bank_name": "ПАО Сбербанк", "bik": BIK, "settlement_account": SETTLEMENT,
         "corr_account": CORR, "fee_kind": "percent", "fee": "1.5"}


def _contract(api, house_id: int, **extra) -> dict:
    return {"provider_id": 1, "number": "ВК-17/2026", "date_from": "2026-01-01",
            "scope": [{"house_id": house_id, "service": "cold_water"}], "terms": TERMS,
            **extra}


class TestManagementCompanies:
    def test_a_company_is_created_read_listed_and_ended_by_a_date(self, api):
        created = api.ok("POST", "/v1/management-companies", COMPANY)
        assert {k: created[k] for k in COMPANY} == COMPANY and created["closed_on"] is None
        assert api.get(f"/v1/management-companies/{created['id']}").json() == created
        ended = api.ok("PATCH", f"/v1/management-companies/{created['id']}",
                       {"closed_on": "2026-06-30", "reason": "договор управления расторгнут"})
        assert ended["closed_on"] == "2026-06-30"

        def ids(query: str) -> list[int]:
            return [c["id"] for c in api.get(f"/v1/management-companies?{query}").json()[
                "items"]]

        assert ids("name=Центральная") == [created["id"]]
        assert ids("active_on=2026-06-30") == [created["id"]]
        assert ids("active_on=2026-07-01") == []
        assert ids("inn=7736050003") == [created["id"]]

    def test_a_wrong_inn_is_refused_naming_the_field(self, api):
        response = api.post("/v1/management-companies", {**COMPANY, "inn": "7736050004"})
        assert response.status_code == 422
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("inn_checksum", "inn")
        assert "контрольная цифра" in error["message"]
        kpp = api.post("/v1/management-companies", {**COMPANY, "kpp": "77360100A"})
        assert kpp.json()["error"]["fields"][0]["path"] == "kpp"

    def test_an_inn_already_registered_is_a_conflict(self, api):
        api.ok("POST", "/v1/management-companies", COMPANY)
        again = api.post("/v1/management-companies", {**COMPANY, "name": "другая"})
        assert (again.status_code, again.json()["error"]["code"]) == (409, "inn_taken")

    def test_an_unknown_company_is_404(self, api):
        assert api.get("/v1/management-companies/999").status_code == 404


class TestProviders:
    def test_a_provider_is_created_found_by_code_and_changed(self, api):
        created = api.ok("POST", "/v1/providers", {"code": "teplo", "name": "АО «Теплосеть»",
                                                   "inn": "7702070139"})
        found = api.get("/v1/providers?code=teplo").json()
        assert [p["id"] for p in found["items"]] == [created["id"]]
        changed = api.ok("PATCH", f"/v1/providers/{created['id']}", {"kpp": "770201001"})
        assert (changed["code"], changed["kpp"]) == ("teplo", "770201001")
        taken = api.post("/v1/providers", {"code": "teplo", "name": "x", "inn": "7707083893"})
        assert (taken.status_code, taken.json()["error"]["code"]) == (409,
                                                                      "provider_code_taken")
        assert api.get("/v1/providers/999").status_code == 404


class TestContracts:
    def test_a_contract_carries_its_scope_and_dated_terms(self, api):
        house = World(api).house["id"]
        contract = api.ok("POST", "/v1/contracts", _contract(api, house))
        assert contract["scope"] == [{"house_id": house, "service": "cold_water"}]
        (terms,) = contract["terms"]
        assert (terms["date_from"], terms["fee_kind"], terms["fee"], terms["bik"]) == (
            "2026-01-01", "percent", "1.5", BIK)
        later = api.ok("POST", f"/v1/contracts/{contract['id']}/terms", {
            **TERMS, "date_from": "2026-07-01", "fee_kind": "fixed", "fee": "5.00",
            "transfer_rule": "days", "transfer_days": [25, 10]})
        assert [(t["date_from"], t["fee"], t["transfer_days"]) for t in later["terms"]] == [
            ("2026-01-01", "1.5", None), ("2026-07-01", "5.00", [10, 25])]
        same_day = api.post(f"/v1/contracts/{contract['id']}/terms",
                            {**TERMS, "date_from": "2026-07-01"})
        assert (same_day.status_code, same_day.json()["error"]["code"]) == (409, "terms_exist")
        ended = api.ok("PATCH", f"/v1/contracts/{contract['id']}", {"date_to": "2026-12-31"})
        assert ended["date_to"] == "2026-12-31"
        assert api.get(f"/v1/contracts/{contract['id']}").json() == ended

    def test_contracts_are_listed_by_provider_house_service_and_day(self, api):
        house = World(api).house["id"]
        contract = api.ok("POST", "/v1/contracts", _contract(api, house,
                                                             date_to="2026-12-31"))

        def ids(query: str) -> list[int]:
            return [c["id"] for c in api.get(f"/v1/contracts?{query}").json()["items"]]

        assert ids("provider_id=1") == [contract["id"]]
        assert ids(f"house_id={house}&service=cold_water") == [contract["id"]]
        assert ids("service=heating") == []
        assert ids("active_on=2026-06-01") == [contract["id"]]
        assert ids("active_on=2027-01-01") == []

    def test_a_settlement_account_that_does_not_agree_with_the_bik_names_the_field(self, api):
        house = World(api).house["id"]
        wrong = {**TERMS, "settlement_account": "40702810038000012345"}
        response = api.post("/v1/contracts", _contract(api, house, terms=wrong))
        assert response.status_code == 422
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("account_key", "settlement_account")
        assert api.get("/v1/contracts").json()["total"] == 0

    def test_an_unknown_provider_or_house_is_422_naming_the_field(self, api):
        house = World(api).house["id"]
        response = api.post("/v1/contracts", _contract(api, house, provider_id=999))
        assert (response.status_code, response.json()["error"]["field"]) == (422,
                                                                             "provider_id")
        no_house = api.post("/v1/contracts", _contract(api, house, scope=[
            {"house_id": 999, "service": "cold_water"}]))
        assert no_house.json()["error"]["field"] == "scope.0.house_id"

    def test_a_contract_ending_before_it_starts_is_refused(self, api):
        house = World(api).house["id"]
        contract = api.ok("POST", "/v1/contracts", _contract(api, house))
        response = api.patch(f"/v1/contracts/{contract['id']}", {"date_to": "2025-12-31"})
        assert (response.status_code, response.json()["error"]["field"]) == (422, "date_to")
