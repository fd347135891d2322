"""A method's refusal of a row with missing facts (``methods.base.Refusal``) on the situation
path: its code and message, and the first error of the situation is the first in its order."""

from __future__ import annotations

import pytest

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.rulebook import load_rulebook
from zhkh.rules import RULES_DIR


@pytest.fixture(scope="module")
def book():
    rulebook = load_rulebook(RULES_DIR)
    with engine_for(rulebook) as engine:
        yield rulebook, engine


def situation(*accounts: dict) -> Situation:
    """Heating by the house meter (``house_share``) whose volume is not given."""
    return Situation.model_validate({
        "period": "2026-01", "house": {"heat_meter": True, "total_area": "5000"},
        "accounts": list(accounts)})


def heated(number: str) -> dict:
    return {"number": number, "area": "54.3",
            "services": [{"service": "heating", "provider": "teploset"}]}


def test_a_refused_row_is_the_methods_error_naming_account_and_service(book):
    with pytest.raises(CalculationError) as caught:
        calculate(situation(heated("A1")), *book)
    error = caught.value
    assert (error.code, error.account, error.service) == ("house_data_missing", "A1", "heating")
    assert "house.heating_volume" in str(error)


def test_a_refusal_of_an_earlier_account_comes_before_a_later_accounts_error(book):
    later = {"number": "A2", "area": "31", "services": [{"service": "teleport",
                                                         "provider": "x"}]}
    with pytest.raises(CalculationError) as caught:
        calculate(situation(heated("A1"), later), *book)
    assert (caught.value.code, caught.value.account) == ("house_data_missing", "A1")
    with pytest.raises(CalculationError) as caught:
        calculate(situation(later, heated("A1")), *book)
    assert (caught.value.code, caught.value.account) == ("unknown_service", "A2")
