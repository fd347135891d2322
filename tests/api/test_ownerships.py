"""``/v1/ownerships``: owners with shares and dates through the real app; every change asks the
recalculation of the premises' accounts (owners count where nobody is registered, п. 56(2))."""

from __future__ import annotations


def _owner(api, world, **body):
    return api.post("/v1/ownerships", {"person_id": world.person["id"],
                                       "premises_id": world.flats[1]["id"],
                                       "date_from": "2026-08-10", **body})


def test_an_owner_with_a_share_is_recorded_and_the_premises_recalculated(api, world):
    api.recalculation.calls.clear()
    made = _owner(api, world, share="1/2")
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["share"], body["date_from"], body["date_to"]) == ("1/2", "2026-08-10", None)
    assert api.recalculation.calls == [(world.accounts[1]["number"], "2026-08")]
    listed = api.ok("GET", f"/v1/ownerships?premises_id={world.flats[1]['id']}")
    assert [o["id"] for o in listed["items"]] == [body["id"]] and listed["total"] == 1
    assert api.ok("GET", f"/v1/ownerships?premises_id={world.flats[1]['id']}"
                         f"&active_on=2026-08-09")["items"] == []


def test_ending_an_ownership_recalculates_from_the_earliest_date_touched(api, world):
    made = _owner(api, world).json()
    api.recalculation.calls.clear()
    ended = api.patch(f"/v1/ownerships/{made['id']}", {"date_to": "2026-10-05",
                                                       "reason": "договор купли-продажи"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["date_to"] == "2026-10-05"
    assert api.recalculation.calls == [(world.accounts[1]["number"], "2026-08")]


def test_shares_above_the_whole_are_refused_with_the_day_and_the_sum(api, world):
    assert _owner(api, world, share="2/3").status_code == 201
    other = api.ok("POST", "/v1/persons", {"full_name": "Петров Пётр Петрович"})
    refused = api.post("/v1/ownerships", {"person_id": other["id"],
                                          "premises_id": world.flats[1]["id"],
                                          "share": "1/2", "date_from": "2026-09-01"})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "ownership_shares_exceed" and "01.09.2026" in error["message"]


def test_a_bad_share_and_an_unknown_premises_are_named(api, world):
    bad = _owner(api, world, share="3/2")
    assert bad.status_code == 422 and "доля больше целого" in bad.text
    unknown = api.post("/v1/ownerships", {"person_id": world.person["id"], "premises_id": 999,
                                          "date_from": "2026-08-10"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "premises_not_found"
    assert api.get("/v1/ownerships/999").json()["error"]["code"] == "ownership_not_found"


def test_a_reader_cannot_add_an_owner(api, world):
    made = api.post("/v1/ownerships", {"person_id": world.person["id"],
                                       "premises_id": world.flats[1]["id"],
                                       "date_from": "2026-08-10"}, role="analyst")
    assert made.status_code == 403
