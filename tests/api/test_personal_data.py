"""Personal data: shown only to roles with the right, masked in the audit log, never logged."""

from __future__ import annotations

import json
import logging

import pytest

NAME = "Иванов Иван Иванович"
DOC = "4500 123456"


@pytest.mark.parametrize(("role", "sees"), [
    ("admin", True), ("passport_officer", True),
    ("operator", False), ("analyst", False), ("auditor", False),
])
def test_a_person_shows_name_birth_date_and_document_only_to_roles_allowed(
        module_api, module_world, role, sees):
    person_id = module_world.person["id"]
    for body in (module_api.get(f"/v1/persons/{person_id}", role).json(),
                 module_api.get("/v1/persons", role).json()["items"][0]):
        assert body["personal_data_hidden"] is (not sees)
        text = json.dumps(body, ensure_ascii=False)
        assert (NAME in text) is sees
        assert (DOC in text) is sees
        assert ("1980-05-06" in text) is sees


def test_an_absence_document_is_hidden_from_roles_without_the_right(api, world):
    api.ok("POST", "/v1/absences", {"person_id": world.person["id"], "date_from": "2026-10-01",
                                    "date_to": "2026-10-20", "document": "справка № 7"})
    assert api.get("/v1/absences").json()["items"][0]["document"] == "справка № 7"
    assert api.get("/v1/absences", "operator").json()["items"][0]["document"] is None


def test_the_audit_of_a_person_change_names_the_fields_not_the_values(api, world):
    person_id = world.person["id"]
    api.ok("PATCH", f"/v1/persons/{person_id}",
           {"full_name": "Петров Пётр Петрович", "document_number": "4500 654321"})
    entries = api.get(f"/v1/audit?object_type=person&object_id={person_id}").json()["items"]
    update, create = entries
    assert update["action"] == "person.update"
    assert update["after"]["personal_fields_changed"] == ["full_name", "document_number"]
    assert update["before"]["full_name"] == "***"
    assert update["after"]["document_kind"] == "***"
    assert create["after"]["personal_fields_changed"] == [
        "full_name", "birth_date", "document_kind", "document_number"]
    dumped = json.dumps(entries, ensure_ascii=False)
    for secret in (NAME, "Петров", DOC, "654321", "1980-05-06"):
        assert secret not in dumped


def test_personal_values_never_reach_the_logs(api, caplog):
    caplog.set_level(logging.DEBUG)
    api.ok("POST", "/v1/persons", {"full_name": NAME, "document_number": DOC})
    api.post("/v1/persons", {"full_name": NAME, "unexpected": DOC})
    assert NAME not in caplog.text
    assert DOC not in caplog.text
