"""The rules desk: the rules in force on a date, one rule's history with its source, and the
impact preview of a draft rule folder over the whole base (``rules diff``), run as a
background job whose status page refreshes itself until the comparison is ready."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhkh.adapters.bootstrap import bootstrap
from zhkh.api.web.core import Desk, Page, desk_router, require
from zhkh.api.web.jobs import Progress, jobs_of
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import RulebookError
from zhkh.modules.billing.service import current_period, rules_diff
from zhkh.modules.errors import Invalid, NotFound
from zhkh.modules.rulebooks.catalog import KIND_TITLES, history, in_force

router = desk_router()
DESK = Desk("Правила", "/rules", "rules", "read", key="r")
PREVIEW = ("calculate", "run")
"""The preview calculates the whole base: for those who may run calculations."""


def _day(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid("bad_date", f"дата «{text}»: ожидается ГГГГ-ММ-ДД", field="date") from None


@router.get("/rules", response_class=HTMLResponse)
def rules_in_force(page: Annotated[Page, require("rules", "read")],
                   day: Annotated[str | None, Query(alias="date", max_length=10)] = None,
                   kind: Annotated[str | None, Query(max_length=40)] = None,
                   q: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """Every published rule with its value on the date, narrowed by kind and text."""
    rulebook = page.request.app.state.calculator.rulebook
    on = _day(day)
    kinds = list(rulebook.kinds())
    chosen = kind if kind in kinds else None
    rules = in_force(rulebook, on, kind=chosen, text=q)
    return page.render("rules/in_force.html", title="Правила на дату", rules=rules, on=on,
                       kinds=kinds, kind=chosen, q=q or "", kind_titles=KIND_TITLES,
                       version=rulebook.version, may_preview=page.may(*PREVIEW))


@router.get("/rules/rule/{rule_id}", response_class=HTMLResponse)
def rule_history(page: Annotated[Page, require("rules", "read")], rule_id: str) -> Response:
    """One rule: its source, where it is written, every dated value with its period."""
    rulebook = page.request.app.state.calculator.rulebook
    rule = history(rulebook, rule_id)
    if rule is None:
        raise NotFound("rule_not_found", f"Правило {rule_id} не найдено", obj=rule_id)
    return page.render("rules/history.html", title=f"Правило {rule.id}", rule=rule,
                       kind_titles=KIND_TITLES, today=date.today())


def drafts_of(page: Page) -> tuple[Path | None, list[str]]:
    """The drafts folder of the settings (None when unset or not a folder) and the names of
    its sub-folders, sorted: the only folders the preview may read."""
    root = page.request.app.state.application.settings.rules_drafts_dir
    if root is None or not root.is_dir():
        return None, []
    return root, sorted(entry.name for entry in root.iterdir()
                        if entry.is_dir() and not entry.name.startswith("."))


def _form(page: Page, period: str, folder: str, error: str, status_code: int = 200
          ) -> Response:
    root, drafts = drafts_of(page)
    return page.render("rules/preview_form.html", status_code=status_code,
                       title="Влияние черновика правил", period=period, folder=folder,
                       error=error, root=root, drafts=drafts)


@router.get("/rules/preview", response_class=HTMLResponse)
def preview_form(page: Annotated[Page, require(*PREVIEW)]) -> Response:
    """The form of the impact preview: a draft folder (one of the drafts folder's) and the
    month."""
    return _form(page, str(current_period(page.session)), "", "")


@router.post("/rules/preview", response_class=HTMLResponse)
def start_preview(page: Annotated[Page, require(*PREVIEW)],
                  folder: Annotated[str, Form(max_length=1000)],
                  period: Annotated[str, Form(max_length=7)]) -> Response:
    """Check the form (the folder must be one of the drafts folder's sub-folders, named as
    listed), queue the comparison and go to its status page."""
    root, drafts = drafts_of(page)
    name = folder.strip()
    try:
        month = str(Period.parse(period.strip()))
    except ValueError:
        month = ""
    error = ("Папка черновиков не настроена на сервере (ZHKH_RULES_DRAFTS_DIR)."
             if root is None else
             "Укажите месяц в виде ГГГГ-ММ." if not month else
             f"Черновика «{name}» нет в папке черновиков." if name not in drafts else "")
    if error or root is None:
        return _form(page, period, folder, error, status_code=422)
    draft = root / name
    app = page.request.app
    application, database = app.state.application, app.state.database

    def work(progress: Progress) -> Any:
        try:
            with bootstrap(application.settings, rules_dir=draft) as draft_app:
                proposed = draft_app.batch_calculator
                with database.reader() as session:
                    return rules_diff(session, application.batch_calculator, proposed, month,
                                      progress=progress)
        except RulebookError as exc:
            raise RuntimeError(f"Ошибки в правилах черновика:\n{exc}") from None

    job = jobs_of(page.request).start(f"Черновик {draft} за {month}", page.user.user_id, work)
    return RedirectResponse(f"/rules/preview/{job.id}", status_code=303)


@router.get("/rules/preview/{job_id}", response_class=HTMLResponse)
def preview_status(page: Annotated[Page, require(*PREVIEW)], job_id: str) -> Response:
    """The job's progress (the page reloads itself every 2 s until done), then its result."""
    job = jobs_of(page.request).get(job_id)
    if job is None or job.owner != page.user.user_id:
        raise NotFound("job_not_found", "Такого расчёта нет (или он давно завершён).",
                       obj=job_id)
    diff = job.result if job.state == "done" else None
    services = sorted(diff.services.values(), key=lambda s: s.service) if diff else []
    return page.render("rules/preview_status.html", title="Влияние черновика правил",
                       job=job, diff=diff, services=services,
                       changed=sum(s.accounts_changed for s in services))
