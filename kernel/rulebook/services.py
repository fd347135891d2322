"""The service catalogue (``rules/services.yaml``): what is charged, in what unit, in what parts.

YAML form (one mapping keyed by service id)::

    services:
      hot_water:
        title: Горячее водоснабжение
        unit: м³
        per_person: true
        components:
          water: {title: Теплоноситель, unit: м³}
          heat: {title: Подогрев, unit: Гкал, volume_from: water}
      electricity:
        title: Электроснабжение
        unit: кВт·ч
        zones: {1: [single], 2: [day, night]}
      wastewater:
        title: Водоотведение
        unit: м³
        derived_from: [cold_water, hot_water]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from zhkh.kernel.rulebook.facts import FACTS
from zhkh.kernel.rulebook.fields import Bool, Name, Text, issue

ZONES = FACTS["zone"].values


class Component(BaseModel):
    """A part of a service with its own tariff and norm (hot water: ``water`` and ``heat``).

    ``volume_from`` names the component whose volume this one is computed from: the heat of hot
    water is the water volume × the norm of this component (Гкал/м³, ПП №354, REFERENCE 1.3).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Name
    title: Text
    unit: Text
    volume_from: Name | None = None


class ZoneScheme(BaseModel):
    """The zones metered by a meter with ``count`` tariff zones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int
    zones: tuple[str, ...]


class Service(BaseModel):
    """One service of the catalogue.

    - ``unit``: unit of the volume on a charge line (tariffs are ``руб/<unit>``);
    - ``components``: parts each with its own tariff and norm; a service without components is
      charged as one part;
    - ``zones``: zone schemes by number of meter zones (electricity);
    - ``derived_from``: the volume is the sum of these services' volumes for the same account
      and period (wastewater); such a service has tariffs but no method rules;
    - ``common_of``: the service is the common-property (СОИ) part of this resource: its volume
      is the house's (house meter − Σ individual volumes of ``common_of``, ПП №354 п. 44,
      ЖК ст. 154 ч. 2), shared by area; its method rule names ``common_property``;
    - ``per_person``: its norm is per resident (formula 4), so the number of residents matters;
    - ``category``: ``utility`` (коммунальная), ``housing`` (жилищная), ``other``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Name
    title: Text
    unit: Text
    category: Literal["utility", "housing", "other"] = "utility"
    components: tuple[Component, ...] = ()
    zones: tuple[ZoneScheme, ...] = ()
    derived_from: tuple[Name, ...] = ()
    common_of: Name | None = None
    per_person: Bool = False
    source: Text | None = None

    @field_validator("components", mode="before")
    @classmethod
    def _components(cls, raw: Any) -> Any:
        if not isinstance(raw, Mapping):
            raise issue([((), "components: ожидается словарь «код: {title, unit}»")])
        return tuple({**v, "id": k} if isinstance(v, Mapping) else v for k, v in raw.items())

    @field_validator("zones", mode="before")
    @classmethod
    def _zones(cls, raw: Any) -> Any:
        if not isinstance(raw, Mapping):
            raise issue([((), "zones: ожидается словарь «число зон: [зоны]», "
                              "например {1: [single], 2: [day, night]}")])
        schemes = []
        for count, zones in raw.items():
            if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 3:
                raise issue([((count,), "число зон — целое от 1 до 3")])
            if not isinstance(zones, list) or len(zones) != count or any(
                    z not in ZONES for z in zones):
                raise issue([((count,), f"ожидается список из {count} зон из: "
                                        f"{', '.join(ZONES)}")])
            schemes.append({"count": count, "zones": tuple(zones)})
        return tuple(schemes)

    def component(self, name: str) -> Component | None:
        """The component called ``name``, or None."""
        return next((c for c in self.components if c.id == name), None)

    @property
    def all_zones(self) -> frozenset[str]:
        return frozenset(z for s in self.zones for z in s.zones)


class ServiceCatalogue(Mapping[str, Service]):
    """Immutable mapping service id → :class:`Service`, in file order."""

    __slots__ = ("_items",)

    def __init__(self, services: tuple[Service, ...] = ()):
        self._items = {s.id: s for s in services}

    def __getitem__(self, key: str) -> Service:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ServiceCatalogue({list(self._items)})"


def check_services(catalogue: ServiceCatalogue) -> list[tuple[str, tuple[Any, ...], str]]:
    """Cross-references inside the catalogue, as (service id, field path, Russian message)."""
    issues: list[tuple[str, tuple[Any, ...], str]] = []
    for service in catalogue.values():
        for i, source in enumerate(service.derived_from):
            if source == service.id or source not in catalogue:
                issues.append((service.id, ("derived_from", i),
                               f"derived_from: {source!r} — нет такой услуги (или ссылка на себя); "
                               f"известны: {', '.join(catalogue)}"))
            elif catalogue[source].derived_from:
                issues.append((service.id, ("derived_from", i),
                               f"{source!r} сама производная; цепочки не поддерживаются"))
        common = service.common_of
        if common is not None and (common == service.id or common not in catalogue
                                   or catalogue[common].common_of or service.derived_from):
            issues.append((service.id, ("common_of",),
                           f"common_of: {common!r} — нужна другая услуга-ресурс (не СОИ), "
                           f"и услуга СОИ не может быть производной; известны: "
                           f"{', '.join(catalogue)}"))
        names = [c.id for c in service.components]
        for component in service.components:
            if component.volume_from is not None and (
                    component.volume_from == component.id or component.volume_from not in names):
                issues.append((service.id, ("components", component.id, "volume_from"),
                               f"volume_from: {component.volume_from!r} — нет такой другой "
                               f"составляющей; есть: {', '.join(names)}"))
    return issues
