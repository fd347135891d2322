"""Hostile input answers 4xx naming the field, the same on SQLite and PostgreSQL, and no value
of a request reaches a log line (issue 14, defects 1, 4, 5, 10)."""

from __future__ import annotations

import logging
import time

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import text

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.settings import Settings
from zhkh.api.app import create_app

PERSON = {"full_name": "Петров Пётр Петрович", "birth_date": "1970-01-02",
          "document_kind": "passport", "document_number": "4510 654321"}


def _field(response) -> str:
    error = response.json()["error"]
    return error["fields"][0]["path"] if error.get("fields") else error.get("field")


class TestNulIsRefusedByName:
    """PostgreSQL cannot store NUL in text: it must be a 422 naming the field, never a 500."""

    def test_in_a_body_text_field(self, backend_api):
        response = backend_api.post("/v1/persons", {**PERSON, "full_name": "Петров\x00"})
        assert response.status_code == 422, response.text
        assert _field(response) == "full_name"

    def test_in_a_nested_body_field(self, backend_api):
        response = backend_api.post("/v1/houses", {"address": "ул. Мира, 1",
                                                   "total_area": "10", "fias_guid": "a\x00b"})
        assert response.status_code == 422, response.text
        assert _field(response) == "fias_guid"

    def test_in_a_filter(self, backend_api):
        response = backend_api.get("/v1/incidents?service=hot%00water")
        assert response.status_code == 422, response.text
        assert _field(response) == "query.service"

    def test_in_the_reason_header(self, backend_api):
        response = backend_api.post("/v1/persons", PERSON, **{"X-Reason": "%D0%BF%D0%BE%00"})
        assert response.status_code == 422, response.text
        assert _field(response) == "header.X-Reason"

    def test_nothing_is_stored(self, backend_api):
        backend_api.post("/v1/persons", {**PERSON, "document_number": "45\x0010"})
        assert backend_api.get("/v1/persons").json()["total"] == 0


class TestOutOfRangePeriodsAndDates:
    @pytest.mark.parametrize("period", ["0000-01", "9999-12", "1899-12", "2100-01"])
    def test_a_period_out_of_range_in_calculate_is_a_422_naming_it(self, backend_api, period):
        body = {"period": period, "accounts": [{"number": "1", "area": "50", "services": [
            {"service": "cold_water", "provider": "x"}]}]}
        response = backend_api.post("/v1/calculate", body)
        assert response.status_code == 422, response.text
        assert _field(response) == "period"

    @pytest.mark.parametrize("period", ["0000-01", "9999-12"])
    def test_a_period_filter_out_of_range_is_a_422(self, backend_api, period):
        response = backend_api.get(f"/v1/incidents?period={period}")
        assert response.status_code == 422, response.text
        assert _field(response) == "query.period"

    def test_an_absence_over_millennia_is_refused_at_once(self, backend_api):
        started = time.monotonic()
        response = backend_api.post("/v1/absences", {"person_id": 1, "date_from": "0001-01-01",
                                                     "date_to": "9999-12-31"})
        assert response.status_code == 422, response.text
        assert _field(response) in ("date_from", "date_to")
        assert time.monotonic() - started < 5  # not a timing test: minutes before the fix

    def test_a_date_is_not_a_number(self, backend_api):
        response = backend_api.post("/v1/persons", {**PERSON, "birth_date": 0})
        assert response.status_code == 422, response.text
        assert _field(response) == "birth_date"

    def test_a_flag_is_not_an_integer(self, backend_api):
        response = backend_api.post("/v1/houses", {"address": "ул. Мира, 2",
                                                   "house_heat_meter": 1})
        assert response.status_code == 422, response.text
        assert _field(response) == "house_heat_meter"


def test_rooms_beyond_any_building_are_refused(api, world):
    response = api.post("/v1/premises", {"house_id": world.house["id"], "number": "99",
                                         "area": "10", "rooms": 10**30})
    assert response.status_code == 422, response.text
    assert _field(response) == "rooms"


class TestErrorShape:
    def test_an_unknown_route_answers_the_project_shape(self, api):
        response = api.get("/v1/no-such-thing")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_an_unknown_method_answers_the_project_shape(self, api):
        response = api.call("DELETE", "/v1/houses")
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"

    def test_a_body_that_is_not_json_answers_the_project_shape(self, api):
        response = api.client.post("/v1/houses", content=b"{not json",
                                   headers=api.headers("admin", **{
                                       "Content-Type": "application/json"}))
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_input"


def test_a_body_over_the_limit_is_a_413_before_the_key_is_looked_at(api):
    response = api.client.post("/v1/houses", content=b"x" * (1_048_576 + 1),
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_repeated_failed_keys_are_refused_for_a_while(api, tmp_path):
    settings = Settings(database_url=str(api.database.engine.url), auth_failures_limit=3,
                        auth_failures_window_seconds=60)
    app = create_app(application=bootstrap(settings, database=api.database,
                                           calculator=api.app.state.calculator))
    client = TestClient(app)
    wrong = {"Authorization": "Bearer wrong-key"}
    assert [client.get("/v1/houses", headers=wrong).status_code for _ in range(3)] == [401] * 3
    refused = client.get("/v1/houses", headers=api.headers("admin"))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_failed_authentications"
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_database_fault_is_logged_as_one_line_without_values(backend_api, caplog):
    """A database error whose text quotes the request's value (PostgreSQL: invalid input
    syntax quotes it; SQLite: the statement's parameters) is logged with its code and the
    request id, never the value."""
    secret = "Сидоров 4501 777888"

    def explode(request: Request) -> None:
        session = request.app.state.database.new_session()
        try:
            session.execute(text("SELECT CAST(:v AS integer) FROM no_such_table"), {"v": secret})
        finally:
            session.close()

    backend_api.app.add_api_route("/v1/test-explode", explode, methods=["GET"])
    client = TestClient(backend_api.app, raise_server_exceptions=False)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/v1/test-explode", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.json()["error"]["request_id"] == "req-42"
    faults = [r for r in caplog.records if "unhandled fault" in r.getMessage()]
    assert len(faults) == 1
    line = faults[0].getMessage()
    assert "request_id=req-42" in line and "route=/v1/test-explode" in line
    assert "\n" not in line and faults[0].exc_info is None
    assert all(secret not in r.getMessage() and "4501" not in (r.exc_text or "")
               for r in caplog.records)
