"""Render passport office certificates with their declarative layout
(``layouts/passport.yaml``): the same composer and PDF writer as the payment documents."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from zhkh.adapters.print import fmt
from zhkh.adapters.print.compose import Composer
from zhkh.adapters.print.layout import Layout, load_layout
from zhkh.adapters.print.pdf import PdfWriter, measurer
from zhkh.modules.documents.certificates import TITLES, Certificate

LIST_TITLES = {"house_register_extract": "Зарегистрированы (были зарегистрированы) в помещении",
               "residents_certificate": "Зарегистрированы в помещении на дату справки",
               "apartment_card": "Зарегистрированы (были зарегистрированы) в помещении"}


def certificate_view(c: Certificate) -> dict[str, Any]:
    """Every field the passport layout uses, formatted as printed."""
    residents = [{"n": str(i), "full_name": r.full_name, "birth_date": fmt.day(r.birth_date),
                  "kind": r.kind, "date_from": fmt.day(r.date_from),
                  "date_to": fmt.day(r.date_to) or "—"}
                 for i, r in enumerate(c.residents, start=1)]
    return {"title": TITLES[c.kind], "number": c.number, "issue_date": fmt.day(c.issue_date),
            "on_date": fmt.day(c.on_date), "address": c.address,
            "premises_kind": c.premises_kind.capitalize(),
            "total_area": fmt.decimal(c.total_area), "rooms": str(c.rooms),
            "executor_line": f"управляющей организацией {c.executor}" if c.executor
            else "паспортным столом",
            "owners": [{"full_name": o.full_name, "share": o.share,
                        "date_from": fmt.day(o.date_from)} for o in c.owners],
            "list_title": LIST_TITLES[c.kind], "residents": residents,
            "no_residents": "" if residents else "да",
            "requested_by": c.requested_by, "purpose": c.purpose, "officer": c.officer}


@lru_cache(maxsize=1)
def _layout() -> tuple[Layout, Composer, dict[str, list[tuple]]]:
    path = Path(str(resources.files("zhkh.adapters.print") / "layouts" / "passport.yaml"))
    layout = load_layout(path)
    composer = Composer(layout, measurer(layout))
    return layout, composer, {name: composer.static_ops(name) for name in layout.pages}


def render_certificate(certificate: Certificate) -> bytes:
    """The certificate's PDF (deterministic for the same certificate)."""
    layout, composer, static = _layout()
    view = certificate_view(certificate)
    writer = PdfWriter(layout, title=f"{TITLES[certificate.kind].capitalize()} № "
                       f"{certificate.number}", subject=certificate.address)
    for ref in layout.documents[certificate.kind]:
        if ref.when is None or ref.when.holds(view):
            writer.page(ref.name, static[ref.name], composer.page_ops(ref.name, view))
    return writer.finish()
