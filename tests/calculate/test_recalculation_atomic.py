"""A change and its recalculation are one: when the open month's calculation is refused, none
of the account's recalculation is written — not even the closed months' recalculation lines
computed before it (issue 14, defect 3) — and the response says so."""

from sqlalchemy import func, select

from zhkh.adapters.db import Database
from zhkh.modules.billing.models import LedgerLine, RecalculationRequest
from zhkh.modules.billing.repository import PeriodRepository

PROVIDERS = [("vodokanal", "Водоканал", "7700000001"), ("teplo", "Теплосеть", "7700000002")]


def _ledger(db: Database) -> list[tuple]:
    with db.reader() as session:
        return [tuple(r) for r in session.execute(select(
            LedgerLine.period_for, LedgerLine.period_booked, LedgerLine.service,
            LedgerLine.kind, LedgerLine.amount_kopecks).order_by(LedgerLine.id))]


def test_a_correction_whose_open_month_is_refused_books_nothing(make_api_client):
    with make_api_client("admin") as admin:
        db = Database.from_url(admin.db_url)
        with db.session() as session:
            for code, name, inn in PROVIDERS:
                from zhkh.modules.registry.models import Provider
                session.add(Provider(code=code, name=name, inn=inn))
            PeriodRepository(session).open("2026-09")
        # a house with a heat meter whose volume nobody gave: heating, from October on,
        # cannot be calculated (house_data_missing); cold water by a meter can
        house = admin.post("/v1/houses", json={"address": "ул. Мира, 7", "total_area": "1000",
                                               "heating_payment": "season",
                                               "house_heat_meter": True}).json()
        flat = admin.post("/v1/premises", json={"house_id": house["id"], "number": "1",
                                                "area": "50", "amenities": "full"}).json()
        assert admin.post("/v1/accounts", json={
            "number": "0000123455", "premises_id": flat["id"], "opened_on": "2020-01-01",
            "services": [
                {"service": "cold_water", "provider": "vodokanal", "date_from": "2020-01-01"},
                {"service": "heating", "provider": "teplo", "date_from": "2026-10-01"}],
        }).status_code == 201
        meter = admin.post("/v1/meters", json={"serial": "ХВ-7", "service": "cold_water",
                                               "premises_id": flat["id"],
                                               "installed_on": "2020-01-01"}).json()
        readings = admin.get(f"/v1/meters/{meter['id']}/readings")
        assert readings.status_code == 200
        for day, value in (("2026-08-24", "100"), ("2026-09-24", "110")):
            r = admin.post(f"/v1/meters/{meter['id']}/readings", json={
                "taken_on": day, "value": value, "source": "portal"})
            assert r.status_code == 201, r.text
        september = admin.get(f"/v1/meters/{meter['id']}/readings").json()
        sept_id = next(x["id"] for x in september["items"] if x["taken_on"] == "2026-09-24")
        with db.session() as session:
            PeriodRepository(session).close("2026-09")
            PeriodRepository(session).open("2026-10")
        october = admin.post(f"/v1/meters/{meter['id']}/readings", json={
            "taken_on": "2026-10-24", "value": "120", "source": "portal"})
        assert october.status_code == 201, october.text
        before = _ledger(db)

        # the closed month's reading corrected to just above the next one: September's
        # volume grows, October's would be a full meter rollover — and October is refused
        corrected = admin.post(f"/v1/meters/{meter['id']}/readings", json={
            "taken_on": "2026-09-24", "value": "120.001", "source": "operator",
            "supersedes_id": sept_id, "reason": "ошибка ввода"})

        assert corrected.status_code == 201, corrected.text
        (recalc,) = corrected.json()["recalculation"]
        assert recalc["status"] == "refused"
        assert recalc["lines"] is None and recalc["queued"] is True
        assert recalc["error"]["code"] == "house_data_missing"
        assert _ledger(db) == before  # no recalculation line of September was kept
        with db.reader() as session:
            queued = session.scalar(select(func.count()).select_from(RecalculationRequest)
                                    .where(RecalculationRequest.processed_at.is_(None)))
        assert queued >= 1
        db.dispose()
