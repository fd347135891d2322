"""``/v1/meter-access-refusals``: acts of refused access to a meter through the REST layer
(the recalculation seam is stubbed here; ``tests/calculate/test_access_refusals_online.py``
checks the recalculated lines with the real rules)."""

from __future__ import annotations

PATH = "/v1/meter-access-refusals"


def act(world, **extra):
    return {"premises_id": world.flats[0]["id"], "service": "electricity",
            "refused_on": "2026-09-14", "act_number": "Н-17",
            "drawn_up_by": "ООО «Энергосбыт», контролёр Петров П. П.", **extra}


def test_an_act_is_recorded_audited_and_the_premises_accounts_are_recalculated(api, world):
    body = api.ok("POST", PATH, act(world, reason="акт передан поставщиком"))
    assert (body["premises_id"], body["service"], body["refused_on"], body["act_number"]) == (
        world.flats[0]["id"], "electricity", "2026-09-14", "Н-17")
    assert body["account"] is None and body["cancelled_at"] is None
    # the act concerns every account of the premises, from the act's month
    assert [(r["account"], r["period"]) for r in body["recalculation"]] == [
        (world.accounts[0]["number"], "2026-09")]
    (entry,) = api.get("/v1/audit?action=meter_access_refusal.create").json()["items"]
    assert entry["object_id"] == str(body["id"]) and entry["reason"] == "акт передан поставщиком"
    assert entry["after"]["act_number"] == "Н-17"


def test_an_act_limited_to_one_account_recalculates_only_it(api, world):
    body = api.ok("POST", PATH, act(world, account=world.accounts[0]["number"]))
    assert body["account"] == world.accounts[0]["number"]
    assert [r["account"] for r in body["recalculation"]] == [world.accounts[0]["number"]]


def test_the_same_standing_act_is_a_conflict_and_an_idempotent_retry_replays(api, world):
    first = api.post(PATH, act(world), **{"Idempotency-Key": "act-17"})
    again = api.post(PATH, act(world), **{"Idempotency-Key": "act-17"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    twin = api.post(PATH, act(world))
    assert twin.status_code == 409
    assert twin.json()["error"]["code"] == "access_refusal_exists"
    assert twin.json()["error"]["field"] == "act_number"
    assert api.get(PATH).json()["total"] == 1


def test_bad_references_name_the_field(api, world):
    cases = [
        ({"premises_id": 999_999}, "premises_not_found", "premises_id"),
        ({"account": world.accounts[1]["number"]}, "account_not_on_premises", "account"),
        ({"account": "0000000000"}, "account_not_found", "account"),
        # the world's meter is a cold-water meter of flat 1
        ({"meter_id": world.meter["id"]}, "meter_not_on_premises", "meter_id"),
        ({"refused_on": "2099-01-01"}, "refused_on_in_future", "refused_on"),
    ]
    for extra, code, field in cases:
        response = api.post(PATH, act(world, **extra))
        assert response.status_code == 422, (extra, response.text)
        assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
            code, field)
    assert api.get(PATH).json()["total"] == 0


def test_an_empty_act_number_is_refused_by_the_schema(api, world):
    response = api.post(PATH, act(world, act_number=""))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_a_cancelled_act_leaves_the_list_but_stays_in_the_history(api, world):
    created = api.ok("POST", PATH, act(world))
    cancelled = api.ok("POST", f"{PATH}/{created['id']}/cancel",
                       {"reason": "внесён ошибочно: акт другого дома"}, status=200)
    assert cancelled["cancel_reason"] == "внесён ошибочно: акт другого дома"
    assert cancelled["cancelled_at"] is not None and cancelled["recalculation"]
    assert api.get(PATH).json()["total"] == 0
    history = api.get(f"{PATH}?include_cancelled=true").json()["items"]
    assert [i["id"] for i in history] == [created["id"]]
    twice = api.post(f"{PATH}/{created['id']}/cancel", {"reason": "ещё раз"})
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "access_refusal_cancelled"
    # the same number may be entered again once the wrong record is cancelled
    assert api.post(PATH, act(world, refused_on="2026-09-15")).status_code == 201
    (entry,) = api.get("/v1/audit?action=meter_access_refusal.cancel").json()["items"]
    assert entry["before"]["cancelled_at"] is None and entry["after"]["cancel_reason"]


def test_the_list_filters_by_account_premises_and_service(api, world):
    flat1, flat2 = world.flats[0]["id"], world.flats[1]["id"]
    api.ok("POST", PATH, act(world))
    api.ok("POST", PATH, act(world, act_number="Н-18", service="gas"))
    api.ok("POST", PATH, act(world, premises_id=flat2, act_number="Н-19"))
    api.ok("POST", PATH, act(world, act_number="Н-20", account=world.accounts[0]["number"]))

    def numbers(query):
        return [i["act_number"] for i in api.get(f"{PATH}?{query}").json()["items"]]

    assert numbers(f"premises_id={flat1}&service=electricity") == ["Н-17", "Н-20"]
    assert numbers(f"account={world.accounts[1]['number']}") == ["Н-19"]
    assert numbers(f"account={world.accounts[0]['number']}") == ["Н-17", "Н-18", "Н-20"]
    assert api.get(f"{PATH}?account=0000000000").status_code == 404


def test_an_unknown_act_is_404(api):
    response = api.get(f"{PATH}/424242")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "access_refusal_not_found"
