"""The JSON form of a regression report and the examples it offers for ``rules/tests/``."""

from __future__ import annotations

import re
from typing import Any

from zhkh.kernel.money import format_kopecks
from zhkh.kernel.regress.runner import Found, Report


def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data (money as decimal strings)."""
    return {
        "base_version": report.base_version,
        "draft_version": report.draft_version,
        "seed": report.seed,
        "examples": report.examples,
        "elapsed_seconds": round(report.elapsed, 1),
        "failed": report.failed,
        "outcomes": dict(report.outcomes),
        "coverage": {"matched": dict(sorted(report.matched.items())),
                     "never_matched": report.never_matched},
        "invariants": [
            {"name": name, "explanation": text, "checked": report.checked.get(name, 0),
             "holds": name not in report.violations,
             **(_found(report.violations[name]) if name in report.violations else {})}
            for name, text in report.explanations.items()],
        "differences": {
            "by_rule": dict(report.by_rule.most_common()),
            "by_signature": [_found(f) for f in sorted(report.changes.values(),
                                                       key=lambda f: -f.count)],
        },
        "invalid_situations": report.invalid,
    }


def _found(found: Found) -> dict[str, Any]:
    data: dict[str, Any] = {"key": found.key, "count": found.count, "detail": found.detail,
                            "largest_change": format_kopecks(found.largest)}
    if found.shrunk is not None:
        data.update(situation=found.shrunk, base_lines=found.base_lines,
                    draft_lines=found.draft_lines)
    return data


def slug(key: str) -> str:
    """A file name for a kind of difference or invariant."""
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", key)[:60].strip("_") or "change"


def as_test_case(name: str, found: Found) -> dict[str, Any]:
    """A ``rules/tests/`` case: the shrunk situation and the draft's lines it must give."""
    expect = [{k: ln[k] for k in ("service", "method", "amount", "rule_ids") if k in ln}
              for ln in found.draft_lines if "error" not in ln]
    case: dict[str, Any] = {"name": name, "situation": found.shrunk}
    errors = [ln for ln in found.draft_lines if "error" in ln]
    if errors:
        case["expect_error"] = {"code": errors[0]["error"]}
    else:
        case["expect"] = expect
    return case
