"""The command line in Russian: typer's own words (help panels, usage line, the ``--help``
option, parameter types, parse errors) said in Russian.

Typer (0.29) carries its own copy of click whose messages are plain strings, not gettext
calls, so a translation catalogue cannot reach them. What typer does offer is used instead:
the panel titles and markers are settings of ``typer.rich_utils``; the command and group
classes are chosen per command (``cls``), and ours override the documented click methods
that word the output — ``format_usage``, ``get_help_option``, ``parse_args``,
``resolve_command`` — and re-raise a parse error as a ``UsageError`` with the same exit code
(2) and a Russian message. Parameters keep typer's classes with a Russian type label
(``<текст>``, ``<целое>``; no label for a flag). :func:`adopt` gives these classes to every
command and group of an application that has not chosen its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import typer
from typer import rich_utils
from typer._click.core import Context
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from zhkh.modules.validation_messages import GENERIC, russian_message

USAGE = "Использование: "
OPTIONS_METAVAR = "[ПАРАМЕТРЫ]"
SUBCOMMAND_METAVAR = "КОМАНДА [АРГУМЕНТЫ]..."
HELP = "Показать эту справку и выйти."

rich_utils.ARGUMENTS_PANEL_TITLE = "Аргументы"
rich_utils.OPTIONS_PANEL_TITLE = "Параметры"
rich_utils.COMMANDS_PANEL_TITLE = "Команды"
rich_utils.ERRORS_PANEL_TITLE = "Ошибка"
rich_utils.ABORTED_TEXT = "Прервано."
rich_utils.DEPRECATED_STRING = "(устарело) "
rich_utils.DEFAULT_STRING = "[по умолчанию: {}]"
rich_utils.ENVVAR_STRING = "[переменная окружения: {}]"
rich_utils.REQUIRED_LONG_STRING = "[обязательно]"
rich_utils.RICH_HELP = "Справка: [blue]{command_path} {help_option}[/]"

TYPE_LABELS = {
    "str": "текст", "int": "целое", "float": "число", "Decimal": "число", "Path": "путь",
    "path": "путь", "file": "файл", "dir": "папка", "directory": "папка", "list": "список",
    "datetime": "дата", "date": "дата", "range": "диапазон", "UUID": "UUID",
}
"""Typer's type labels in Russian; a label not here (a choice's values) is shown as is."""

ARGUMENT_NAMES = {
    "file": "ФАЙЛ", "files": "ФАЙЛЫ", "path": "ПУТЬ", "situation": "СИТУАЦИЯ",
    "directory": "ПАПКА", "folder": "ПАПКА", "draft": "ЧЕРНОВИК", "period": "ПЕРИОД",
    "number": "НОМЕР", "account": "СЧЁТ", "version": "ВЕРСИЯ", "name": "ИМЯ",
    "role": "РОЛЬ", "code": "КОД", "key": "КЛЮЧ", "login": "ЛОГИН",
}
"""How an argument is named in the usage line and the errors; an argument named otherwise is
«ЗНАЧЕНИЕ» (its help says what it is)."""


class RussianArgument(TyperArgument):
    """A typer argument with a Russian name in the usage line and a Russian type label."""

    def display_type_rich(self, ctx: Context) -> str | None:
        return _russian_type(self, ctx)


class RussianOption(TyperOption):
    """A typer option with a Russian type label (none for a flag)."""

    def display_type_rich(self, ctx: Context) -> str | None:
        if self.metavar is not None:
            return self.metavar
        if self.is_flag:
            return None
        label = _russian_type(self, ctx)
        return f"{label}..." if label and self.nargs != 1 else label


def _russian_type(param: TyperArgument | TyperOption, ctx: Context) -> str | None:
    label = param.display_type(ctx)
    if label is None:
        return None
    return re.sub(r"[A-Za-z]+", lambda m: TYPE_LABELS.get(m.group(0), m.group(0)), label)


def _russify_params(params: list[Any]) -> None:
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = RussianOption
        elif type(param) is TyperArgument:
            param.__class__ = RussianArgument
            if param.metavar is None:
                param.metavar = ARGUMENT_NAMES.get(param.name or "", "ЗНАЧЕНИЕ")


class _Russian:
    """What our command and group classes share (a mixin before typer's class)."""

    params: list[Any]
    options_metavar: str | None

    def _russify(self) -> None:
        _russify_params(self.params)
        if self.options_metavar == "[OPTIONS]":
            self.options_metavar = OPTIONS_METAVAR

    def format_usage(self, ctx: Context, formatter: Any) -> None:
        """The usage line, headed «Использование:»."""
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)

    def get_help_option(self, ctx: Context) -> Any:
        """The ``--help`` option, described in Russian."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP
            if type(option) is TyperOption:
                option.__class__ = RussianOption
        return option

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Typer's parsing; a parse error is re-raised with a Russian message."""
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":
                raise
            raise russian_usage_error(exc, ctx) from None


class RussianCommand(_Russian, TyperCommand):
    """A typer command speaking Russian."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._russify()


class RussianGroup(_Russian, TyperGroup):
    """A typer group speaking Russian (its usage ends in «КОМАНДА [АРГУМЕНТЫ]...»)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("subcommand_metavar") is None:
            kwargs["subcommand_metavar"] = SUBCOMMAND_METAVAR
        super().__init__(*args, **kwargs)
        self._russify()

    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        """Typer's lookup of a subcommand; «no such command» said in Russian."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            raise russian_usage_error(exc, ctx) from None


def _hint(exc: BadParameter) -> str:
    hint = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint()
    if hint is None:
        return ""
    text = hint if isinstance(hint, str) else " / ".join(hint)
    return text.replace("'", "")


_FILE_PROBLEMS = (
    ("does not exist", "не существует"), ("is a file", "— файл, а нужна папка"),
    ("is a directory", "— папка, а нужен файл"), ("is not readable", "нельзя прочитать"),
    ("is not writable", "нельзя записать"),
)


def _bad_value(exc: BadParameter) -> str:
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            return russian_message(found[0])
    message = exc.message
    if re.search("[А-Яа-яЁё]", message):
        return message
    for english, russian in _FILE_PROBLEMS:
        if english in message:
            found_path = re.search(r"'([^']*)'", message)
            return f"«{found_path.group(1) if found_path else ''}» {russian}"
    choices = re.search(r" is not one of (.*)\.$", message)
    if choices:
        return f"допустимые значения: {choices.group(1).replace(chr(39), '')}"
    return GENERIC


def russian_message_of(exc: UsageError) -> str:
    """The Russian text of a typer parse error (the parameter named as it is typed)."""
    if isinstance(exc, MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param else "")
        what = {"argument": "аргумент", "option": "параметр"}.get(kind, "параметр")
        text = f"Не указан {what} {_hint(exc)}".rstrip() + "."
        choices = exc.param.get_missing_message(exc.ctx) if exc.param is not None else None
        if choices:
            text += " Допустимые значения: " + ", ".join(
                c.strip(",\t ") for c in choices.split("\n")[1:])
        return text
    if isinstance(exc, BadParameter):
        return f"Неверное значение {_hint(exc)}: {_bad_value(exc)}"
    if isinstance(exc, NoSuchOption):
        text = f"Нет такого параметра: {exc.option_name}"
        if exc.possibilities:
            text += f" (возможно, {', '.join(sorted(exc.possibilities))})"
        return text
    if isinstance(exc, BadOptionUsage):
        if "does not take a value" in exc.message:
            return f"Параметр {exc.option_name} пишется без значения"
        return f"Параметру {exc.option_name} нужно значение"
    message = exc.message
    extra = re.match(r"Got unexpected extra argument.*? \((.*)\)$", message)
    if extra:
        return f"Лишние аргументы: {extra.group(1)}"
    command = re.match(r"No such command '(.*)'\.$", message)
    if command:
        return f"Нет такой команды: {command.group(1)}"
    if message.startswith("Missing command"):
        return "Не указана команда."
    return message if re.search("[А-Яа-яЁё]", message) else "Неверный вызов команды."


def russian_usage_error(exc: UsageError, ctx: Context | None = None) -> UsageError:
    """``exc`` as a ``UsageError`` with the Russian message, the same exit code and the
    context of the command (``ctx`` when the parser raised it without one)."""
    error = UsageError(russian_message_of(exc), exc.ctx or ctx)
    error.exit_code = exc.exit_code
    return error


def _typers(app: typer.Typer) -> Iterator[typer.Typer]:
    yield app
    for group in app.registered_groups:
        if group.typer_instance is not None:
            yield from _typers(group.typer_instance)


def _typer_default(cls: Any, default: type) -> bool:
    """Whether ``cls`` is typer's default choice (unset, a placeholder, or its own class)."""
    return cls is None or cls is default or type(cls).__name__ == "DefaultPlaceholder"


def adopt(app: typer.Typer) -> None:
    """Give our Russian classes to every command and group of ``app`` (sub-applications
    included) that has not chosen a class of its own. Call it after every command is added."""
    for each in _typers(app):
        if _typer_default(each.info.cls, TyperGroup):
            each.info.cls = RussianGroup
        for group in each.registered_groups:
            if _typer_default(group.cls, TyperGroup):
                group.cls = RussianGroup
        for command in each.registered_commands:
            if _typer_default(command.cls, TyperCommand):
                command.cls = RussianCommand
