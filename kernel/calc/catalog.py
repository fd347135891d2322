"""What the calculation needs to know about a service of the catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.rulebook import Rulebook

DERIVED_SOURCE = "ПП РФ №354, п. 42; прил. 2, ф. 1, 4 (объём — сумма объёмов {sources})"


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """One part of a service; ``factor_norm`` when its volume is another part's × its norm."""

    code: str | None
    unit: str
    factor_norm: bool = False


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """A service as the planner sees it."""

    code: str
    title: str
    unit: str
    components: tuple[ComponentSpec, ...]
    zone_schemes: dict[int, tuple[str, ...]]
    derived_from: tuple[str, ...]
    derived_source: str
    common_of: str | None = None
    """The resource whose common-property part this service is (``cold_water`` …)."""

    @property
    def zones(self) -> bool:
        return bool(self.zone_schemes)


class Catalog:
    """Service specs of one rulebook, built once per calculation."""

    def __init__(self, rulebook: Rulebook):
        self._specs: dict[str, ServiceSpec] = {}
        for code, s in rulebook.services.items():
            comps = tuple(
                ComponentSpec(c.id, c.unit, c.volume_from is not None) for c in s.components
            ) or (ComponentSpec(None, s.unit),)
            self._specs[code] = ServiceSpec(
                code=code, title=s.title, unit=s.unit, components=comps,
                zone_schemes={z.count: z.zones for z in s.zones},
                derived_from=tuple(s.derived_from),
                derived_source=DERIVED_SOURCE.format(sources=", ".join(s.derived_from)),
                common_of=s.common_of,
            )

    def service(self, code: str, account: str) -> ServiceSpec:
        """The spec of ``code``; an unknown service is an error naming the account."""
        spec = self._specs.get(code)
        if spec is None:
            raise CalculationError(
                "unknown_service",
                f"услуги {code!r} нет в справочнике услуг; известны: {', '.join(self._specs)}",
                account=account, service=code,
            )
        return spec

    def volume_component(self, code: str) -> str | None:
        """The component that carries the volume of water/energy (not derived from another)."""
        spec = self._specs[code]
        return next((c.code for c in spec.components if not c.factor_norm), None)
