"""Complaints (Учёт претензий): quality incidents of services (ПП РФ №354, прил. 1)."""
