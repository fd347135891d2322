"""Every role × every endpoint: allowed → neither 401 nor 403; denied → 403 ``forbidden``.

The expected role sets are written out here, independently of the permission table, so a
change of the table that is not also a deliberate change of this test fails.
"""

from __future__ import annotations

import pytest

from zhkh.modules.access.permissions import ROLES, is_allowed
from zhkh.modules.access.service import create_api_key
from zhkh.modules.registry.account_number import make_account_number

ALL = set(ROLES)
REGISTRY_READ = ALL - {"external_system"}
REGISTRY_WRITE = {"admin", "operator"}
PASSPORT_READ = {"admin", "operator", "passport_officer", "analyst", "auditor"}
PASSPORT_WRITE = {"admin", "passport_officer"}
METERS_READ = ALL - {"passport_officer", "accountant"}
METERS_WRITE = {"admin", "operator"}
READINGS_READ = ALL - {"passport_officer", "accountant"}
READINGS_WRITE = {"admin", "operator", "cashier", "external_system"}
METER_ACCESS_READ = {"admin", "operator", "dispatcher", "methodologist", "analyst", "auditor"}
METER_ACCESS_WRITE = {"admin", "operator", "dispatcher"}
AUDIT_READ = {"admin", "auditor"}
COMPLAINTS_READ = {"admin", "dispatcher", "operator", "methodologist", "analyst", "auditor"}
COMPLAINTS_WRITE = {"admin", "dispatcher"}
CALCULATE = {"admin", "methodologist", "external_system"}
FLAT_1_ACCOUNT = make_account_number(100)  # the world's person lives in flat 1
BENEFIT = {"person_id": "{person}", "account": FLAT_1_ACCOUNT, "category": "veteran_labour",
           "date_from": "2025-01-01", "document": "удостоверение ветерана труда"}
INCIDENT = {"house_id": "{house}", "service": "cold_water", "kind": "interruption",
            "started_at": "2026-10-05T08:00", "ended_at": "2026-10-05T20:00"}
COMPLAINT = {"channel": "phone", "house_id": "{house}", "service": "cold_water",
             "kind": "interruption", "started_at": "2026-10-05T08:00", "text": "нет воды"}
PORTALS = {"external_system"}  # complaints:submit — register and read back their own
RULES = {"admin", "methodologist", "analyst", "auditor"}
FINANCE_READ = {"admin", "accountant", "analyst", "auditor"}
FINANCE_WRITE = {"admin", "accountant"}
PAYMENTS_READ = {"admin", "accountant", "operator", "cashier", "analyst", "auditor"}
PAYMENTS_WRITE = {"admin", "accountant", "cashier", "external_system"}
PAYMENTS_REVERSE = {"admin", "accountant"}
BALANCES_READ = {"admin", "accountant", "operator", "cashier", "external_system", "analyst",
                 "auditor"}
DOCUMENTS_READ = {"admin", "operator", "cashier", "accountant", "analyst", "auditor"}
DOCUMENTS_WRITE = {"admin", "operator", "accountant"}
PASSPORT_DOCUMENTS = {"admin", "passport_officer"}
CERTIFICATE = {"kind": "residents_certificate", "requested_by": "Иванов И. И.",
               "purpose": "по месту требования"}
TERMS = {"bank_name": "ПАО Сбербанк", "bik": "044525225",
         "settlement_account": "40702810938000012345", "corr_account": "30101810400000000225"}
CONTRACT = {"provider_id": "{provider}", "management_company_id": "{company}", "number": "Д-2",
            "date_from": "2026-01-01", "scope": [{"service": "cold_water"}], "terms": TERMS}
PAYMENT = {"account": FLAT_1_ACCOUNT, "paid_on": "2026-10-05", "amount": "10.00"}
UPLOAD = object()
"""The body of ``POST /v1/payment-registries``: the registry file below as a form."""
REGISTRY_FILE = (
    f"05-10-2026;09-15-00;8618;0001;800001;{FLAT_1_ACCOUNT};Иванов И. И.;;;100,00;99,00;1,00\r\n"
    "05-10-2026;09-16-00;8618;0001;800002;9999999999;Петров П. П.;;;50,00;49,50;0,50\r\n"
    "=2;150,00;148,50;1,50;1;06-10-2026\r\n").encode("cp1251")

# (method, path with {placeholders} from the world, body, roles allowed)
ENDPOINTS = [
    ("POST", "/v1/houses", {"address": "ул. Мира, 2"}, REGISTRY_WRITE),
    ("GET", "/v1/houses", None, REGISTRY_READ),
    ("GET", "/v1/houses/{house}", None, REGISTRY_READ),
    ("PATCH", "/v1/houses/{house}", {"house_type": "apartment"}, REGISTRY_WRITE),
    ("POST", "/v1/houses/{house}/common-decisions",
     {"date_from": "2026-10-01", "cap_lifted": True, "document": "протокол №1"},
     REGISTRY_WRITE),
    ("GET", "/v1/houses/{house}/common-decisions", None, REGISTRY_READ),
    ("POST", "/v1/premises", {"house_id": "{house}", "number": "99"}, REGISTRY_WRITE),
    ("GET", "/v1/premises", None, REGISTRY_READ),
    ("GET", "/v1/premises/{flat}", None, REGISTRY_READ),
    ("PATCH", "/v1/premises/{flat}", {"rooms": 2}, REGISTRY_WRITE),
    ("POST", "/v1/accounts", {"number": "0000009993", "premises_id": "{flat}",
                              "opened_on": "2024-01-01"}, REGISTRY_WRITE),
    ("GET", "/v1/accounts", None, REGISTRY_READ),
    ("GET", "/v1/accounts/{account}", None, REGISTRY_READ),
    ("PATCH", "/v1/accounts/{account}", {"opened_on": "2020-01-01"}, REGISTRY_WRITE),
    ("POST", "/v1/accounts/{account}/services", {"service": "hot_water",
                                                 "provider": "vodokanal",
                                                 "date_from": "2024-01-01"}, REGISTRY_WRITE),
    ("POST", "/v1/persons", {"birth_date": "1990-01-01"}, PASSPORT_WRITE),
    ("GET", "/v1/persons", None, PASSPORT_READ),
    ("GET", "/v1/persons/{person}", None, PASSPORT_READ),
    ("PATCH", "/v1/persons/{person}", {"birth_date": "1980-05-06"}, PASSPORT_WRITE),
    ("POST", "/v1/registrations", {"person_id": "{person}", "premises_id": "{flat}",
                                   "kind": "stay", "date_from": "2025-01-01",
                                   "date_to": "2025-02-01"}, PASSPORT_WRITE),
    ("GET", "/v1/registrations", None, PASSPORT_READ),
    ("GET", "/v1/registrations/{registration}", None, PASSPORT_READ),
    ("PATCH", "/v1/registrations/{registration}", {"kind": "residence"}, PASSPORT_WRITE),
    ("POST", "/v1/absences", {"person_id": "{person}", "date_from": "2025-03-01",
                              "date_to": "2025-03-20"}, PASSPORT_WRITE),
    ("GET", "/v1/absences", None, PASSPORT_READ),
    ("POST", "/v1/benefits", BENEFIT, PASSPORT_WRITE),
    ("GET", "/v1/benefits", None, PASSPORT_READ),
    ("GET", "/v1/benefits/{benefit}", None, PASSPORT_READ),
    ("PATCH", "/v1/benefits/{benefit}", {"document": "удостоверение №2"}, PASSPORT_WRITE),
    ("POST", "/v1/incidents", INCIDENT, COMPLAINTS_WRITE),
    ("GET", "/v1/incidents", None, COMPLAINTS_READ),
    ("GET", "/v1/incidents/{incident}", None, COMPLAINTS_READ),
    ("PATCH", "/v1/incidents/{incident}", {"reference": "акт №7"}, COMPLAINTS_WRITE),
    ("POST", "/v1/complaints", COMPLAINT, COMPLAINTS_WRITE | PORTALS),
    ("GET", "/v1/complaints", None, COMPLAINTS_READ | PORTALS),
    ("GET", "/v1/complaints/{complaint}", None, COMPLAINTS_READ | PORTALS),
    ("POST", "/v1/complaints/{complaint}/transition", {"to": "accepted"}, COMPLAINTS_WRITE),
    ("POST", "/v1/meters", {"serial": "Z", "service": "hot_water", "premises_id": "{flat}",
                            "installed_on": "2024-01-01"}, METERS_WRITE),
    ("GET", "/v1/meters", None, METERS_READ),
    ("GET", "/v1/meters/{meter}", None, METERS_READ),
    ("PATCH", "/v1/meters/{meter}", {"serial": "X-1"}, METERS_WRITE),
    ("POST", "/v1/meters/{meter}/readings", {"taken_on": "2026-10-20", "value": "12.5",
                                             "source": "portal"}, READINGS_WRITE),
    ("GET", "/v1/meters/{meter}/readings", None, READINGS_READ),
    ("POST", "/v1/meter-access-refusals", {"premises_id": "{flat}", "service": "electricity",
                                           "refused_on": "2026-10-05", "act_number": "Н-99",
                                           "drawn_up_by": "контролёр"}, METER_ACCESS_WRITE),
    ("GET", "/v1/meter-access-refusals", None, METER_ACCESS_READ),
    ("GET", "/v1/meter-access-refusals/{refusal}", None, METER_ACCESS_READ),
    ("POST", "/v1/meter-access-refusals/{refusal}/cancel", {"reason": "внесён ошибочно"},
     METER_ACCESS_WRITE),
    ("GET", "/v1/audit", None, AUDIT_READ),
    ("GET", "/v1/audit/access", None, AUDIT_READ),
    ("POST", "/v1/calculate", {}, CALCULATE),
    ("GET", "/v1/rules", None, RULES),
    ("POST", "/v1/management-companies", {"name": "УК", "inn": "7707083893"}, FINANCE_WRITE),
    ("GET", "/v1/management-companies", None, FINANCE_READ),
    ("GET", "/v1/management-companies/{company}", None, FINANCE_READ),
    ("PATCH", "/v1/management-companies/{company}", {"phone": "+7 000"}, FINANCE_WRITE),
    ("POST", "/v1/providers", {"code": "elektro", "name": "Энерго", "inn": "7707083893"},
     FINANCE_WRITE),
    ("GET", "/v1/providers", None, FINANCE_READ),
    ("GET", "/v1/providers/{provider}", None, FINANCE_READ),
    ("PATCH", "/v1/providers/{provider}", {"phone": "+7 000"}, FINANCE_WRITE),
    ("POST", "/v1/contracts", CONTRACT, FINANCE_WRITE),
    ("GET", "/v1/contracts", None, FINANCE_READ),
    ("GET", "/v1/contracts/{contract}", None, FINANCE_READ),
    ("PATCH", "/v1/contracts/{contract}", {"signed_on": "2025-12-01"}, FINANCE_WRITE),
    ("POST", "/v1/contracts/{contract}/terms", {**TERMS, "date_from": "2026-02-01"},
     FINANCE_WRITE),
    ("POST", "/v1/payments", PAYMENT, PAYMENTS_WRITE),
    ("GET", "/v1/payments", None, PAYMENTS_READ),
    ("GET", "/v1/payments/{payment}", None, PAYMENTS_READ),
    ("POST", "/v1/payments/{payment}/reverse", {"reason": "ошибка"}, PAYMENTS_REVERSE),
    ("GET", "/v1/accounts/{account}/balance", None, BALANCES_READ),
    ("POST", "/v1/payment-registries", UPLOAD, FINANCE_WRITE),
    ("GET", "/v1/payment-registries", None, FINANCE_READ),
    ("GET", "/v1/payment-registries/{registry}", None, FINANCE_READ),
    ("GET", "/v1/unidentified-payments", None, FINANCE_READ),
    ("POST", "/v1/unidentified-payments/{line}/match",
     {"account": FLAT_1_ACCOUNT, "reason": "найден"}, FINANCE_WRITE),
    ("GET", "/v1/turnover?period=2026-10", None, FINANCE_READ),
    ("GET", "/v1/debtors", None, FINANCE_READ),
    ("GET", "/v1/transfers/due", None, FINANCE_READ),
    ("POST", "/v1/transfers", {"provider_id": "{provider}", "date_from": "2026-10-01",
                               "date_to": "2026-10-02"}, FINANCE_WRITE),
    ("GET", "/v1/transfers/reconciliation?date_from=2026-10-01&date_to=2026-10-31", None,
     FINANCE_READ),
    ("POST", "/v1/accounts/{account}/documents", {"period": "2026-10"}, DOCUMENTS_WRITE),
    ("GET", "/v1/accounts/{account}/documents", None, DOCUMENTS_READ),
    ("GET", "/v1/documents/1", None, DOCUMENTS_READ),
    ("GET", "/v1/documents/1.pdf", None, DOCUMENTS_READ),
    ("POST", "/v1/premises/{flat}/passport-documents", CERTIFICATE, PASSPORT_DOCUMENTS),
]


def _send(api, method, path, role, body, ids):
    """One request as ``role`` (None: without a key); the registry upload as a form."""
    headers = api.headers(role) if role else {}
    if body is UPLOAD:
        return api.client.request(method, _fill(path, ids), headers=headers, files={
            "file": ("reestr.txt", REGISTRY_FILE)}, data={"format": "sberbank_classic"})
    return api.client.request(method, _fill(path, ids), json=_fill(body, ids), headers=headers)


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: (int(_fill(v, ids)) if isinstance(v, str) and v.startswith("{")
                    else _fill(v, ids)) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def ids(module_api, module_world):
    w = module_world
    refusal = module_api.ok("POST", "/v1/meter-access-refusals", {
        "premises_id": w.flats[1]["id"], "service": "electricity", "refused_on": "2026-09-14",
        "act_number": "Н-1", "drawn_up_by": "контролёр"})
    found = {"house": w.house["id"], "flat": w.flats[1]["id"],
             "account": w.accounts[1]["number"], "person": w.person["id"],
             "registration": w.registration["id"], "meter": w.meter["id"],
             "refusal": refusal["id"]}
    found["benefit"] = module_api.ok("POST", "/v1/benefits", _fill(BENEFIT, found))["id"]
    found["incident"] = module_api.ok("POST", "/v1/incidents", _fill(INCIDENT, found))["id"]
    found["complaint"] = module_api.ok("POST", "/v1/complaints", _fill(COMPLAINT, found))["id"]
    found["company"] = module_api.ok("POST", "/v1/management-companies", {
        "name": "УК «Центр»", "inn": "7736050003"})["id"]
    found["provider"] = module_api.ok("POST", "/v1/providers", {
        "code": "teplo", "name": "Теплосеть", "inn": "7702070139"})["id"]
    found["contract"] = module_api.ok("POST", "/v1/contracts", {
        **_fill(CONTRACT, found), "number": "Д-1"})["id"]
    found["payment"] = module_api.ok("POST", "/v1/payments", PAYMENT)["id"]
    loaded = module_api.upload(REGISTRY_FILE.replace(b"800", b"900"))
    found["registry"] = loaded.json()["registry_id"]
    found["line"] = module_api.get("/v1/unidentified-payments").json()["items"][0]["id"]
    return found


CASES = [(role, method, path, body, role in allowed)
         for method, path, body, allowed in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("role", "method", "path", "body", "allowed"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_a_role_reaches_exactly_the_endpoints_its_permissions_grant(
        module_api, ids, role, method, path, body, allowed):
    response = _send(module_api, method, path, role, body, ids)
    if allowed:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"


def test_the_expected_matrix_is_the_permission_table_for_every_endpoint_module():
    modules = {"/v1/houses": "registry", "/v1/audit": "audit", "/v1/rules": "rules",
               "/v1/meter-access-refusals": "meter_access", "/v1/benefits": "passport",
               "/v1/incidents": "complaints", "/v1/management-companies": "finance",
               "/v1/contracts": "finance", "/v1/payment-registries": "finance",
               "/v1/payments": "payments", "/v1/accounts/{account}/balance": "balances"}
    actions = {"/v1/payments/{payment}/reverse": ("payments", "reverse")}
    checked = 0
    for method, path, _body, allowed in ENDPOINTS:
        module, action = actions.get(path, (modules.get(path), None))
        if module is not None:
            action = action or ("read" if method == "GET" else "write")
            assert {r for r in ROLES if is_allowed(r, module, action)} == allowed, path
            checked += 1
    assert checked == 20


def test_every_route_of_the_app_is_in_the_matrix(module_api):
    listed = {(m, p.split("?")[0]) for m, p, _b, _a in ENDPOINTS}
    names = {"{house_id}": "{house}", "{premises_id}": "{flat}", "{number}": "{account}",
             "{person_id}": "{person}", "{registration_id}": "{registration}",
             "{benefit_id}": "{benefit}", "{incident_id}": "{incident}",
             "{meter_id}": "{meter}", "{refusal_id}": "{refusal}",
             "{company_id}": "{company}", "{provider_id}": "{provider}",
             "{contract_id}": "{contract}", "{payment_id}": "{payment}",
             "{registry_id}": "{registry}", "{line_id}": "{line}"}
    for path, item in module_api.client.get("/openapi.json").json()["paths"].items():
        for old, new in names.items():
            path = path.replace(old, new)
        for method in item:
            if path.startswith(("/v1/payments", "/v1/payment-registries", "/v1/contracts",
                                "/v1/providers", "/v1/management-companies", "/v1/transfers",
                                "/v1/unidentified-payments", "/v1/turnover", "/v1/debtors",
                                "/v1/accounts/{account}/balance")):
                assert (method.upper(), path) in listed, (method, path)


@pytest.mark.parametrize(("method", "path", "body"), [(m, p, b) for m, p, b, _ in ENDPOINTS])
def test_every_endpoint_answers_401_without_a_key(module_api, ids, method, path, body):
    response = _send(module_api, method, path, None, body, ids)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer zk_not-a-real-key"},
    {"X-API-Key": "zk_not-a-real-key"},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "Bearer "},
])
def test_an_unknown_or_malformed_key_is_401(module_api, headers):
    response = module_api.client.get("/v1/houses", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_the_x_api_key_header_works_like_bearer(module_api):
    key = module_api.keys["operator"]
    assert module_api.client.get("/v1/houses", headers={"X-API-Key": key}).status_code == 200


def test_a_revoked_key_is_refused(api):
    from zhkh.modules.access.service import authenticate, revoke_api_key

    with api.database.session() as session:
        principal = authenticate(session, api.keys["cashier"])
        revoke_api_key(session, principal.key_id)
    assert api.get("/v1/houses", "cashier").status_code == 401


def test_unknown_roles_get_nothing():
    assert not is_allowed("nobody", "registry", "read")
    assert not is_allowed("cashier", "registry", "write")


# --- data scope: a key sees only its management companies' houses ----------------------------

OBJECT_KEYS = ("{house}", "{flat}", "{account}", "{person}", "{registration}", "{meter}",
               "{refusal}", "{benefit}", "{incident}", "{payment}", "{complaint}")
LISTS = {  # list endpoint → the world's objects it shows to a key that may see them
    "/v1/houses": 1, "/v1/premises": 2, "/v1/accounts": 2, "/v1/persons": 1,
    "/v1/registrations": 1, "/v1/benefits": 1, "/v1/incidents": 1, "/v1/meters": 1,
    "/v1/complaints": 1,
    "/v1/meter-access-refusals": 1, "/v1/payments": 1,
}


@pytest.fixture(scope="module")
def scoped(module_api, ids):
    """The world's house put under company «Север»; admin keys scoped to «Север» (sees the
    world) and to «Центр» (sees none of it)."""
    from zhkh.modules.access.scope import Scope

    north = module_api.ok("POST", "/v1/management-companies", {
        "name": "УК «Север»", "inn": "7710140679"})["id"]
    module_api.ok("PATCH", f"/v1/houses/{ids['house']}", {"management_company_id": north})
    with module_api.database.session() as session:
        keys = {"in": create_api_key(session, "scoped in", "admin", Scope(frozenset({north}))),
                "out": create_api_key(session, "scoped out", "admin",
                                      Scope(frozenset({ids["company"]})))}
    return {name: {"Authorization": f"Bearer {key}"} for name, key in keys.items()}


SCOPE_CASES = [(m, p, b) for m, p, b, _ in ENDPOINTS
               if any(k in p for k in OBJECT_KEYS) and not p.endswith("/passport-documents")]


@pytest.mark.parametrize(("method", "path", "body"), SCOPE_CASES,
                         ids=[f"{m}-{p}" for m, p, _ in SCOPE_CASES])
def test_an_object_of_another_management_company_is_not_found(module_api, ids, scoped,
                                                                method, path, body):
    response = module_api.client.request(method, _fill(path, ids), json=_fill(body, ids),
                                         headers=scoped["out"])
    assert response.status_code == 404, response.text
    if method == "GET":
        allowed = module_api.client.get(_fill(path, ids), headers=scoped["in"])
        assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize("path", sorted(LISTS))
def test_a_list_shows_only_the_key_s_management_companies(module_api, ids, scoped, path):
    inside = module_api.client.get(path, headers=scoped["in"]).json()
    outside = module_api.client.get(path, headers=scoped["out"]).json()
    assert outside["total"] == 0 and outside["items"] == [], outside
    assert inside["total"] >= LISTS[path], inside


def test_reports_sum_only_the_key_s_companies(module_api, ids, scoped):
    for path in ("/v1/debtors", "/v1/unidentified-payments"):
        outside = module_api.client.get(path, headers=scoped["out"])
        assert outside.status_code == 200, outside.text
    assert module_api.client.get("/v1/management-companies",
                                 headers=scoped["out"]).json()["total"] == 1


def test_a_new_object_under_another_company_s_house_is_refused(module_api, ids, scoped):
    response = module_api.client.post("/v1/premises", json={
        "house_id": ids["house"], "number": "77"}, headers=scoped["out"])
    assert response.status_code == 422, response.text  # as for a house that does not exist
    assert response.json()["error"]["code"] == "house_not_found"
    response = module_api.client.post("/v1/premises", json={
        "house_id": ids["house"], "number": "78"}, headers=scoped["in"])
    assert response.status_code == 201, response.text


def test_a_scope_is_parsed_strictly():
    from zhkh.modules.access.scope import ALL, Scope
    from zhkh.modules.errors import Invalid

    assert Scope.parse("all") is ALL and Scope.parse(None) is ALL
    assert Scope.parse(" 7, 3") == Scope(frozenset({3, 7}))
    assert Scope(frozenset({7, 3})).stored() == "3,7"
    assert Scope.from_stored("3,7") == Scope(frozenset({3, 7})) and Scope.from_stored(None) is ALL
    for bad in ("x", "1;2", "-1", "0", "1,,2"):
        with pytest.raises(Invalid, match="область данных"):
            Scope.parse(bad)
