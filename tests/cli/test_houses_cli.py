"""``zhkh houses``: a house's dated decisions on common property (СОИ), recorded once per date
through the service the API uses (audited, the house's accounts queued), listed by date."""

from __future__ import annotations

import json


def test_a_decision_is_recorded_listed_and_a_second_one_of_its_date_refused(sqlite_town):
    town = sqlite_town
    town.ok("houses", "decision-add", town.house_id, "--from", "01.10.2026", "--document",
            "протокол №3", "--actor", "Иванова")
    town.ok("houses", "decision-add", town.house_id, "--from", "2027-01-01", "--capped",
            "--document", "протокол №4")
    listed = json.loads(town.ok("houses", "decisions", town.house_id, "--format",
                                "json").stdout)
    assert [(d["date_from"], d["cap_lifted"]) for d in listed] == [
        ("2026-10-01", True), ("2027-01-01", False)]
    assert town.scalar("select actor from audit_log where action = 'house.common_decision' "
                       "order by id limit 1") == "Иванова"
    assert town.scalar("select count(*) from recalculation_queue where period_for = '2026-10'"
                       ) == 3  # the house's three flats, from the decision's month
    again = town.run("houses", "decision-add", town.house_id, "--from", "2026-10-01",
                     "--document", "протокол №5")
    assert again.exit_code != 0 and "уже есть решение с 2026-10-01" in again.output
