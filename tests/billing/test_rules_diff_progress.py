"""``rules_diff`` on a small town: its progress in houses (once before the first batch, then
after each batch, ending at all the houses — what the CLI's bar and the rules page's job
show), and the columnar path giving the same comparison as every account through situations.
"""

from __future__ import annotations

import shutil

import pytest

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.db import Database, upgrade
from zhkh.adapters.settings import Settings
from zhkh.modules.billing import rules_diff as module
from zhkh.modules.billing.rules_diff import rules_diff
from zhkh.modules.demo.scenario import run_demo
from zhkh.rules import RULES_DIR


@pytest.fixture(scope="module")
def town(tmp_path_factory, shipped):
    url = f"sqlite:///{tmp_path_factory.mktemp('diff-town')}/town.sqlite"
    upgrade(url)
    db = Database.from_url(url)
    run_demo(db.session, shipped.batch_calculator, shipped.finance_rules, accounts=60, houses=3,
             months=2, seed=7, say=lambda *_: None, progress=None)
    yield db
    db.dispose()


def test_progress_counts_houses_batch_by_batch_up_to_all(town, shipped, monkeypatch):
    monkeypatch.setattr(module, "BATCH_HOUSES", 2)
    seen: list[tuple[int, int]] = []
    with town.reader() as session:
        diff = rules_diff(session, shipped.batch_calculator, shipped.batch_calculator, "2026-10",
                          progress=lambda done, total: seen.append((done, total)))
    # 3 houses, at least STEPS batches wanted: one house a batch
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert diff.accounts == 60
    assert all(s.before == s.after for s in diff.services.values())  # same rules: no change


def test_the_columnar_path_compares_exactly_as_situations_do(town, shipped, tmp_path):
    draft = tmp_path / "draft"
    shutil.copytree(RULES_DIR, draft, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = draft / "tariffs" / "housing.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"35.20"', '"36.20"'),
                    encoding="utf-8")
    with bootstrap(Settings(rules_dir=draft)) as proposed, town.reader() as session:
        fast = rules_diff(session, shipped.batch_calculator, proposed.batch_calculator,
                          "2026-10")
        slow = rules_diff(session, shipped.batch_calculator, proposed.batch_calculator,
                          "2026-10", columnar=False)
    assert fast.services == slow.services
    assert (fast.accounts, fast.examples) == (slow.accounts, slow.examples)
    housing = fast.services["maintenance"]
    assert housing.after > housing.before and housing.accounts_changed > 0
