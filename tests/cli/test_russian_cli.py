"""The command line speaks Russian: help, usage, the ``--help`` option, parameter types and
parse errors — typer's own words included. Every Latin word printed must come from our own
texts (command and option names, the help we wrote, defaults and choices), never typer's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from zhkh.adapters.cli import russian
from zhkh.adapters.cli.main import app

runner = CliRunner()
LATIN = re.compile(r"[A-Za-z][A-Za-z_]+")
ROOT = typer.main.get_command(app)


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, group
    for name, command in getattr(group, "commands", {}).items():
        yield from _commands(command, (*path, name))


COMMANDS = list(_commands(ROOT))


def _ours() -> set[str]:
    """Every Latin word of the texts we wrote: names, help, defaults, choices, metavars."""
    texts: list[str] = ["zhkh", "--help"]
    for path, command in COMMANDS:
        texts += [*path, command.help or "", command.epilog or ""]
        for param in command.params:
            texts += [param.name or "", *param.opts, *param.secondary_opts,
                      getattr(param, "help", None) or "", str(param.default),
                      str(param.envvar or "")]
            choices = getattr(getattr(param, "type_descriptor", None), "choices", None)
            texts += [str(getattr(c, "value", c)) for c in choices or ()]
    return {w for t in texts for w in LATIN.findall(t)}


OURS = _ours()


def _foreign(output: str) -> set[str]:
    return {w for w in LATIN.findall(output) if w not in OURS}


def test_the_pattern_would_see_typers_english():
    assert _foreign("Usage: zhkh [OPTIONS] Show this message and exit. <str>") == {
        "Usage", "OPTIONS", "Show", "this", "message", "and", "exit", "str"}


def test_every_command_and_group_speaks_russian():
    assert len(COMMANDS) > 40
    for path, command in COMMANDS:
        assert isinstance(command, (russian.RussianCommand, russian.RussianGroup)), path


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_help_is_russian(path):
    result = runner.invoke(app, [*path, "--help"], terminal_width=100, prog_name="zhkh")
    assert result.exit_code == 0, result.output
    assert "Использование: zhkh" in result.output
    assert "Показать эту" in result.output
    assert _foreign(result.output) == set(), result.output


@pytest.mark.parametrize(("args", "message"), [
    (["calculate"], "Не указан аргумент СИТУАЦИЯ."),
    (["payments", "import"], "Не указан аргумент ФАЙЛ."),
    (["payments", "import", "x.txt", "--bogus"], "Нет такого параметра: --bogus"),
    (["demo", "--accounts", "много"], "Неверное значение --accounts: ожидается целое число"),
    (["demo", "--accounts"], "Параметру --accounts нужно значение"),
    (["demo", "лишнее"], "Лишние аргументы: лишнее"),
    (["nosuch"], "Нет такой команды: nosuch"),
])
def test_parse_errors_are_russian_with_exit_code_2(args, message):
    result = runner.invoke(app, args, terminal_width=100, prog_name="zhkh")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Ошибка" in result.output and "Справка: zhkh" in result.output
    assert _foreign(result.output) - {"nosuch", "bogus", "txt"} == set(), result.output
