"""Rows of the monthly run: templates × facts → the methods' a, b, c → kernel → lines + explain.

The columns of ``FactColumns`` are given to the methods (``methods``, through ``rows.py``) as
the columns they read; the methods, the kernel and the explain patterns are those of the
situation path. What is the monthly run's own: expanding each fact into the rows of its
signature's templates, cutting rows by runs of residents, and marking the facts whose rows a
method refuses or the kernel fails (their accounts take the situation path).
"""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np

from zhkh.kernel.calc.catalog import Catalog
from zhkh.kernel.calc.columnar_facts import ColumnarResult, FactColumns
from zhkh.kernel.calc.explain import texts
from zhkh.kernel.calc.methods.base import TEMPLATE_COLUMNS, UNKNOWN
from zhkh.kernel.calc.methods.derived import counts_as_volume, source_parts
from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.rows import Column, method_inputs, run_kernel
from zhkh.kernel.calc.template import RowTemplate
from zhkh.kernel.charges import OK, ChargeArrays
from zhkh.kernel.money import format_kopecks, format_micro


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
        self.by_persons = np.array([t.kind.by_persons for t in self.templates] or [False])
        self.timings: dict[str, float] = {}

    def _t(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - started
        return now

    def build(self) -> ColumnarResult:
        """Lines of the facts not marked bad, and the accounts of the bad ones."""
        started = time.perf_counter()
        facts, tmpl = self._expand(~self.derived)
        facts, tmpl, persons, first, last = self._split(facts, tmpl)
        a, b, c, refused = self._inputs(facts, tmpl, self._column(facts, tmpl, persons))
        keep = ~refused & ~(self.by_persons[tmpl] & (persons <= 0))  # nobody lives there
        facts, tmpl, a, b, c = facts[keep], tmpl[keep], a[keep], b[keep], c[keep]
        persons, first, last = persons[keep], first[keep], last[keep]
        days = last - first + 1
        out = self._kernel(facts, tmpl, a, b, c, days)
        started = self._t("kernel", started)
        d_facts, d_tmpl = self._expand(self.derived)
        parts = self._parts(facts, tmpl, out.volume, d_facts, d_tmpl)
        d_a, d_b, d_c, _ = self._inputs(d_facts, d_tmpl, lambda name, rows: parts[rows])
        d_days = np.full(len(d_facts), self.dim)
        d_out = self._kernel(d_facts, d_tmpl, d_a, d_b, d_c, d_days)
        slow = np.unique(self.cols.account[self.bad])
        good_acc = ~np.isin(self.cols.account, slow)
        started = self._t("kernel", started)
        k1, k2 = good_acc[facts], good_acc[d_facts]
        persons = np.where(self.by_persons[tmpl], persons, 0)
        dim1, dim2 = np.full(int(k1.sum()), self.dim), np.full(int(k2.sum()), self.dim)
        explain = texts(self.templates, tmpl[k1], [
            a[k1], b[k1], c[k1], persons[k1], out.volume[k1], out.amount[k1], days[k1], dim1],
            days[k1] != self.dim)
        explain += texts(self.templates, d_tmpl[k2], [
            d_a[k2], d_b[k2], d_c[k2], np.zeros_like(dim2), d_out.volume[k2], d_out.amount[k2],
            dim2, dim2, *parts[k2].T], np.zeros(len(dim2), dtype=bool))
        self._t("explain", started)
        n2 = len(dim2)
        return ColumnarResult(
            templates=self.templates,
            fact=np.concatenate([facts[k1], d_facts[k2]]).astype(np.int32),
            template=np.concatenate([tmpl[k1], d_tmpl[k2]]).astype(np.int32),
            volume=np.concatenate([out.volume[k1], d_out.volume[k2]]),
            amount=np.concatenate([out.amount[k1], d_out.amount[k2]]),
            plain=np.concatenate([out.plain[k1], d_out.plain[k2]]),
            persons=np.concatenate([persons[k1], np.zeros(n2, np.int64)]),
            day_from=np.concatenate([first[k1], np.ones(n2, np.int32)]).astype(np.int32),
            day_to=np.concatenate([last[k1], np.full(n2, self.dim)]).astype(np.int32),
            explain=explain, slow=slow, timings=self.timings)

    def _split(self, facts: np.ndarray, tmpl: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows of methods cut by residents (``by_persons``) cut at each run of residents of
        the fact (``plan.ServicePlanner`` cuts at ``persons_segments``); other rows stay
        whole. (fact, template, persons, first day, last day) of every row."""
        cols, dim = self.cols, self.dim
        runs = np.bincount(cols.p_fact, minlength=cols.size) if cols.size else \
            np.zeros(0, np.int64)
        cut = self.by_persons[tmpl]
        split = cut & (runs[facts] > 0) if len(facts) else cut
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

    def _attr(self, name: str) -> np.ndarray:
        """``template.name`` of every template, as an int64 array."""
        return np.array([getattr(t, name) for t in self.templates] or [0], dtype=np.int64)

    def _inputs(self, facts: np.ndarray, tmpl: np.ndarray, column: Column
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """a, b, c of the rows and the refused ones, whose facts are marked bad."""
        a, b, c, refused = method_inputs(self.templates, tmpl, column)
        np.logical_or.at(self.bad, facts[refused], True)
        return a, b, c, refused

    def _column(self, facts: np.ndarray, tmpl: np.ndarray, persons: np.ndarray) -> Column:
        """The fact columns of the first-pass rows, as the methods read them."""
        cols = self.cols
        zone: list[np.ndarray] = []

        def zone_rows(rows: np.ndarray) -> np.ndarray:
            if not zone:
                zone.append(self._zone_rows(facts, self._attr("zone_pos")[tmpl]))
            out: np.ndarray = zone[0][rows]
            return out

        def picked(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
            z = zone_rows(rows)
            got = values[np.maximum(z, 0)] if len(values) else np.full(z.shape, -1)
            out: np.ndarray = np.where((z >= 0) & (got >= 0), got, UNKNOWN)
            return out

        def column(name: str, rows: np.ndarray) -> np.ndarray:
            f = facts[rows]
            out: np.ndarray
            match name:
                case "prev":
                    out = picked(cols.z_prev, rows)
                case "cur":
                    out = picked(cols.z_cur, rows)
                case "history":
                    z = zone_rows(rows)
                    hist = cols.z_hist[np.maximum(z, 0)] if len(cols.z_hist) else \
                        np.full((len(z), cols.z_hist.shape[1]), -1)
                    out = np.where((z[:, None] >= 0) & (hist >= 0), hist, UNKNOWN)
                case "capacity":
                    out = cols.capacity[f]
                case "persons":
                    out = persons[rows]
                case "area":
                    out = cols.area[f]
                case "house_volume":
                    volume = cols.house_volume[f]
                    out = np.where(volume >= 0, volume, UNKNOWN)
                case "house_total":
                    out = cols.house_total[f]
                case _ if name in TEMPLATE_COLUMNS:
                    out = self._attr(name)[tmpl[rows]]
                case _:
                    raise KeyError(name)
            return out

        return column

    def _zone_rows(self, facts: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """Index of the meter zone row of (fact, zone position), -1 when the fact has none."""
        cols = self.cols
        width = int(cols.z_pos.max()) + 1 if len(cols.z_pos) else 1
        index = np.full((cols.size, width), -1, dtype=np.int64)
        index[cols.z_fact, cols.z_pos] = np.arange(len(cols.z_fact))
        pos = np.minimum(pos, width - 1)
        return index[facts, pos] if len(facts) else np.zeros(0, np.int64)

    def _kernel(self, facts: np.ndarray, tmpl: np.ndarray, a: np.ndarray, b: np.ndarray,
                c: np.ndarray, days: np.ndarray) -> ChargeArrays:
        """The kernel over the rows; a fact with a failed row is marked bad."""
        out = run_kernel(self.templates, tmpl, a, b, c, days, np.full(len(tmpl), self.dim))
        np.logical_or.at(self.bad, facts[out.status != OK], True)
        return out

    def _parts(self, facts: np.ndarray, tmpl: np.ndarray, volume: np.ndarray,
               d_facts: np.ndarray, d_tmpl: np.ndarray) -> np.ndarray:
        """Source volumes of each second-pass row (``methods.derived.source_parts``), the
        account being the owner."""
        cols, catalog = self.cols, self.catalog
        acc_index = np.unique(cols.account, return_inverse=True)[1].reshape(-1)
        service = cols.codes["service"].astype(np.int64)
        code = {s: i for i, s in enumerate(cols.vocab["service"])}
        counted = np.array([counts_as_volume(t.factor, t.component,
                                             catalog.volume_component(t.service))
                            for t in self.templates] or [False])
        sources = [tuple(code.get(s, -1) for s in catalog.service(t.service, "").derived_from)
                   for t in self.templates]
        return source_parts(acc_index[facts], service[facts], volume, counted[tmpl],
                            acc_index[d_facts], d_tmpl, sources)


def to_lines(cols: FactColumns, result: ColumnarResult, numbers: dict[int, str]) -> list[Line]:
    """The result as :class:`~zhkh.kernel.calc.result.Line` objects (tests, small batches);
    ``numbers`` maps account keys to account numbers."""
    period = str(cols.period)
    days = [(cols.period.first_day + timedelta(days=d)).isoformat()
            for d in range(cols.period.days)]
    providers = cols.vocab["provider"]
    out = []
    for i, (f, t_i) in enumerate(zip(result.fact.tolist(), result.template.tolist(),
                                     strict=True)):
        t = result.templates[t_i]
        volume, amount = int(result.volume[i]), int(result.amount[i])
        by_persons = t.kind.by_persons
        out.append(Line(
            account=numbers[int(cols.account[f])], service=t.service, component=t.component,
            zone=t.zone, provider=providers[cols.codes["provider"][f]], period=period,
            date_from=days[int(result.day_from[i]) - 1],
            date_to=days[int(result.day_to[i]) - 1], method=t.method, rule_ids=list(t.rule_ids),
            source=t.source, volume=format_micro(volume), unit=t.unit,
            persons=int(result.persons[i]) if by_persons else None,
            norm=t.norm_text if by_persons else None,
            tariff=format_micro(t.price), coefficient=format_micro(t.coef),
            amount=format_kopecks(amount), excess=format_kopecks(amount - int(result.plain[i])),
            explain=result.explain[i]))
    return out


__all__ = ["RowBuilder", "to_lines"]
