"""``/v1/complaints`` through the real app, on SQLite and PostgreSQL: the dispatcher's
workflow, its refusals (in Russian, naming the states), the incident a confirmed quality
complaint records and the recalculation it causes (the recalculation itself is replaced here;
``tests/calculate/test_complaint_reduction.py`` runs it with the real rules), the due times,
what a portal may do, and the history the database keeps append-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.api.conftest import World
from zhkh.modules.complaints import desk


@pytest.fixture
def desk_api(backend_api):
    """The app on both databases, the world seeded, recalculation answering one line."""
    backend_api.world = World(backend_api)
    backend_api.recalculation.lines = lambda _n, _p: [
        {"service": "cold_water", "kind": "quality_reduction", "amount": "-4.34"}]
    return backend_api


def _complaint(world, **more):
    return {"channel": "phone", "caller_name": "Иванова М. П.", "caller_phone": "+7 900 1",
            "account": world.accounts[0]["number"], "service": "cold_water",
            "kind": "interruption", "started_at": "2026-10-05T08:00",
            "text": "Нет холодной воды с утра", **more}


def _move(api, complaint_id, to, role="dispatcher", **more):
    return api.post(f"/v1/complaints/{complaint_id}/transition", {"to": to, **more}, role)


def _error(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


class TestTheDispatcherWorkflow:
    def test_a_confirmed_complaint_records_the_incident_and_recalculates_the_account(
            self, desk_api):
        api, world = desk_api, desk_api.world
        created = api.post("/v1/complaints", _complaint(world), "dispatcher")
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["status"], body["status_title"], body["premises_id"], body["house_id"]) \
            == ("new", "новое", world.flats[0]["id"], world.house["id"])
        cid = body["id"]
        for to in ("accepted", "inspection"):
            assert _move(api, cid, to).status_code == 200
        api.recalculation.calls.clear()
        confirmed = _move(api, cid, "confirmed", comment="акт проверки №12",
                          ended_at="2026-10-06T02:00").json()
        assert confirmed["status"] == "confirmed"
        assert confirmed["recalculated"] == {"period": "2026-10", "accounts": 1, "errors": []}
        assert api.recalculation.calls == [(world.accounts[0]["number"], "2026-10")]
        incident = api.get(f"/v1/incidents/{confirmed['incident_id']}").json()
        assert (incident["premises_id"], incident["kind"], incident["reference"],
                incident["started_at"], incident["ended_at"]) == (
            world.flats[0]["id"], "interruption", f"обращение №{cid}",
            "2026-10-05T08:00:00", "2026-10-06T02:00:00")
        closed = _move(api, cid, "closed").json()
        assert closed["status"] == "closed" and closed["due_at"] is None
        history = api.get(f"/v1/complaints/{cid}", "operator").json()["history"]
        assert [(h["from_status"], h["to_status"]) for h in history] == [
            (None, "new"), ("new", "accepted"), ("accepted", "inspection"),
            ("inspection", "confirmed"), ("confirmed", "closed")]
        assert history[3]["comment"] == "акт проверки №12"
        assert all(h["actor"].endswith("test-dispatcher") for h in history)
        audit = api.get(f"/v1/audit?object_type=complaint&object_id={cid}", "auditor").json()
        assert [e["action"] for e in audit["items"]][::-1] == [
            "complaint.create", *["complaint.transition"] * 4]

    def test_a_complaint_of_another_kind_is_confirmed_without_an_incident(self, desk_api):
        api, world = desk_api, desk_api.world
        cid = api.post("/v1/complaints", _complaint(world, kind="other", channel="visit"),
                       "dispatcher").json()["id"]
        for to in ("accepted", "inspection", "confirmed"):
            assert _move(api, cid, to).status_code == 200
        assert api.get(f"/v1/complaints/{cid}").json()["incident_id"] is None
        assert api.get("/v1/incidents").json()["total"] == 0

    def test_an_illegal_step_is_refused_naming_both_states(self, desk_api):
        api, world = desk_api, desk_api.world
        cid = api.post("/v1/complaints", _complaint(world), "dispatcher").json()["id"]
        error = _error(_move(api, cid, "confirmed"), 409)
        assert error["code"] == "illegal_transition"
        assert error["message"] == (f"обращение №{cid} в состоянии «новое»: перевести его в "
                                    "«подтверждено» нельзя — можно только в «принято»")
        for to in ("accepted", "inspection"):
            _move(api, cid, to)
        assert "можно только в «подтверждено» или «отклонено»" in _error(
            _move(api, cid, "closed"), 409)["message"]
        _move(api, cid, "rejected", comment="давление в норме по замеру")
        _move(api, cid, "closed")
        assert "«закрыто»: перевести его в «принято» нельзя — обращение закрыто" in _error(
            _move(api, cid, "accepted"), 409)["message"]
        assert len(api.get(f"/v1/complaints/{cid}").json()["history"]) == 5

    def test_rejecting_needs_a_reason_and_records_no_incident(self, desk_api):
        api, world = desk_api, desk_api.world
        cid = api.post("/v1/complaints", _complaint(world), "dispatcher").json()["id"]
        for to in ("accepted", "inspection"):
            _move(api, cid, to)
        for comment in (None, "   "):
            error = _error(_move(api, cid, "rejected", comment=comment), 422)
            assert (error["code"], error["field"]) == ("reason_required", "comment")
        body = _move(api, cid, "rejected", comment="плановое отключение, жители извещены")
        assert body.json()["status"] == "rejected" and body.json()["incident_id"] is None
        assert api.get("/v1/incidents").json()["total"] == 0

    def test_a_refused_confirmation_changes_nothing(self, desk_api):
        api, world = desk_api, desk_api.world
        cid = api.post("/v1/complaints", _complaint(world), "dispatcher").json()["id"]
        for to in ("accepted", "inspection"):
            _move(api, cid, to)
        error = _error(_move(api, cid, "confirmed", ended_at="2026-10-01T00:00"), 422)
        assert error["code"] == "times_out_of_order"
        complaint = api.get(f"/v1/complaints/{cid}").json()
        assert complaint["status"] == "inspection" and len(complaint["history"]) == 3

    def test_only_the_dispatcher_roles_move_a_complaint(self, desk_api):
        api, world = desk_api, desk_api.world
        cid = api.post("/v1/complaints", _complaint(world), "dispatcher").json()["id"]
        for role in ("operator", "external_system", "passport_officer"):
            assert _move(api, cid, "accepted", role).status_code == 403
        assert _move(api, cid, "accepted", "admin").status_code == 200


class TestRegistration:
    @pytest.mark.parametrize(("change", "code", "field"), [
        ({"account": "0000000018"}, "account_not_found", "account"),
        ({"account": None, "house_id": None}, "house_required", "house_id"),
        ({"service": "intercom"}, "no_quality_rule", "service"),
        ({"person_id": 999999}, "person_not_found", "person_id"),
        ({"text": "  "}, "invalid_input", None),
        ({"channel": "email"}, "invalid_input", None),
    ])
    def test_a_refused_complaint_names_the_field_and_stores_nothing(
            self, desk_api, change, code, field):
        api = desk_api
        error = _error(api.post("/v1/complaints", _complaint(api.world, **change),
                                "dispatcher"), 422)
        assert error["code"] == code and error.get("field") == field
        assert api.get("/v1/complaints").json()["total"] == 0

    def test_a_complaint_about_the_house_needs_no_account(self, desk_api):
        api, world = desk_api, desk_api.world
        body = api.post("/v1/complaints", _complaint(
            world, account=None, house_id=world.house["id"], caller_name=None,
            caller_phone=None), "dispatcher").json()
        assert (body["account"], body["premises_id"], body["house_id"]) == (
            None, None, world.house["id"])


class TestDueTimes:
    def test_due_times_follow_the_steps_and_overdue_ones_are_listed(self, desk_api,
                                                                     monkeypatch):
        api, world = desk_api, desk_api.world
        received = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
        monkeypatch.setattr(desk, "now", lambda: received)
        late = api.post("/v1/complaints", _complaint(world), "dispatcher").json()
        assert late["due_at"] == "2026-10-05T10:00:00Z"  # registered within the hour
        monkeypatch.setattr(desk, "now", lambda: received + timedelta(minutes=30))
        accepted = _move(api, late["id"], "accepted").json()
        # the inspection is due 2 hours after the report (ПП №354, п. 108), not the acceptance
        assert accepted["due_at"] == "2026-10-05T11:00:00Z"
        fresh_at = received + timedelta(hours=3)
        monkeypatch.setattr(desk, "now", lambda: fresh_at)
        fresh = api.post("/v1/complaints", _complaint(world, kind="other"),
                         "dispatcher").json()
        overdue = api.get("/v1/complaints?overdue=true", "operator").json()
        assert [c["id"] for c in overdue["items"]] == [late["id"]]
        assert overdue["items"][0]["overdue"] is True
        everything = api.get("/v1/complaints").json()["items"]
        assert [(c["id"], c["overdue"]) for c in everything] == [
            (late["id"], True), (fresh["id"], False)]
        assert api.get("/v1/complaints?status=new").json()["total"] == 1
        assert api.get(f"/v1/complaints?house_id={world.house['id']}&status=accepted"
                       ).json()["total"] == 1


class TestPortals:
    def test_a_portal_registers_and_reads_back_only_its_own_complaints(self, desk_api):
        api, world = desk_api, desk_api.world
        theirs = api.post("/v1/complaints", _complaint(world), "dispatcher").json()
        own = api.post("/v1/complaints", _complaint(world, channel="portal"),
                       "external_system")
        assert own.status_code == 201, own.text
        listed = api.get("/v1/complaints", "external_system").json()
        assert [c["id"] for c in listed["items"]] == [own.json()["id"]]
        assert api.get(f"/v1/complaints/{own.json()['id']}", "external_system").json()[
            "history"][0]["to_status"] == "new"
        assert _error(api.get(f"/v1/complaints/{theirs['id']}", "external_system"),
                      404)["code"] == "complaint_not_found"
        assert api.get("/v1/complaints", "dispatcher").json()["total"] == 2

    def test_the_caller_s_contacts_are_shown_only_to_those_who_work_the_complaint(
            self, desk_api):
        api, world = desk_api, desk_api.world
        cid = api.post("/v1/complaints", _complaint(world), "dispatcher").json()["id"]
        for role in ("dispatcher", "admin"):
            body = api.get(f"/v1/complaints/{cid}", role).json()
            assert (body["caller_name"], body["contacts_hidden"]) == ("Иванова М. П.", False)
        for role in ("analyst", "auditor", "operator", "methodologist"):
            body = api.get(f"/v1/complaints/{cid}", role).json()
            assert (body["caller_name"], body["caller_phone"], body["contacts_hidden"]) == (
                None, None, True), role
            listed = api.get("/v1/complaints", role).json()["items"][0]
            assert listed["caller_name"] is None and listed["text"] == "Нет холодной воды с утра"

    @pytest.mark.parametrize("role", ["cashier", "passport_officer", "accountant"])
    def test_roles_without_complaints_neither_register_nor_read(self, desk_api, role):
        assert desk_api.post("/v1/complaints", _complaint(desk_api.world),
                             role).status_code == 403
        assert desk_api.get("/v1/complaints", role).status_code == 403


class TestHistoryIsKept:
    def test_the_database_refuses_to_change_or_delete_the_history(self, desk_api):
        api, world = desk_api, desk_api.world
        cid = api.post("/v1/complaints", _complaint(world), "dispatcher").json()["id"]
        for statement in (
                f"UPDATE complaint_events SET comment = 'x' WHERE complaint_id = {cid}",
                f"DELETE FROM complaint_events WHERE complaint_id = {cid}",
                f"DELETE FROM complaints WHERE id = {cid}"):
            with pytest.raises(DBAPIError, match=r"не изменяется|не удаляется"):
                with api.database.session() as session:
                    session.execute(text(statement))
        with api.database.session() as session:  # an open complaint may change its step
            session.execute(text(f"UPDATE complaints SET text = 'y' WHERE id = {cid}"))
        for to in ("accepted", "inspection"):
            _move(api, cid, to)
        _move(api, cid, "rejected", comment="нет нарушения")
        _move(api, cid, "closed")
        with pytest.raises(DBAPIError, match="закрытое обращение не изменяется"):
            with api.database.session() as session:
                session.execute(text(f"UPDATE complaints SET text = 'z' WHERE id = {cid}"))
        assert len(api.get(f"/v1/complaints/{cid}").json()["history"]) == 5
