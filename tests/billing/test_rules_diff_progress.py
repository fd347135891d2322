"""``rules_diff`` reports its progress in houses: once before the first batch, then after each
batch, ending at all the houses — what the CLI's bar and the rules page's job show."""

from __future__ import annotations

from zhkh.adapters.db import Database, upgrade
from zhkh.modules.billing import rules_diff as module
from zhkh.modules.billing.rules_diff import rules_diff
from zhkh.modules.demo.scenario import run_demo


def test_progress_counts_houses_batch_by_batch_up_to_all(tmp_path, shipped, monkeypatch):
    url = f"sqlite:///{tmp_path}/town.sqlite"
    upgrade(url)
    db = Database.from_url(url)
    run_demo(db.session, shipped.batch_calculator, shipped.finance_rules, accounts=30, houses=3,
             months=1, seed=7, say=lambda *_: None, progress=None)
    monkeypatch.setattr(module, "BATCH_HOUSES", 2)
    seen: list[tuple[int, int]] = []
    with db.reader() as session:
        diff = rules_diff(session, shipped.batch_calculator, shipped.batch_calculator, "2026-10",
                          progress=lambda done, total: seen.append((done, total)))
    db.dispose()
    assert seen == [(0, 3), (2, 3), (3, 3)]
    assert diff.accounts == 30
    assert all(s.before == s.after for s in diff.services.values())  # same rules: no change
