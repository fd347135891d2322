"""The documents API through the real app (the composition root's, shipped rules) on a copy
of the billed town: issue with ``Idempotency-Key``, list, read as JSON and PDF (the same bytes
on every request), refusals; the passport office's certificates with their audit trail."""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.db import Database
from zhkh.adapters.print.render import render
from zhkh.adapters.settings import Settings
from zhkh.api.app import create_app
from zhkh.modules.access.service import create_api_key
from zhkh.modules.documents.canonical import load_snapshot
from zhkh.modules.passport.models import Person, PersonData, Registration
from zhkh.modules.registry.models import Premises

from .conftest import page_texts


class Client:
    """The app on its own copy of the town, with a key per role asked for."""

    def __init__(self, url: str, shipped) -> None:
        self.database = Database.from_url(url)
        self.client = TestClient(create_app(application=bootstrap(
            Settings(database_url=url), database=self.database,
            calculator=shipped.calculator)))
        self.keys: dict[str, str] = {}

    def call(self, method: str, path: str, role: str = "operator", **kw):
        if role not in self.keys:
            with self.database.session() as session:
                self.keys[role] = create_api_key(session, f"test {role}", role)
        headers = {"Authorization": f"Bearer {self.keys[role]}", **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def scalar(self, sql: str):
        with self.database.reader() as session:
            return session.execute(text(sql)).scalar()


@pytest.fixture
def api(towns, shipped):
    made = Client(towns.copy("sqlite"), shipped)
    yield made
    made.client.close()
    made.database.dispose()


def _account(api: Client) -> str:
    return api.scalar("SELECT number FROM accounts ORDER BY number LIMIT 1")


class TestIssueAndRead:
    def test_an_issued_document_reads_back_as_json_and_the_same_pdf_every_time(self, api):
        number = _account(api)
        made = api.call("POST", f"/v1/accounts/{number}/documents",
                        json={"period": "2026-10"}, headers={"Idempotency-Key": "epd-1"})
        assert made.status_code == 201, made.text
        body = made.json()
        assert (body["number"], body["kind"], body["account"], body["period"]) == \
            ("ЕПД-2026-10-0000001", "monthly", number, "2026-10")
        assert body["total_to_pay"] == body["snapshot"]["total_to_pay"]
        got = api.call("GET", f"/v1/documents/{body['id']}", role="auditor").json()
        assert got == body
        first = api.call("GET", f"/v1/documents/{body['id']}.pdf", role="cashier")
        second = api.call("GET", f"/v1/documents/{body['id']}.pdf", role="analyst")
        assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
        assert first.content == second.content == render(load_snapshot(
            api.scalar(f"SELECT snapshot FROM issued_documents WHERE id = {body['id']}")))
        assert first.headers["etag"] == f'"{body["content_hash"]}"'
        assert f"№ {body['number']}" in page_texts(first.content)[0]

    def test_a_retried_post_with_its_key_replays_the_answer_and_issues_nothing_more(self, api):
        number = _account(api)
        send = {"json": {"period": "2026-10"}, "headers": {"Idempotency-Key": "retry-1"}}
        first = api.call("POST", f"/v1/accounts/{number}/documents", **send)
        again = api.call("POST", f"/v1/accounts/{number}/documents", **send)
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        assert api.scalar("SELECT count(*) FROM issued_documents") == 1
        other = api.call("POST", f"/v1/accounts/{number}/documents",
                         json={"period": "2026-09"}, headers={"Idempotency-Key": "retry-1"})
        assert other.status_code == 409
        assert other.json()["error"]["code"] == "idempotency_conflict"

    def test_the_account_lists_its_documents_latest_month_first(self, api):
        number = _account(api)
        for period in ("2026-09", "2026-10"):
            assert api.call("POST", f"/v1/accounts/{number}/documents",
                            json={"period": period}).status_code == 201
        listed = api.call("GET", f"/v1/accounts/{number}/documents", role="accountant").json()
        assert [d["period"] for d in listed["items"]] == ["2026-10", "2026-09"]
        only = api.call("GET", f"/v1/accounts/{number}/documents?period=2026-09").json()
        assert only["total"] == 1 and only["items"][0]["number"] == "ЕПД-2026-09-0000001"


class TestRefusals:
    def test_a_second_monthly_document_is_a_conflict_naming_the_first(self, api):
        number = _account(api)
        api.call("POST", f"/v1/accounts/{number}/documents", json={"period": "2026-10"})
        again = api.call("POST", f"/v1/accounts/{number}/documents", json={"period": "2026-10"})
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "document_exists"
        assert "ЕПД-2026-10-0000001" in again.json()["error"]["message"]

    def test_an_open_month_is_refused_with_its_blocking_checks(self, api):
        refused = api.call("POST", f"/v1/accounts/{_account(api)}/documents",
                           json={"period": "2026-11"})
        assert refused.status_code == 422
        error = refused.json()["error"]
        assert error["code"] == "period_not_closed" and error["field"] == "period"

    def test_unknown_things_are_404_and_bad_input_422(self, api):
        assert api.call("GET", "/v1/documents/999").status_code == 404
        assert api.call("GET", "/v1/documents/999.pdf").status_code == 404
        assert api.call("GET", "/v1/accounts/9999999999/documents").status_code == 404
        bad = api.call("POST", f"/v1/accounts/{_account(api)}/documents",
                       json={"kind": "receipt"})
        assert bad.status_code == 422
        money = api.call("POST", f"/v1/accounts/{_account(api)}/documents",
                         json={"period": "2026-13"})
        assert money.status_code == 422


class TestPassportDocuments:
    def test_a_certificate_is_a_numbered_pdf_and_its_reads_are_logged(self, api):
        with api.database.session() as session:
            flat = session.scalar(select(Premises.id).order_by(Premises.id))
            person = Person(birth_date=date(1950, 3, 8))
            session.add(person)
            session.flush()
            session.add(PersonData(person_id=person.id, full_name="Петрова Анна Сергеевна"))
            session.add(Registration(person_id=person.id, premises_id=flat, kind="residence",
                                     date_from=date(2001, 5, 4)))
        body = {"kind": "residents_certificate", "requested_by": "Петрова А. С., лично",
                "purpose": "для органа соцзащиты"}
        made = api.call("POST", f"/v1/premises/{flat}/passport-documents", role="passport_officer",
                        json=body)
        assert made.status_code == 201 and made.headers["content-type"] == "application/pdf"
        number = unquote(made.headers["x-document-number"])
        assert number.startswith("СЗР-") and f"№ {number}" in page_texts(made.content)[0]
        page = page_texts(made.content)[0]
        assert "СПРАВКА О СОСТАВЕ СЕМЬИ" in page and "Петрова Анна Сергеевна 08.03.1950" in page
        assert "для органа соцзащиты" in page
        second = api.call("POST", f"/v1/premises/{flat}/passport-documents",
                          role="passport_officer", json=body)
        assert second.headers["x-document-number"] != number
        entries = api.call("GET", "/v1/audit?action=personal_data.read", role="auditor").json()
        read = entries["items"][0]
        assert read["reason"] == "для органа соцзащиты" and read["object_id"] == str(flat)
        assert person.id in read["after"]["persons"]
        # whose data was read (ids) and who asked — never the values read
        assert "Анна Сергеевна" not in str(read) and "1950" not in str(read)
        assert read["after"]["requested_by"] == "Петрова А. С., лично"
        issued = api.call("GET", "/v1/audit?action=certificate.issue", role="auditor").json()
        assert issued["items"][0]["after"]["number"] == unquote(
            second.headers["x-document-number"])  # a header is Latin-1: percent-encoded
        assert api.scalar("SELECT count(*) FROM issued_certificates") == 2

    def test_only_the_passport_office_issues_them(self, api):
        flat = api.scalar("SELECT id FROM premises ORDER BY id LIMIT 1")
        body = {"kind": "apartment_card", "requested_by": "x", "purpose": "y"}
        refused = api.call("POST", f"/v1/premises/{flat}/passport-documents", role="operator",
                           json=body)
        assert refused.status_code == 403
        missing = api.call("POST", "/v1/premises/999999/passport-documents", role="admin",
                           json=body)
        assert missing.status_code == 404

