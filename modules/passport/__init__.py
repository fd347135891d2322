"""Passport office (Паспортистка): persons, registrations, owners, absences, benefits."""
