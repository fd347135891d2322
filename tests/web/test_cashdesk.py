"""The cash desk in a real browser, with the keyboard alone: a cashier opens a shift, finds an
account, takes cash and gives the change, prints the confirmation, sees the balance fall by
the payment and closes the shift with totals that match; a senior cashier hands a payment
back with a reason; a cashier cannot.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from zhkh.modules.finance.models import Payment


def _kopecks(text: str) -> int:
    """``1 234,56 ₽`` / ``−12,30 ₽`` → kopecks."""
    sign = -1 if text.strip().startswith(("−", "-")) else 1
    return sign * int(re.sub(r"\D", "", text))


def _submit(tab, key: str = "Enter") -> None:
    """Press Enter (a form submits) and wait for the page that answers."""
    with tab.expect_navigation():
        tab.keyboard.press(key)


def _signed_in(sign_in, site, role: str):
    """Sign in as ``role`` and wait for the home page (the fixture may return before the
    redirect lands)."""
    tab = sign_in(role)
    tab.wait_for_url(site.base_url + "/")
    return tab


def _open_shift(tab, float_: str) -> None:
    tab.goto("/cash")
    assert tab.evaluate("document.activeElement.id") == "desk"
    tab.keyboard.type("Касса 1")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Control+A")
    tab.keyboard.type(float_)
    _submit(tab)
    assert tab.locator("#shift").count() == 1


def _find(tab, number: str) -> int:
    assert tab.evaluate("document.activeElement.id") == "account"
    tab.keyboard.type(number)
    _submit(tab)
    return _kopecks(tab.inner_text("#to-pay"))


def test_a_cashier_takes_cash_gives_change_prints_and_closes_the_shift(page, site, sign_in):
    tab = _signed_in(sign_in, site, "cashier")
    # the cash desk opens by its access key from any page
    tab.keyboard.press("Alt+KeyK")
    tab.wait_for_url(re.compile(r"/cash$"))
    _open_shift(tab, "500,00")
    number = site.numbers[0]
    before = _find(tab, number)
    # the amount field has the focus, filled with what is owed: type over it
    assert tab.evaluate("document.activeElement.id") == "amount"
    tab.keyboard.press("Control+A")
    tab.keyboard.type("1000,00")
    tab.keyboard.press("Tab")  # method: cash already
    tab.keyboard.press("Tab")
    tab.keyboard.type("1500")
    assert tab.inner_text("#change") == "500,00\u00a0₽"  # shown while typing
    _submit(tab)
    assert tab.inner_text("#change-given") == "500,00\u00a0₽"
    # the account's balance fell by the payment
    assert _kopecks(tab.inner_text("#to-pay")) == before - 100_000
    # the confirmation link has the focus; it opens the PDF
    assert tab.evaluate("document.activeElement.id") == "print"
    pdf = tab.request.get(tab.get_attribute("#print", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    with site.database.reader() as session:
        paid = session.scalars(select(Payment.amount_kopecks).where(
            Payment.channel == "cashdesk").order_by(Payment.id)).all()
    assert paid[-1] == 100_000  # finance's payment, of the cash desk's channel
    # close: 500.00 float + 1 000.00 cash expected, counted the same
    assert _kopecks(tab.inner_text("#expected")) == 150_000
    tab.focus("#counted_cash")
    tab.keyboard.type("1500,00")
    _submit(tab)
    assert re.search(r"/cash/shifts/\d+$", tab.url)
    assert "закрыта" in tab.inner_text("h1")
    assert _kopecks(tab.inner_text("#difference")) == 0
    cash = tab.locator("#totals tbody tr").first.inner_text()
    assert cash.startswith("Наличные") and "1\u00a0000,00" in cash
    # the account card shows the payment and the balance it left
    tab.goto(f"/accounts/{number}")
    assert _kopecks(tab.inner_text("#balance-total")) == before - 100_000
    assert "1\u00a0000,00" in tab.locator("#h-payments + *").inner_text()


def test_a_senior_cashier_hands_a_payment_back_and_a_cashier_sees_no_such_button(
        page, site, sign_in):
    tab = _signed_in(sign_in, site, "senior_cashier")
    _open_shift(tab, "0")
    number = site.numbers[1]
    before = _find(tab, number)
    tab.keyboard.press("Control+A")
    tab.keyboard.type("250,50")
    _submit(tab)
    assert _kopecks(tab.inner_text("#to-pay")) == before - 25_050
    tab.fill("#receipts tbody tr:first-child input[name=reason]", "ошибся счётом")
    _submit(tab)
    assert "Возврат оформлен" in tab.inner_text("#done")
    assert _kopecks(tab.inner_text("#to-pay")) == before
    tab.focus("#counted_cash")
    tab.keyboard.type("0")
    _submit(tab)
    assert re.search(r"/cash/shifts/\d+$", tab.url)
    # a plain cashier's desk has no «Вернуть»
    tab.context.clear_cookies()
    tab = _signed_in(sign_in, site, "cashier")
    tab.goto("/cash")
    assert tab.locator("text=Вернуть").count() == 0


def test_a_wrong_sum_keeps_the_form_with_a_russian_message(page, site, sign_in):
    tab = _signed_in(sign_in, site, "admin")
    tab.goto("/cash")
    if tab.locator("#desk").count():
        _open_shift(tab, "0")
    tab.goto(f"/cash?account={site.numbers[2]}")
    tab.fill("#amount", "100,00")
    tab.fill("#tendered", "50")
    _submit(tab)
    alert = tab.locator("[role=alert]")
    assert "меньше суммы оплаты" in alert.inner_text()
    assert tab.input_value("#amount") == "100,00"  # the form is kept
