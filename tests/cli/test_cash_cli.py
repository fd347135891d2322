"""``zhkh cash …`` as a cashier without the web desk uses it: open a shift, take cash with the
change, print the confirmation, close with the totals; a second open shift refused."""

from __future__ import annotations


def _said(result) -> str:
    return " ".join(result.output.split())


def test_a_shift_is_opened_paid_in_printed_and_closed(sqlite_town, tmp_path):
    town = sqlite_town
    number = town.accounts[0]  # billed 2 × (1 000.00 + 2 000.00) = 6 000.00
    opened = _said(town.ok("cash", "open", "--desk", "Касса 1", "--float", "500.00",
                           "--actor", "Петрова"))
    assert opened.startswith("Смена № 1 · Касса 1 · Петрова · открыта")
    again = town.run("cash", "open", "--desk", "Касса 2", "--actor", "Петрова")
    assert again.exit_code == 1 and "уже открыта смена № 1" in _said(again)
    paid = _said(town.ok("cash", "pay", "1", number, "1500.00", "--tendered", "2000.00",
                         "--actor", "Петрова"))
    assert "Принято 1 500,00 ₽ (наличные)" in paid
    assert "Сдача: 500,00 ₽" in paid
    # the balance printed is finance's after the payment (the bills' penalties included)
    from zhkh.adapters.cli.output import rubles
    from zhkh.adapters.db.session import Database
    from zhkh.kernel.money import to_kopecks
    from zhkh.modules.finance import service as finance

    db = Database.from_url(town.url)
    with db.reader() as session:
        left = to_kopecks(finance.balance(session, number).balance)
    db.dispose()
    assert 450_000 <= left < 460_000  # 6 000.00 − 1 500.00, and the penalties
    assert f"Остаток по счёту {number}: {rubles(left)} ₽".replace("\u00a0", " ") in paid
    assert town.scalar("select channel from payments") == "cashdesk"
    pdf = tmp_path / "r.pdf"
    town.ok("cash", "receipt", "1", "1", "--out", pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    closed = _said(town.ok("cash", "close", "1", "--counted", "2000.00", "--actor", "Петрова"))
    assert "наличные: оплат 1 на 1 500,00 ₽" in closed
    assert "ожидается наличных 2 000,00 ₽" in closed
    assert "расхождение 0,00 ₽" in closed


def test_only_the_shift_s_cashier_takes_payments_in_it(sqlite_town):
    town = sqlite_town
    town.ok("cash", "open", "--desk", "Касса 1", "--actor", "Петрова")
    other = town.run("cash", "pay", "1", town.accounts[0], "10.00", "--actor", "Сидорова")
    assert other.exit_code == 1 and "открыта другим кассиром" in _said(other)
    assert town.scalar("select count(*) from payments") == 0
