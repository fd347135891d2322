"""``Idempotency-Key``: same key and body replay the first response; another body is 409."""

from __future__ import annotations

HOUSE = {"address": "ул. Садовая, 5", "total_area": "120.5"}


def test_the_same_key_and_body_replay_the_first_response_and_create_nothing_new(api):
    first = api.post("/v1/houses", HOUSE, **{"Idempotency-Key": "k-1"})
    again = api.post("/v1/houses", {"total_area": "120.5", "address": "ул. Садовая, 5"},
                     **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert api.get("/v1/houses").json()["total"] == 1
    audit = api.get("/v1/audit?action=house.create").json()
    assert audit["total"] == 1


def test_the_same_key_with_another_body_is_an_idempotency_conflict(api):
    assert api.post("/v1/houses", HOUSE, **{"Idempotency-Key": "k-2"}).status_code == 201
    other = api.post("/v1/houses", {**HOUSE, "address": "другой"}, **{"Idempotency-Key": "k-2"})
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"
    assert api.get("/v1/houses").json()["total"] == 1


def test_the_same_key_on_another_path_is_a_conflict(api, world):
    key = {"Idempotency-Key": "k-3"}
    assert api.post("/v1/houses", HOUSE, **key).status_code == 201
    response = api.post("/v1/premises", {"house_id": world.house["id"], "number": "7"}, **key)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"


def test_keys_are_scoped_to_the_caller(api):
    assert api.post("/v1/houses", HOUSE, "admin", **{"Idempotency-Key": "k-4"}).status_code == 201
    second = api.post("/v1/houses", HOUSE, "operator", **{"Idempotency-Key": "k-4"})
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert api.get("/v1/houses").json()["total"] == 2


def test_a_failed_request_is_not_remembered_so_the_fixed_one_goes_through(api):
    bad = api.post("/v1/houses", {"address": ""}, **{"Idempotency-Key": "k-5"})
    assert bad.status_code == 422
    good = api.post("/v1/houses", HOUSE, **{"Idempotency-Key": "k-5"})
    assert good.status_code == 201


def test_a_replayed_reading_keeps_its_first_status(api, world):
    path = f"/v1/meters/{world.meter['id']}/readings"
    body = {"taken_on": "2026-10-20", "value": "10", "source": "portal"}
    first = api.post(path, body, **{"Idempotency-Key": "r-1"})
    again = api.post(path, body, **{"Idempotency-Key": "r-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert api.get(f"{path}").json()["total"] == 1


def test_a_malformed_key_is_422_naming_the_header(api):
    response = api.post("/v1/houses", HOUSE, **{"Idempotency-Key": "with space"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == "header.Idempotency-Key"
