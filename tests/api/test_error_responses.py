"""Every route declares its error responses in the OpenAPI with the one error body, and the
errors the app answers with have that body."""

from __future__ import annotations

import pytest

from zhkh.api.errors import ErrorBody

BODY = "#/components/schemas/ErrorBody"
WRITES = {"post", "put", "patch", "delete"}
STATELESS = {"/v1/calculate", "/v1/penalties", "/v1/allocate"}
"""POST routes that store nothing: no 409."""


def _operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _declared(operation, status):
    response = operation["responses"].get(str(status))
    if response is None:
        return None
    return response["content"]["application/json"]["schema"]["$ref"]


def test_every_route_declares_401_403_and_422_with_the_error_body(api):
    openapi = api.client.get("/openapi.json").json()
    operations = list(_operations(openapi))
    assert len(operations) > 30
    for path, method, operation in operations:
        for status in (401, 403, 422):
            assert _declared(operation, status) == BODY, (method, path, status)


def test_routes_naming_an_object_declare_404_and_routes_storing_data_declare_409(api):
    openapi = api.client.get("/openapi.json").json()
    for path, method, operation in _operations(openapi):
        assert (_declared(operation, 404) == BODY) == ("{" in path), (method, path)
        stores = method in WRITES and path not in STATELESS
        assert (_declared(operation, 409) == BODY) == stores, (method, path)


def test_the_error_body_names_its_fields_in_the_schema(api):
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["ErrorBody"]["required"] == ["error"]
    detail = schemas["ErrorDetail"]
    assert detail["required"] == ["code", "message"]
    assert {"field", "object", "fields", "account", "service"} <= detail["properties"].keys()


@pytest.mark.parametrize(("method", "path", "body", "role", "status"), [
    ("GET", "/v1/houses", None, None, 401),
    ("POST", "/v1/houses", {"address": "ул. Мира, 1"}, "auditor", 403),
    ("GET", "/v1/houses/999", None, "admin", 404),
    ("POST", "/v1/houses", {"address": ""}, "admin", 422),
    ("GET", "/v1/rules/no.such.rule", None, "admin", 404),
])
def test_error_responses_have_the_declared_body(api, method, path, body, role, status):
    headers = api.headers(role) if role else {}
    response = api.client.request(method, path, json=body, headers=headers)
    assert response.status_code == status, response.text
    ErrorBody.model_validate(response.json())


def test_a_conflict_has_the_declared_body(api, world):
    response = api.post("/v1/accounts", {"number": world.accounts[0]["number"],
                                         "premises_id": world.flats[0]["id"],
                                         "opened_on": "2020-01-01"})
    assert response.status_code == 409
    assert ErrorBody.model_validate(response.json()).error.code == "account_exists"
