"""``zhkh payments export-charges``: the file a bank loads to take payments — named
ИНН_РС_НОМЕР_ММГГ.txt, one line per account with the payer, the address, the month and what
it owes the provider now; numbered on from the files already in the folder."""

from __future__ import annotations

from .conftest import PAYEES, payment, registry_file


def _read(path) -> list[list[str]]:
    """The file as the bank reads it: cp1251, CRLF, fields by «;»."""
    data = path.read_bytes()
    assert data.endswith(b"\r\n")
    return [line.split(";") for line in data.decode("cp1251").split("\r\n") if line]


def test_the_file_is_named_by_the_payee_and_lists_what_each_account_owes(town, tmp_path):
    town.ok("payments", "import", registry_file(tmp_path / "r.txt", [
        payment(town.accounts[0], 150_000, 1)]), "--received-on", "2026-10-06")
    out = tmp_path / "bank"
    result = town.ok("payments", "export-charges", out, "--period", "2026-09",
                     "--provider", town.providers["vodokanal"])
    payee = PAYEES["vodokanal"]
    path = out / f"{payee['inn']}_{payee['account']}_001_1026.txt"
    assert path.name in " ".join(result.output.split())
    lines = _read(path)
    assert lines[:3] == [
        [town.accounts[0], "Иванов Иван Иванович", "г. Ижевск, ул. Ленина, д. 1, кв. 1",
         "0926", "1500.00", "vodokanal"],
        [town.accounts[1], "", "г. Ижевск, ул. Ленина, д. 1, кв. 2", "0926", "2000.00",
         "vodokanal"],
        [town.accounts[2], "", "г. Ижевск, ул. Ленина, д. 1, кв. 3", "0926", "2000.00",
         "vodokanal"]]
    assert lines[3] == ["=3", "5500.00"]
    assert town.scalar("select count(*) from audit_log where action = "
                       "'charges_registry.export'") == 1


def test_the_next_file_of_the_month_takes_the_next_number(sqlite_town, tmp_path):
    town, out = sqlite_town, tmp_path / "bank"
    town.ok("payments", "export-charges", out, "--period", "2026-09", "--all")
    town.ok("payments", "export-charges", out, "--period", "2026-09", "--all")
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{p['inn']}_{p['account']}_{n:03d}_1026.txt"
                           for p in PAYEES.values() for n in (1, 2))
    heating = _read(out / f"{PAYEES['teplo']['inn']}_{PAYEES['teplo']['account']}_002_1026.txt")
    assert [row[4] for row in heating[:3]] == ["4000.00"] * 3


def test_refusals_name_what_is_missing(sqlite_town, tmp_path):
    town, out = sqlite_town, tmp_path / "bank"
    open_month = town.run("payments", "export-charges", out, "--period", "2026-10",
                          "--provider", 1)
    assert open_month.exit_code == 1 and "месяц 2026-10 не закрыт" in open_month.output
    town.ok("providers", "add", "--code", "gas", "--name", "Газ", "--inn", "7701000019")
    no_contract = town.run("payments", "export-charges", out, "--period", "2026-09",
                           "--provider", 3)
    assert no_contract.exit_code == 1
    assert "нет договора с банковскими реквизитами" in " ".join(no_contract.output.split())
    neither = town.run("payments", "export-charges", out, "--period", "2026-09")
    assert neither.exit_code == 2
    assert not out.exists() or not any(out.iterdir())
