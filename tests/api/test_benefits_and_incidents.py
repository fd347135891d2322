"""``/v1/benefits`` and ``/v1/incidents`` through the real app: checks against the rules,
filters and pages, audit, idempotency, and which accounts a change recalculates (the
recalculation itself is replaced here; ``tests/calculate`` runs it with the real rules)."""

from __future__ import annotations

import pytest


@pytest.fixture
def recalculated(api):
    """Calls of the recalculation seam as (account, period); it answers with one line."""
    api.recalculation.lines = lambda _number, _period: [
        {"service": "cold_water", "kind": "benefit", "amount": "-1.00"}]
    api.recalculation.calls.clear()
    return api.recalculation.calls


def _benefit(world, **more):
    return {"person_id": world.person["id"], "account": world.accounts[0]["number"],
            "category": "veteran_labour", "date_from": "2026-09-01",
            "document": "удостоверение ветерана труда серия В №123", **more}


def _error(response, status=422):
    assert response.status_code == status, response.text
    return response.json()["error"]


class TestBenefits:
    def test_an_assignment_recalculates_its_account_from_its_first_month(
            self, api, world, recalculated):
        body = api.ok("POST", "/v1/benefits", _benefit(world))
        assert (body["account"], body["category"], body["date_from"], body["date_to"]) == (
            world.accounts[0]["number"], "veteran_labour", "2026-09-01", None)
        assert recalculated == [(world.accounts[0]["number"], "2026-09")]
        assert body["recalculation"][0]["lines"][0]["kind"] == "benefit"

    def test_the_document_is_shown_only_to_roles_that_see_personal_data(self, api, world):
        created = api.ok("POST", "/v1/benefits", _benefit(world))
        path = f"/v1/benefits/{created['id']}"
        assert api.get(path, "passport_officer").json()["document"].startswith("удостоверение")
        hidden = api.get(path, "operator").json()
        assert hidden["document"] is None and hidden["category"] == "veteran_labour"
        entry = api.get(f"/v1/audit?object_type=benefit&object_id={created['id']}",
                        "auditor").json()["items"][0]
        assert entry["action"] == "benefit.create" and entry["after"]["document"] == "***"
        assert entry["after"]["category"] == "veteran_labour"

    @pytest.mark.parametrize(("change", "code", "field"), [
        ({"category": "chernobyl"}, "unknown_benefit_category", "category"),
        ({"account": "0000000000"}, "account_not_found", "account"),
        ({"date_from": "2019-01-01", "date_to": "2020-12-31"},
         "benefit_holder_not_registered", "person_id"),
        ({"person_id": 10**9}, "person_not_found", "person_id"),
    ])
    def test_a_refused_assignment_names_the_field_and_stores_nothing(
            self, api, world, change, code, field):
        error = _error(api.post("/v1/benefits", _benefit(world, **change)))
        assert (error["code"], error["field"]) == (code, field)
        assert api.get("/v1/benefits").json()["total"] == 0

    def test_the_known_categories_are_listed_in_the_refusal(self, api, world):
        error = _error(api.post("/v1/benefits", _benefit(world, category="chernobyl")))
        assert "veteran_combat" in error["message"] and "disabled" in error["message"]

    def test_a_document_is_required(self, api, world):
        body = _benefit(world)
        del body["document"]
        error = _error(api.post("/v1/benefits", body))
        assert error["fields"][0]["path"] == "document"

    def test_ending_a_benefit_recalculates_from_the_day_after_its_new_end(
            self, api, world, recalculated):
        created = api.ok("POST", "/v1/benefits", _benefit(world, date_from="2025-01-01"))
        recalculated.clear()
        ended = api.patch(f"/v1/benefits/{created['id']}", {"date_to": "2026-08-31"})
        assert ended.status_code == 200, ended.text
        assert ended.json()["date_to"] == "2026-08-31"
        assert recalculated == [(world.accounts[0]["number"], "2026-09")]
        recalculated.clear()
        same = api.patch(f"/v1/benefits/{created['id']}", {"document": "новое удостоверение"})
        assert same.json()["recalculation"] == [] and recalculated == []

    def test_a_change_out_of_order_or_to_an_unknown_category_is_refused(self, api, world):
        created = api.ok("POST", "/v1/benefits", _benefit(world))
        path = f"/v1/benefits/{created['id']}"
        assert _error(api.patch(path, {"date_to": "2026-08-01"}))["code"] == (
            "dates_out_of_order")
        assert _error(api.patch(path, {"category": "x"}))["code"] == "unknown_benefit_category"
        assert _error(api.patch(path, {"category": None}))["code"] == "field_required"
        assert api.get(path).json()["date_to"] is None

    def test_filters_and_pages(self, api, world):
        api.ok("POST", "/v1/benefits", _benefit(world))
        api.ok("POST", "/v1/benefits", _benefit(world, category="disabled",
                                                  date_from="2021-04-01",
                                                  date_to="2021-12-31"))
        api.ok("POST", "/v1/benefits", _benefit(world, category="disabled",
                                                  date_from="2026-01-01"))
        assert api.get("/v1/benefits?category=disabled").json()["total"] == 2
        active = api.get("/v1/benefits?active_on=2026-10-01").json()
        assert sorted(b["category"] for b in active["items"]) == ["disabled", "veteran_labour"]
        number = world.accounts[0]["number"]
        assert api.get(f"/v1/benefits?account={number}").json()["total"] == 3
        assert api.get(f"/v1/benefits?account={world.accounts[1]['number']}").json()[
            "total"] == 0
        page = api.get(f"/v1/benefits?person_id={world.person['id']}&limit=2&offset=2").json()
        assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (3, 1, 2, 2)
        assert _error(api.get("/v1/benefits/999999"), 404)["code"] == "benefit_not_found"

    def test_an_idempotent_retry_replays_the_answer_and_assigns_once(self, api, world):
        first = api.post("/v1/benefits", _benefit(world), **{"Idempotency-Key": "b-1"})
        again = api.post("/v1/benefits", _benefit(world), **{"Idempotency-Key": "b-1"})
        assert first.status_code == again.status_code == 201
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json() == first.json()
        assert api.get("/v1/benefits").json()["total"] == 1


def _incident(world, **more):
    return {"house_id": world.house["id"], "service": "cold_water", "kind": "interruption",
            "started_at": "2026-10-05T08:00", "ended_at": "2026-10-06T02:00",
            "reference": "акт №7", **more}


class TestIncidents:
    def test_a_house_incident_recalculates_every_account_with_the_service(
            self, api, world, recalculated):
        body = api.ok("POST", "/v1/incidents", _incident(world))
        numbers = [a["number"] for a in world.accounts]
        assert sorted(recalculated) == sorted((n, "2026-10") for n in numbers)
        assert body["recalculation"] is None
        assert body["recalculated"] == {"period": "2026-10", "accounts": 2, "errors": []}
        assert (body["premises_id"], body["started_at"], body["ended_at"]) == (
            None, "2026-10-05T08:00:00", "2026-10-06T02:00:00")

    def test_a_premises_incident_returns_the_new_lines_of_its_accounts(
            self, api, world, recalculated):
        body = api.ok("POST", "/v1/incidents", _incident(
            world, house_id=None, premises_id=world.flats[1]["id"], kind="unsafe",
            started_at="2026-09-20T00:00", ended_at="2026-09-21T00:00"))
        assert body["house_id"] == world.house["id"]
        assert recalculated == [(world.accounts[1]["number"], "2026-09")]
        assert [r["account"] for r in body["recalculation"]] == [world.accounts[1]["number"]]
        assert body["recalculated"]["accounts"] == 1

    def test_an_open_incident_recalculates_nothing_until_it_is_closed(
            self, api, world, recalculated):
        body = api.ok("POST", "/v1/incidents", _incident(world, ended_at=None))
        assert (body["recalculated"], recalculated) == (None, [])
        path = f"/v1/incidents/{body['id']}"
        assert api.patch(path, {"reference": "акт №8"}).json()["recalculated"] is None
        closed = api.patch(path, {"ended_at": "2026-10-05T20:00"}).json()
        assert closed["recalculated"]["accounts"] == 2 and len(recalculated) == 2
        entries = api.get(f"/v1/audit?object_type=quality_incident&object_id={body['id']}",
                          "auditor").json()["items"]
        assert [e["action"] for e in entries] == ["incident.update", "incident.update",
                                                   "incident.create"]
        assert entries[0]["before"]["ended_at"] is None
        assert entries[0]["after"]["ended_at"] == "2026-10-05T20:00:00"

    def test_moving_the_start_back_recalculates_from_the_earlier_month(
            self, api, world, recalculated):
        body = api.ok("POST", "/v1/incidents", _incident(world))
        recalculated.clear()
        api.patch(f"/v1/incidents/{body['id']}", {"started_at": "2026-09-30T20:00"})
        assert {p for _n, p in recalculated} == {"2026-09"}

    @pytest.mark.parametrize(("change", "code", "field"), [
        ({"service": "maintenance"}, "no_quality_rule", "service"),
        ({"service": "electricity", "kind": "temperature", "magnitude": "3"},
         "no_quality_rule", "kind"),
        ({"kind": "pressure"}, "magnitude_required", "magnitude"),
        ({"magnitude": "2"}, "magnitude_not_used", "magnitude"),
        ({"ended_at": "2026-10-05T08:00"}, "times_out_of_order", "ended_at"),
        ({"house_id": None}, "house_required", "house_id"),
        ({"house_id": 999999}, "house_not_found", "house_id"),
        ({"premises_id": 999999}, "premises_not_found", "premises_id"),
    ])
    def test_a_refused_incident_names_the_field_and_stores_nothing(
            self, api, world, change, code, field):
        error = _error(api.post("/v1/incidents", _incident(world, **change)))
        assert (error["code"], error["field"]) == (code, field)
        assert api.get("/v1/incidents").json()["total"] == 0

    def test_a_premises_of_another_house_is_refused(self, api, world):
        other = api.ok("POST", "/v1/houses", {"address": "ул. Мира, 9"})
        error = _error(api.post("/v1/incidents", _incident(
            world, house_id=other["id"], premises_id=world.flats[0]["id"])))
        assert (error["code"], error["field"]) == ("premises_not_in_house", "premises_id")

    def test_a_time_with_a_zone_is_refused_naming_the_field(self, api, world):
        error = _error(api.post("/v1/incidents", _incident(
            world, started_at="2026-10-05T08:00+03:00")))
        assert error["fields"][0]["path"] == "started_at"
        assert "без часового пояса" in error["fields"][0]["message"]

    def test_a_change_is_checked_against_the_kind(self, api, world):
        body = api.ok("POST", "/v1/incidents", _incident(
            world, service="hot_water", kind="temperature", magnitude="7.5"))
        path = f"/v1/incidents/{body['id']}"
        assert body["magnitude"] == "7.5"
        assert _error(api.patch(path, {"magnitude": None}))["code"] == "magnitude_required"
        assert _error(api.patch(path, {"ended_at": "2026-10-01T00:00"}))["code"] == (
            "times_out_of_order")
        assert _error(api.patch(path, {"started_at": None}))["code"] == "field_required"
        assert api.patch(path, {"magnitude": "9"}).json()["magnitude"] == "9"

    def test_filters_and_pages(self, api, world):
        api.ok("POST", "/v1/incidents", _incident(world))
        api.ok("POST", "/v1/incidents", _incident(world, ended_at=None,
                                                  started_at="2026-10-20T10:00"))
        api.ok("POST", "/v1/incidents", _incident(
            world, house_id=None, premises_id=world.flats[0]["id"], kind="pressure",
            magnitude="30", started_at="2026-08-30T10:00", ended_at="2026-09-01T10:00"))
        listed = api.get
        assert listed(f"/v1/incidents?house_id={world.house['id']}").json()["total"] == 3
        assert listed(f"/v1/incidents?premises_id={world.flats[0]['id']}").json()[
            "total"] == 1
        assert listed("/v1/incidents?open=true").json()["total"] == 1
        assert listed("/v1/incidents?open=false").json()["total"] == 2
        assert listed("/v1/incidents?period=2026-09").json()["total"] == 1
        assert listed("/v1/incidents?period=2026-10&kind=interruption").json()["total"] == 2
        assert listed("/v1/incidents?service=hot_water").json()["total"] == 0
        page = listed("/v1/incidents?limit=1&offset=1").json()
        assert (page["total"], len(page["items"])) == (3, 1)
        assert _error(listed("/v1/incidents?period=2026-13"))["code"] == "invalid_input"
        assert _error(listed("/v1/incidents/999999"), 404)["code"] == "incident_not_found"

    def test_an_idempotent_retry_records_the_incident_once(self, api, world):
        first = api.post("/v1/incidents", _incident(world), **{"Idempotency-Key": "i-1"})
        again = api.post("/v1/incidents", _incident(world), **{"Idempotency-Key": "i-1"})
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json() == first.json()
        assert api.get("/v1/incidents").json()["total"] == 1
