"""The one composition root: the API's app factory, every command of the CLI and the tests'
fixtures assemble the application here.

settings → database; rules folder → rulebook → engine → the stateless calculator
(``POST /v1/calculate``) and the batch calculator (monthly run, recalculation) sharing that
engine → the seams handed to the modules that keep facts (billing's online recalculation and
the published rules' vocabulary, ``modules/seams.py``). Each piece is built on first use, so a
command that only needs the database never loads the rules. Tests pass doubles for any piece.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from types import TracebackType

from zhkh.adapters.db.scope import install_scope_filter
from zhkh.adapters.db.session import Database
from zhkh.adapters.settings import Settings, get_settings
from zhkh.kernel.rulebook import Rulebook, load_rulebook
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.reading_checks import RuleReadingChecks
from zhkh.modules.billing.service import OnlineRecalculation
from zhkh.modules.calculation.service import Calculator
from zhkh.modules.calculation.vocabulary import RulebookVocabulary
from zhkh.modules.documents.policy import DocumentRules
from zhkh.modules.finance.service import FinanceRules
from zhkh.modules.seams import Recalculation, Seams


class Application:
    """The assembled pieces of one process (or one test). Close it (or use it in ``with``)
    to release the database connections it opened."""

    def __init__(self, settings: Settings, *, database: Database | None = None,
                 calculator: Calculator | None = None,
                 recalculation: Recalculation | None = None) -> None:
        self.settings = settings
        self._database = database
        self._calculator = calculator
        self._recalculation = recalculation
        self._owns_database = database is None
        self._writes = False
        self._kept: str | None = None

    @cached_property
    def database(self) -> Database:
        """The database of ``settings.database_url`` (or the one given), its sessions honouring
        the data scope a request puts in them (``adapters/db/scope.py``)."""
        database = self._database or Database.from_url(self.settings.database_url)
        install_scope_filter(*database.factories)
        self.__dict__["database"] = database  # keeping the version below reads it
        self._keep_when_writing()
        return database

    @cached_property
    def rulebook(self) -> Rulebook:
        """The published rules of ``settings.rules_dir`` (those of the calculator given);
        raises ``RulebookError`` naming file, rule and field when the rule files are wrong."""
        if self._calculator is not None:
            return self._calculator.rulebook
        return load_rulebook(Path(self.settings.rules_dir))

    @cached_property
    def calculator(self) -> Calculator:
        """The stateless calculator of :attr:`rulebook` with its engine (one durable-rules
        host per rulebook version)."""
        return self._calculator or Calculator(self.rulebook)

    @cached_property
    def batch_calculator(self) -> BatchCalculator:
        """The monthly run's calculator: the same rulebook and engine as :attr:`calculator`,
        so the run and ``POST /v1/calculate`` give the same lines and share decisions."""
        self._writing()
        return BatchCalculator(self.rulebook, self.calculator.engine)

    @cached_property
    def preview_calculator(self) -> BatchCalculator:
        """The batch calculator for commands that write nothing (the dry run of a month,
        ``rules diff``): the same rulebook and engine, but it keeps no rulebook version."""
        return self.__dict__.get("batch_calculator") or BatchCalculator(
            self.rulebook, self.calculator.engine)

    @cached_property
    def finance_rules(self) -> FinanceRules:
        """What finance takes from the published rules: allocation, the services' document
        order, the penalty policy and the rulebook version."""
        self._writing()
        return FinanceRules.of(self.rulebook)

    @cached_property
    def document_rules(self) -> DocumentRules:
        """What payment documents take from the published rules: the service catalogue, the
        penalty policy's due dates and the rulebook version."""
        self._writing()
        return DocumentRules.of(self.rulebook, self.finance_rules)

    @cached_property
    def seams(self) -> Seams:
        """What registry, meters, passport and complaints need from above them."""
        recalculation = self._recalculation or OnlineRecalculation(self.batch_calculator)
        return Seams(recalculation=recalculation,
                     vocabulary=RulebookVocabulary(self.rulebook),
                     checks=self.reading_checks)

    @cached_property
    def reading_checks(self) -> RuleReadingChecks:
        """The plausibility checks of the published rules (``rules/checks``); needs the
        rulebook only, not the engine (a bank file's import takes them alone)."""
        return RuleReadingChecks(self.rulebook)

    def _writing(self) -> None:
        """A piece that writes what the rulebook computes (lines, penalties, documents) was
        built: keep the version once the database is in use too."""
        self._writes = True
        self._keep_when_writing()

    def _keep_when_writing(self) -> None:
        if self._writes and self._kept is None and "database" in self.__dict__:
            self._kept = self.keep_rulebook_version() or ""

    def keep_rulebook_version(self) -> str | None:
        """Store :attr:`rulebook`'s version (its files) in :attr:`database` unless it is
        there, and return it. Called by itself as soon as this application has both its
        database and a piece that writes with the rulebook (the batch calculator and so the
        seams' online recalculation, the finance rules, the document rules) — whichever comes
        second — so every entry point (API, CLI, demo after recreating its base) keeps the
        version its lines and documents record, and that version reproduces exactly.
        Idempotent (one primary-key read when kept). A rulebook built in code has no files to
        keep: None, nothing stored."""
        from sqlalchemy.exc import IntegrityError

        from zhkh.kernel.rulebook import RulebookError
        from zhkh.modules.rulebooks.service import keep

        try:
            with self.database.session() as session:
                keep(session, self.rulebook)
        except RulebookError:
            if self.rulebook.source_dir is None:
                return None
            raise
        except IntegrityError:
            pass  # another process stored the same version between the read and the insert
        return self.rulebook.version

    def close(self) -> None:
        """Release the database connections (of a database built here)."""
        if self._owns_database and "database" in self.__dict__:
            self.database.dispose()

    def __enter__(self) -> Application:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def bootstrap(settings: Settings | None = None, *, database_url: str | None = None,
              rules_dir: Path | None = None, database: Database | None = None,
              calculator: Calculator | None = None,
              recalculation: Recalculation | None = None) -> Application:
    """The application of ``settings`` (default: the environment, ``ZHKH_*``), with
    ``database_url`` or ``rules_dir`` replacing theirs when given (command-line options), and
    any piece replaced by the one given (tests)."""
    settings = settings or get_settings()
    changes = {k: v for k, v in (("database_url", database_url), ("rules_dir", rules_dir))
               if v is not None}
    if changes:
        settings = settings.model_copy(update=changes)
    return Application(settings, database=database, calculator=calculator,
                       recalculation=recalculation)
