"""Rows of the columnar path: templates × facts → a, b, c → kernel → line columns + explain."""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np

from zhkh.kernel.calc.catalog import Catalog
from zhkh.kernel.calc.columnar import ColumnarResult, FactColumns, run_kernel
from zhkh.kernel.calc.columnar_explain import derived_text, num, texts
from zhkh.kernel.calc.columnar_plan import RowTemplate
from zhkh.kernel.money import MICRO


class RowBuilder:
    """Expands the templates of each fact's signature into rows and computes them."""

    def __init__(self, cols: FactColumns, groups: list[list[RowTemplate] | None],
                 inverse: np.ndarray, derived: np.ndarray, catalog: Catalog):
        self.cols, self.groups, self.inverse = cols, groups, inverse
        self.derived, self.catalog = derived, catalog
        self.templates: list[RowTemplate] = []
        offsets, counts = [], []
        for g in groups:
            offsets.append(len(self.templates))
            counts.append(len(g) if g else 0)
            self.templates += g or []
        self.g_offset = np.array(offsets or [0], dtype=np.int64)
        self.g_count = np.array(counts or [0], dtype=np.int64)
        self.bad = np.zeros(cols.size, dtype=bool)
        self.dim = cols.period.days
        g_slow = np.array([g is None for g in groups] or [False])
        if cols.size:
            self.bad |= g_slow[inverse]
        self.timings: dict[str, float] = {}

    def _t(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - started
        return now

    def build(self) -> ColumnarResult:
        started = time.perf_counter()
        facts, tmpl = self._expand(~self.derived)
        facts, tmpl, persons, first, last = self._split(facts, tmpl)
        a, b, c, keep = self._inputs(facts, tmpl, persons)
        facts, tmpl, a, b, c = facts[keep], tmpl[keep], a[keep], b[keep], c[keep]
        persons, first, last = persons[keep], first[keep], last[keep]
        days = last - first + 1
        vol, amt, plain, ok = self._kernel(tmpl, a, b, c, days)
        np.logical_or.at(self.bad, facts[~ok], True)
        started = self._t("kernel", started)
        d_facts, d_tmpl = self._expand(self.derived)
        d_a, parts = self._derived_inputs(facts, tmpl, vol, d_facts)
        zeros = np.zeros(len(d_facts), dtype=np.int64)
        d_vol, d_amt, d_plain, d_ok = self._kernel(d_tmpl, d_a, zeros, zeros,
                                                   np.full(len(d_facts), self.dim))
        np.logical_or.at(self.bad, d_facts[~d_ok], True)
        slow = np.unique(self.cols.account[self.bad])
        good_acc = ~np.isin(self.cols.account, slow)
        started = self._t("kernel", started)
        keep1, keep2 = good_acc[facts], good_acc[d_facts]
        persons = persons[keep1]
        explain = self._explain(facts[keep1], tmpl[keep1], a[keep1], b[keep1], c[keep1],
                                vol[keep1], amt[keep1], persons, days[keep1])
        explain += self._derived_explain(d_tmpl[keep2], np.nonzero(keep2)[0], parts,
                                         d_vol[keep2], d_amt[keep2])
        self._t("explain", started)
        is_norm = np.array([t.method == "norm" for t in self.templates] or [False])
        persons = np.where(is_norm[tmpl[keep1]], persons, 0)
        n2 = int(keep2.sum())
        return ColumnarResult(
            templates=self.templates,
            fact=np.concatenate([facts[keep1], d_facts[keep2]]).astype(np.int32),
            template=np.concatenate([tmpl[keep1], d_tmpl[keep2]]).astype(np.int32),
            volume=np.concatenate([vol[keep1], d_vol[keep2]]),
            amount=np.concatenate([amt[keep1], d_amt[keep2]]),
            plain=np.concatenate([plain[keep1], d_plain[keep2]]),
            persons=np.concatenate([persons, np.zeros(n2, np.int64)]),
            day_from=np.concatenate([first[keep1], np.ones(n2, np.int32)]).astype(np.int32),
            day_to=np.concatenate([last[keep1], np.full(n2, self.dim)]).astype(np.int32),
            explain=explain, slow=slow, timings=self.timings)

    def _split(self, facts: np.ndarray, tmpl: np.ndarray):
        """Rows cut at the days the residents change (``plan.ServicePlanner`` cuts norm rows
        at each run of ``persons_segments``; other methods do not read residents): (fact,
        template, persons, first day, last day) of every row."""
        cols, dim = self.cols, self.dim
        runs = np.bincount(cols.p_fact, minlength=cols.size) if cols.size else \
            np.zeros(0, np.int64)
        is_norm = np.array([t.method == "norm" for t in self.templates] or [False])[tmpl]
        split = is_norm & (runs[facts] > 0) if len(facts) else is_norm
        if not split.any():
            n = len(facts)
            return (facts, tmpl, cols.persons[facts].astype(np.int64),
                    np.ones(n, np.int32), np.full(n, dim, np.int32))
        reps = np.where(split, runs[facts], 1)
        first_run = (np.cumsum(runs) - runs)[facts]
        within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
        run = np.repeat(np.where(split, first_run, 0), reps) + within
        facts, tmpl, split = (np.repeat(x, reps) for x in (facts, tmpl, split))
        run = np.where(split, run, 0)
        return (facts, tmpl,
                np.where(split, cols.p_persons[run], cols.persons[facts]).astype(np.int64),
                np.where(split, cols.p_first[run], 1).astype(np.int32),
                np.where(split, cols.p_last[run], dim).astype(np.int32))

    def _expand(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(fact, template) of every row of the facts in ``mask`` (bad facts get no rows)."""
        chosen = np.nonzero(mask & ~self.bad)[0]
        g = self.inverse[chosen]
        counts = self.g_count[g]
        facts = np.repeat(chosen, counts)
        starts = np.cumsum(counts) - counts
        within = np.arange(len(facts)) - np.repeat(starts, counts)
        return facts, np.repeat(self.g_offset[g], counts) + within

    def _attr(self, name: str, dtype=np.int64) -> np.ndarray:
        return np.array([getattr(t, name) for t in self.templates] or [0], dtype=dtype)

    def _inputs(self, facts, tmpl, persons):
        """a, b, c per row and the rows kept (norm rows need persons > 0); marks bad facts."""
        cols, n = self.cols, len(facts)
        method = np.array([t.method for t in self.templates] or [""], dtype=object)[tmpl]
        a, b, c = (np.zeros(n, np.int64) for _ in range(3))
        keep = np.ones(n, dtype=bool)
        bad = np.zeros(n, dtype=bool)
        z = self._zone_rows(facts, self._attr("zone_pos")[tmpl])
        m = method == "meter"
        if m.any():
            zm = z[m]
            a[m], b[m] = cols.z_prev[zm], cols.z_cur[zm]
            c[m] = cols.capacity[facts[m]]
            bad[m] = (zm < 0) | (a[m] < 0) | (b[m] < 0)
        m = method == "average"
        if m.any():
            hist = cols.z_hist[z[m]]
            valid = hist >= 0
            limit = self._attr("history_take")[tmpl[m]][:, None]
            take = valid & (np.cumsum(valid, axis=1) <= limit)
            a[m] = np.where(take, hist, 0).sum(axis=1)
            b[m] = take.sum(axis=1)
            bad[m] = (z[m] < 0) | (b[m] == 0)
        m = method == "norm"
        if m.any():
            a[m] = persons[m] * self._attr("norm")[tmpl[m]]
            keep[m] = persons[m] > 0
        m = (method == "area") | (method == "area_norm")
        a[m] = cols.area[facts[m]]
        m = method == "house_share"
        if m.any():
            f = facts[m]
            a[m], b[m], c[m] = cols.house_volume[f], cols.area[f], cols.house_total[f]
            bad[m] = (a[m] < 0) | (c[m] == 0)
        m = method == "fixed"
        a[m] = self._attr("quantity")[tmpl[m]]
        np.logical_or.at(self.bad, facts[bad], True)
        return a, b, c, keep & ~bad

    def _zone_rows(self, facts: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """Index of the meter zone row of (fact, zone position), -1 when the fact has none."""
        cols = self.cols
        width = int(cols.z_pos.max()) + 1 if len(cols.z_pos) else 1
        index = np.full((cols.size, width), -1, dtype=np.int64)
        index[cols.z_fact, cols.z_pos] = np.arange(len(cols.z_fact))
        pos = np.minimum(pos, width - 1)
        return index[facts, pos] if len(facts) else np.zeros(0, np.int64)

    def _kernel(self, tmpl, a, b, c, days):
        return run_kernel(self._attr("kernel_method"), self._attr("factor"),
                          self._attr("price"), self._attr("coef"), tmpl, a, b, c,
                          days, np.full(len(tmpl), self.dim))

    def _derived_inputs(self, facts, tmpl, vol, d_facts):
        """Source volume of each derived row: the sum of the account's volume rows of the
        services it derives from (``plan.derived_rows``), and the parts for the explain."""
        cols = self.cols
        acc_index = np.unique(cols.account, return_inverse=True)[1]
        service_code = {s: i for i, s in enumerate(cols.vocab["service"])}
        vol_comp = [t.factor == MICRO and t.component in (
            None, self.catalog.volume_component(t.service)) for t in self.templates]
        eligible = np.array(vol_comp or [False])[tmpl]
        svc = cols.codes["service"][facts]
        n_acc = int(acc_index.max()) + 1 if len(acc_index) else 0
        parts: list[list[int]] = [[] for _ in range(len(d_facts))]
        total = np.zeros(len(d_facts), dtype=np.int64)
        d_svc = cols.codes["service"][d_facts]
        for code in np.unique(d_svc).tolist():
            spec = self.catalog._specs[cols.vocab["service"][code]]
            rows = np.nonzero(d_svc == code)[0]
            acc = acc_index[d_facts[rows]]
            for source in spec.derived_from:
                sc = service_code.get(source, -1)
                m = eligible & (svc == sc)
                sums = np.zeros(n_acc, np.int64)
                np.add.at(sums, acc_index[facts[m]], vol[m])
                seen = np.bincount(acc_index[facts[m]], minlength=n_acc) > 0
                for r, a_i in zip(rows.tolist(), acc.tolist(), strict=True):
                    if seen[a_i]:
                        parts[r].append(int(sums[a_i]))
                total[rows] += np.where(seen[acc], sums[acc], 0)
        return total, parts

    def _explain(self, facts, tmpl, a, b, c, vol, amt, persons, days) -> list[str]:
        """Explain texts of the rows: those of whole-month rows formatted per template over
        all its rows at once, the few covering part of the month (their text shows the days)
        one by one."""
        out = np.empty(len(tmpl), dtype=object)
        part = days != self.dim
        for i in np.nonzero(part)[0].tolist():
            t = self.templates[int(tmpl[i])]
            out[i] = t.explain.text(
                t.explain.base(int(a[i]), int(b[i]), int(c[i]), int(persons[i]), t.norm),
                int(vol[i]), int(amt[i]), share=(int(days[i]), self.dim))
        whole = np.nonzero(~part)[0]
        if len(whole):
            out[whole] = self._explain_whole(*(x[whole] for x in (tmpl, a, b, c, vol, amt,
                                                                   persons)))
        return out.tolist()

    def _explain_whole(self, tmpl, a, b, c, vol, amt, persons) -> np.ndarray:
        out = np.empty(len(tmpl), dtype=object)
        order = np.argsort(tmpl, kind="stable")
        sorted_t = tmpl[order]
        starts = np.flatnonzero(np.r_[True, sorted_t[1:] != sorted_t[:-1]])
        ends = np.r_[starts[1:], len(order)]
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            rows = order[lo:hi]
            t = self.templates[int(sorted_t[lo])]
            out[rows] = texts(t.explain, t.norm, a[rows], b[rows], c[rows], persons[rows],
                              vol[rows], amt[rows])
        return out

    def _derived_explain(self, tmpl, rows, parts, vol, amt) -> list[str]:
        out = []
        for t_i, r, v_i, m_i in zip(tmpl.tolist(), rows.tolist(), vol.tolist(), amt.tolist(),
                                    strict=True):
            t = self.templates[t_i]
            out.append(derived_text(parts[r], t.base_unit, v_i, t.unit, t.price, m_i,
                                    t.source))
        return out


def to_lines(cols: FactColumns, result: ColumnarResult, numbers: dict[int, str]) -> list:
    """The result as :class:`~zhkh.kernel.calc.result.Line` objects (tests, small batches);
    ``numbers`` maps account keys to account numbers."""
    from zhkh.kernel.calc.result import Line
    from zhkh.kernel.money import format_kopecks, format_micro

    period = str(cols.period)
    days = [(cols.period.first_day + timedelta(days=d)).isoformat()
            for d in range(cols.period.days)]
    providers = cols.vocab["provider"]
    out = []
    for i, (f, t_i) in enumerate(zip(result.fact.tolist(), result.template.tolist(),
                                     strict=True)):
        t = result.templates[t_i]
        volume, amount = int(result.volume[i]), int(result.amount[i])
        out.append(Line(
            account=numbers[int(cols.account[f])], service=t.service, component=t.component,
            zone=t.zone, provider=providers[cols.codes["provider"][f]], period=period,
            date_from=days[int(result.day_from[i]) - 1],
            date_to=days[int(result.day_to[i]) - 1], method=t.method, rule_ids=list(t.rule_ids),
            source=t.source, volume=format_micro(volume), unit=t.unit,
            persons=int(result.persons[i]) if t.method == "norm" else None,
            norm=format_micro(t.norm) if t.method == "norm" else None,
            tariff=format_micro(t.price), coefficient=format_micro(t.coef),
            amount=format_kopecks(amount), excess=format_kopecks(amount - int(result.plain[i])),
            explain=result.explain[i]))
    return out


__all__ = ["RowBuilder", "num", "to_lines"]
