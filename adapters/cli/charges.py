"""``zhkh payments export-charges``: the charges registry for banks (реестр начислений), one
file per provider, named ``ИНН_РС_НОМЕР_ММГГ.txt`` by the profile.

``--period`` is the month of the bill (closed); ``ММГГ`` in the name is the month payments are
taken in — the next one. The number is the next free one for the provider's ИНН, account and
month in the folder: nothing new is stored for it, and a file is never overwritten (it is
created whole under its final name, or not at all).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.output import rubles
from zhkh.adapters.cli.shared import (
    EXIT_INPUT,
    EXIT_REFUSED,
    ActorOption,
    DatabaseOption,
    actor,
    console,
    errors,
    fail,
    parse_period,
    refuse,
)

MAX_SEQUENCE = 999


def register(payments_app: typer.Typer) -> None:
    """Add ``export-charges`` to ``zhkh payments``."""
    payments_app.command("export-charges")(export_charges)


def export_charges(
    out_dir: Annotated[Path, typer.Argument(help="Папка для файлов", file_okay=False)],
    period: Annotated[str, typer.Option("--period", help="Месяц счёта ГГГГ-ММ (закрытый)")],
    registry_format: Annotated[str, typer.Option(
        "--format", help="Формат реестра начислений")] = "sberbank_charges",
    provider: Annotated[int | None, typer.Option("--provider", help="Поставщик (id)")] = None,
    every: Annotated[bool, typer.Option("--all", help="Все поставщики с начислениями "
                                                      "месяца")] = False,
    database: DatabaseOption = None, actor_name: ActorOption = None,
) -> None:
    """Реестр начислений для банка: ЛС, плательщик, адрес, период, сумма к оплате."""
    from zhkh.adapters.bank import ProfileError, get_profile
    from zhkh.modules.errors import DomainError
    from zhkh.modules.finance import dues

    if (provider is None) == (not every):
        fail("укажите --provider ID или --all", EXIT_INPUT)
    month = parse_period(period)
    try:
        profile = get_profile(registry_format, "charges")
    except (DomainError, ProfileError) as exc:
        fail(f"--format: {exc.message}", EXIT_INPUT)
    who = actor(actor_name, "реестр начислений для банка")
    written = skipped = 0
    with bootstrap(database_url=database) as application:
        with application.database.reader() as session:
            ids = [provider] if provider is not None else dues.providers_billed(session, month)
        for provider_id in ids:
            try:
                with application.database.session() as session:
                    path, rows = _export_one(session, who, provider_id, month, profile,
                                             out_dir)
            except DomainError as exc:
                if provider is not None:
                    refuse(exc)
                errors.print(f"[yellow]Поставщик {provider_id} пропущен: {exc.message}"
                             "[/yellow]")
                skipped += 1
                continue
            written += 1
            console.print(f"{path}: строк {len(rows)}, к оплате "
                          f"{rubles(sum(r.amount for r in rows))} руб.", soft_wrap=True)
    if not written and not skipped:
        console.print(f"За {month} начислений нет — файлов не записано")
    if skipped:
        raise typer.Exit(EXIT_REFUSED)


def _export_one(session: Any, who: Any, provider_id: int, month: str, profile: Any,
                out_dir: Path) -> tuple[Path, list[Any]]:
    from zhkh.adapters.bank import ChargeRow, charges_file_name, render_charges
    from zhkh.kernel.period import Period
    from zhkh.modules.finance import dues

    bill = Period.parse(month)
    payee = dues.payee(session, provider_id, bill.shift(1).first_day)
    rows = dues.charges_due(session, provider_id, month)
    lines = [ChargeRow(r.account, r.payer, r.address, bill, r.amount, payee.code) for r in rows]

    def name(sequence: int) -> str:
        return charges_file_name(profile, inn=payee.inn, account=payee.settlement_account,
                                 sequence=sequence, month=bill.shift(1))

    def render(sequence: int) -> tuple[str, bytes]:
        return render_charges(lines, profile, inn=payee.inn, account=payee.settlement_account,
                              sequence=sequence, month=bill.shift(1), bik=payee.bik)

    path = _write_next(out_dir, name, render)
    dues.record_export(session, who, payee, month, path.name, rows)
    return path, rows


def _write_next(out_dir: Path, name_of: Any, render: Any) -> Path:
    """Create the file under the first number after the largest taken in ``out_dir``;
    ``os.link`` refuses an existing name, so two exports never share a number."""
    out_dir.mkdir(parents=True, exist_ok=True)
    taken = [n for n in range(1, MAX_SEQUENCE + 1) if (out_dir / name_of(n)).exists()]
    sequence = max(taken, default=0) + 1
    while sequence <= MAX_SEQUENCE:
        name, data = render(sequence)
        fd, tmp = tempfile.mkstemp(prefix=".charges.", dir=out_dir)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.link(tmp, out_dir / name)
            return out_dir / name
        except FileExistsError:
            sequence += 1
        finally:
            os.unlink(tmp)
    fail(f"в папке {out_dir} заняты все номера 1–{MAX_SEQUENCE} за этот месяц", EXIT_REFUSED)

