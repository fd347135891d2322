"""Whatever situation a client sends, POST /v1/calculate answers 200 or 422 — never 500."""

from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

SERVICES = ["cold_water", "hot_water", "wastewater", "electricity", "gas", "heating",
            "maintenance", "capital_repair", "solid_waste", "intercom", "elevator"]

def now_and_then(usual, odd):
    """``usual`` nine times in ten, ``odd`` the tenth."""
    return st.integers(0, 9).flatmap(lambda i: odd if i == 0 else usual)


decimals = now_and_then(
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False).map(str),
    # any decimal at all: huge, tiny, negative, many places — a 422, never a 500
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
areas = now_and_then(
    st.decimals(min_value="0.01", max_value=10**4, places=2, allow_nan=False).map(str),
    st.sampled_from(["1e30", "99999999999999", "0.0000001", "9999999999.999999"]),
)
days = st.dates(date(2024, 1, 1), date(2027, 12, 31))  # mostly inside the rules' dates


@st.composite
def meters(draw):
    zones = draw(st.sampled_from([["single"], ["day", "night"], ["day"], ["peak", "half_peak",
                                                                          "night"]]))
    readings = draw(st.lists(st.fixed_dictionaries({
        "date": days.map(date.isoformat), "value": decimals,
        "zone": st.sampled_from(zones)}), max_size=8))
    meter = {"id": draw(st.text("abc", min_size=1, max_size=3)), "zones": zones,
             "readings": readings}
    for key in draw(st.sampled_from([(), ("capacity",), ("verified_until",), ("installed",),
                                     ("removed",), ("failed_on",), ("capacity", "installed")])):
        if draw(st.booleans()):
            meter[key] = draw(decimals if key == "capacity" else days.map(date.isoformat))
    return meter


@st.composite
def situations(draw):
    start = draw(days)
    accounts = []
    for i in range(draw(st.integers(1, 3))):
        residents = [
            {"person": f"p{j}", "from": d.isoformat(),
             "to": (d + timedelta(days=draw(st.integers(0, 400)))).isoformat()}
            for j, d in enumerate(draw(st.lists(days, max_size=3)))
        ]
        services = [
            {"service": s, "provider": "x", "meter_installable": draw(st.booleans()),
             "access_refusals": [d.isoformat() for d in draw(st.lists(days, max_size=3))],
             "meters": draw(st.lists(meters(), max_size=2))}
            for s in draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=4,
                                   unique=True))
        ]
        accounts.append({"number": str(i + 1), "area": draw(areas),
                         "owners": draw(st.integers(0, 3)), "residents": residents,
                         "amenities": draw(st.sampled_from(["full", "no_bath", "odd"])),
                         "services": services})
    house = {"heat_meter": draw(st.booleans()),
             "heating_payment": draw(st.sampled_from(["season", "evenly"])),
             "heating_season": draw(st.sampled_from([True, False, None]))}
    if draw(st.booleans()):
        house["total_area"] = draw(decimals)
        house["heating_volume"] = draw(decimals)
    return {"period": f"{start.year}-{start.month:02d}", "house": house, "accounts": accounts}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.function_scoped_fixture])
@given(situations())
def test_any_situation_gets_a_200_or_a_422_with_a_code(client, situation):
    r = client.post("/v1/calculate", json=situation)
    assert r.status_code in (200, 422), r.text
    body = r.json()
    event(f"{r.status_code} {body['error']['code'] if r.status_code == 422 else 'ok'}")
    if r.status_code == 422:
        assert body["error"]["code"] and body["error"]["message"]
    else:
        total = sum(int(ln["amount"].replace(".", "")) for ln in body["lines"])
        assert total == int(body["total"].replace(".", ""))
