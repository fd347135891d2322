"""Idempotency under concurrency, its expiry, and no personal data in what it stores
(issue 14, defects 6 and 8)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from zhkh.modules.access.models import IdempotencyRecord
from zhkh.modules.passport.models import Person
from zhkh.modules.registry.models import Provider

PERSON = {"full_name": "Кузнецова Анна Сергеевна", "birth_date": "1985-03-04",
          "document_kind": "passport", "document_number": "4512 987654"}


def test_concurrent_twins_with_one_key_replay_the_first_response(backend_api):
    """Twins at the same moment: one change, every twin answers the first's response (on
    PostgreSQL the second waits for the key's lock instead of failing at commit)."""
    twins, rounds = 4, 5
    for round_ in range(rounds):
        barrier = threading.Barrier(twins)
        answers: list[tuple[int, str, bool]] = []
        lock = threading.Lock()
        # a provider's code is unique: without the key's lock a twin ran the whole change and
        # met the first's row there (409 integrity_conflict) before its key was stored
        body = {"code": f"race{round_}", "name": "АО «Теплосеть»", "inn": "7702070139",
                "kpp": "770201001"}

        def post(body=body, barrier=barrier, key=f"race-{round_}", lock=lock,
                 answers=answers) -> None:
            with TestClient(backend_api.app) as client:
                barrier.wait()
                r = client.post("/v1/providers", json=body, headers=backend_api.headers(
                    "admin", **{"Idempotency-Key": key}))
                with lock:
                    answers.append((r.status_code, r.text,
                                    r.headers.get("Idempotent-Replayed") == "true"))

        threads = [threading.Thread(target=post) for _ in range(twins)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert {status for status, _, _ in answers} == {201}, answers
        assert len({text for _, text, _ in answers}) == 1
        assert sum(not replayed for _, _, replayed in answers) == 1
    with backend_api.database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Provider)) == rounds + 1


def test_a_stored_response_expires_and_the_key_is_free_again(backend_api):
    headers = {"Idempotency-Key": "k-expiring"}
    first = backend_api.post("/v1/houses", {"address": "ул. Старая, 1"}, **headers)
    assert first.status_code == 201
    with backend_api.database.session() as session:
        session.execute(update(IdempotencyRecord).values(
            created_at=datetime.now(UTC) - timedelta(hours=25)))
    again = backend_api.post("/v1/houses", {"address": "ул. Старая, 1"}, **headers)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]
    with backend_api.database.reader() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1


def test_no_personal_data_is_stored_for_a_replay(backend_api):
    first = backend_api.post("/v1/persons", PERSON, **{"Idempotency-Key": "k-person"})
    assert first.status_code == 201
    assert first.json()["personal"]["full_name"] == PERSON["full_name"]
    with backend_api.database.reader() as session:
        stored = session.scalar(select(IdempotencyRecord.response_body))
    assert all(value not in stored for value in PERSON.values())
    replay = backend_api.post("/v1/persons", PERSON, **{"Idempotency-Key": "k-person"})
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    body = replay.json()
    assert body["id"] == first.json()["id"] and body["personal_data_hidden"] is True
    assert body["personal"] is None
    assert json.loads(stored)["id"] == first.json()["id"]
    with backend_api.database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1
