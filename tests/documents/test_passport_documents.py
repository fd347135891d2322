"""The passport office's documents (REFERENCE §8), on both databases: who each lists, their
numbers and dates, the audit of every read of personal data with who asked and why, and a
register that keeps no personal data."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from zhkh.adapters.print.certificates import render_certificate
from zhkh.modules.audit import Actor
from zhkh.modules.audit.models import AuditEntry
from zhkh.modules.documents.certificates import issue_certificate
from zhkh.modules.documents.models import IssuedCertificate
from zhkh.modules.documents.read_models import CertificateIssueIn
from zhkh.modules.errors import NotFound
from zhkh.modules.passport.models import OwnershipShare, Person, PersonData, Registration

from .conftest import page_texts

OFFICER = Actor("паспортист Сидорова")
TODAY = date(2026, 11, 10)


@pytest.fixture
def flat(session, world):
    """Flat 1: the owner living there since 2001, her son registered until 2024, a tenant
    registered for a stay now."""
    flat = world.flats[0]
    people = {}
    for name, born in (("Смирнова Ольга Ивановна", date(1958, 2, 1)),
                       ("Смирнов Пётр Андреевич", date(1985, 7, 9)),
                       ("Кузнецов Илья Олегович", date(2000, 12, 24))):
        person = Person(birth_date=born)
        session.add(person)
        session.flush()
        session.add(PersonData(person_id=person.id, full_name=name))
        people[name.split()[0]] = person.id
    session.add_all([
        Registration(person_id=people["Смирнова"], premises_id=flat.id, kind="residence",
                     date_from=date(2001, 4, 3)),
        Registration(person_id=people["Смирнов"], premises_id=flat.id, kind="residence",
                     date_from=date(2001, 4, 3), date_to=date(2024, 6, 30)),
        Registration(person_id=people["Кузнецов"], premises_id=flat.id, kind="stay",
                     date_from=date(2026, 9, 1), date_to=date(2027, 8, 31)),
        OwnershipShare(person_id=people["Смирнова"], premises_id=flat.id, numerator=1,
                       denominator=1, date_from=date(2001, 4, 3))])
    session.flush()
    return flat.id, people


def _issue(session, premises: int, kind: str, **extra):
    body = CertificateIssueIn(kind=kind, requested_by="Смирнова О. И., собственник",
                              purpose="для нотариуса", **extra)
    return issue_certificate(session, OFFICER, premises, body, today=TODAY)


class TestWhoEachLists:
    def test_the_residents_certificate_lists_who_is_registered_on_its_date(self, session,
                                                                           flat):
        premises, _ = flat
        cert, _ = _issue(session, premises, "residents_certificate")
        assert [r.full_name for r in cert.residents] == ["Смирнова Ольга Ивановна",
                                                         "Кузнецов Илья Олегович"]
        assert cert.residents[1].kind == "по месту пребывания"
        assert cert.number == "СЗР-2026-11-0000001" and cert.issue_date == TODAY

    def test_the_extract_and_the_card_list_the_whole_history_and_the_card_the_owners(
            self, session, flat):
        premises, _ = flat
        extract, _ = _issue(session, premises, "house_register_extract")
        assert len(extract.residents) == 3 and extract.owners == ()
        son = next(r for r in extract.residents if r.full_name.startswith("Смирнов "))
        assert son.date_to == date(2024, 6, 30)
        card, _ = _issue(session, premises, "apartment_card")
        assert [(o.full_name, o.share) for o in card.owners] == [("Смирнова Ольга Ивановна",
                                                                  "1/1")]
        assert card.number == "Ф10-2026-11-0000001"

    def test_a_date_in_the_past_shows_the_premises_as_it_was(self, session, flat):
        premises, _ = flat
        cert, _ = _issue(session, premises, "residents_certificate",
                         on_date=date(2020, 1, 1))
        assert [r.full_name for r in cert.residents] == ["Смирнова Ольга Ивановна",
                                                         "Смирнов Пётр Андреевич"]

    def test_the_pdf_shows_the_number_the_people_and_why_it_was_issued(self, session, flat):
        premises, _ = flat
        cert, _ = _issue(session, premises, "apartment_card")
        (page,) = page_texts(render_certificate(cert))
        assert page.startswith("ПОКВАРТИРНАЯ КАРТОЧКА (ФОРМА № 10)")
        assert "№ Ф10-2026-11-0000001 от 10.11.2026" in page
        assert "Смирнов Пётр Андреевич 09.07.1985 по месту жительства 03.04.2001 30.06.2024" \
            in page
        assert "Для представления: для нотариуса" in page
        assert render_certificate(cert) == render_certificate(cert)


class TestTheTrail:
    def test_every_read_and_issue_is_audited_with_who_asked_and_why(self, session, flat):
        premises, people = flat
        _cert, register_id = _issue(session, premises, "house_register_extract")
        read, issued = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ("personal_data.read", "certificate.issue"))).order_by(AuditEntry.id)).all()
        assert (read.actor, read.reason, read.object_type, read.object_id) == \
            ("паспортист Сидорова", "для нотариуса", "premises", str(premises))
        assert read.after["persons"] == sorted(people.values())
        assert read.after["requested_by"] == "Смирнова О. И., собственник"
        assert read.after["document"] == "house_register_extract"
        assert (issued.object_type, issued.object_id) == ("certificate", str(register_id))
        assert issued.after["number"] == "ВДК-2026-11-0000001"
        assert "Ольга" not in str(read.after) and "1958" not in str(read.after)

    def test_the_register_keeps_no_personal_data_and_numbers_each_kind_apart(self, session,
                                                                              flat):
        premises, _ = flat
        for kind in ("residents_certificate", "residents_certificate", "apartment_card"):
            _issue(session, premises, kind)
        rows = session.scalars(select(IssuedCertificate).order_by(IssuedCertificate.id)).all()
        assert [r.number for r in rows] == ["СЗР-2026-11-0000001", "СЗР-2026-11-0000002",
                                            "Ф10-2026-11-0000001"]
        assert {r.persons_count for r in rows} == {2, 3}
        for row in rows:
            values = " ".join(str(v) for v in vars(row).values())
            assert "Ольга" not in values and "Кузнецов" not in values
            assert len(row.content_hash) == 64

    def test_an_unknown_premises_is_refused_and_nothing_is_read(self, session, world):
        with pytest.raises(NotFound):
            _issue(session, 10**9, "apartment_card")
        assert session.scalar(select(AuditEntry.id).where(
            AuditEntry.action == "personal_data.read")) is None
